/**
 * What every page needs of the station: the API, the latest status, this
 * connection's session, whether the connection is up, and a way to make sure
 * a technician is signed in before a change (asking for the PIN if not).
 */
import { createContext, useContext } from 'react';
import type { LineSightApi } from '../../../shared/contract';
import type { SessionInfo } from '../../../shared/session';
import type { StationStatus } from '../../../shared/status';
import type { ConnectionState } from './ws-api';

export interface Station {
  readonly api: LineSightApi;
  readonly transport: 'ipc' | 'websocket';
  readonly status: StationStatus;
  readonly session: SessionInfo | null;
  readonly connection: ConnectionState;
  /** Resolves true once a technician is signed in on this connection (after the PIN dialog if needed), false if the person cancelled. */
  readonly asTechnician: () => Promise<boolean>;
}

export const StationContext = createContext<Station | null>(null);

export function useStation(): Station {
  const station = useContext(StationContext);
  if (!station) throw new Error('useStation outside a StationContext');
  return station;
}
