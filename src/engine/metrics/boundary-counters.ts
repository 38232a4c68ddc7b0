/**
 * What the API boundary did with requests (status `api`): counted by
 * api/dispatch.ts, owned by the station, read by the shells. Its own module
 * so that the station does not import the boundary that calls into it.
 */
export interface BoundaryCounters {
  accepted: number;
  /** Unknown operation, invalid payload, untrusted sender, bad token. */
  rejected: number;
  /** A technician's operation asked by an operator. */
  denied: number;
  failed: number;
}

export function createBoundaryCounters(): BoundaryCounters {
  return { accepted: 0, rejected: 0, denied: 0, failed: 0 };
}
