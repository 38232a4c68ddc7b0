/**
 * The engine's handle on its query worker: one promise per query, answered
 * in the worker's own time. A worker that dies fails what it held and is
 * started again at the next query, so a bad query never takes the UI down.
 */
import type { WorkerEntry } from '../rpc/worker-entry';
import { RpcError, WorkerLink } from '../rpc/worker-link';
import type { QueryCalls, QueryKind, QueryProtocol } from './query-protocol';

export class QueryError extends Error {
  override readonly name = 'QueryError';
}

export class QueryClient {
  private link: WorkerLink<QueryProtocol> | null = null;
  private opening: Promise<WorkerLink<QueryProtocol>> | null = null;
  private closed = false;

  constructor(
    private readonly entry: WorkerEntry,
    private readonly databasePath: string,
  ) {}

  async call<K extends QueryKind>(kind: K, args: QueryCalls[K]['args']): Promise<QueryCalls[K]['result']> {
    if (this.closed) throw new QueryError('the station is stopping');
    const link = await this.ensure();
    return link.call(kind, args).catch((err: unknown) => {
      throw new QueryError(err instanceof Error ? err.message : String(err));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const link = this.link ?? (await this.opening?.catch(() => null)) ?? null;
    await link?.close();
  }

  private ensure(): Promise<WorkerLink<QueryProtocol>> {
    if (this.link?.alive) return Promise.resolve(this.link);
    this.opening ??= WorkerLink.open<QueryProtocol>(this.entry, { databasePath: this.databasePath }, { name: 'the query worker' })
      .then(
        ({ link }) => (this.link = link),
        (err: unknown) => {
          const answered = err instanceof RpcError && err.answered;
          throw new QueryError(answered ? `cannot read the log: ${(err as Error).message}` : (err as Error).message);
        },
      )
      .finally(() => {
        this.opening = null;
      });
    return this.opening;
  }
}
