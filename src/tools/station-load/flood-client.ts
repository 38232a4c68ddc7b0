/**
 * A client that floods the station with requests, as fast as the station
 * lets it: it keeps IN_FLIGHT requests outstanding at all times, cycling
 * through the cheapest and the most costly reads a page can ask (the status,
 * 500 recent inspections, the newest frame's picture, a page of 500 rows of
 * history and a CSV export through the query worker). For the flood bench
 * (station.flood) and nothing else: a real page asks a few a second.
 */
import { StationClient } from '../../station/station-client';

/** Requests kept outstanding per client. */
const IN_FLIGHT = 64;

export interface FloodCounts {
  answered: number;
  refused: number;
}

export class FloodClient {
  readonly counts: FloodCounts = { answered: 0, refused: 0 };
  private running = true;
  /** Resolves null once the client is closed, so a lane waiting for a reply that will never come ends. */
  private readonly closed: Promise<null>;
  private markClosed: () => void = () => undefined;

  private constructor(private readonly client: StationClient) {
    this.closed = new Promise((resolve) => (this.markClosed = () => resolve(null)));
    for (let i = 0; i < IN_FLIGHT; i++) void this.lane(i);
  }

  static async open(url: string): Promise<FloodClient> {
    return new FloodClient(await StationClient.connect(url));
  }

  async close(): Promise<void> {
    this.running = false;
    this.markClosed();
    await this.client.close();
  }

  private async lane(offset: number): Promise<void> {
    for (let n = offset; this.running; n += IN_FLIGHT) {
      const result = await Promise.race([this.ask(n), this.closed]);
      if (result === null) return;
      if (result) this.counts.answered++;
      else this.counts.refused++;
    }
  }

  private async ask(n: number): Promise<boolean> {
    const c = this.client;
    switch (n % 5) {
      case 0:
        return (await c.call('getStatus', {})).ok;
      case 1:
        return (await c.call('getRecentInspections', { limit: 500 })).ok;
      case 2:
        return (await c.call('queryInspections', { filter: {}, limit: 500 })).ok;
      case 3:
        return (await c.call('exportInspections', { filter: {} })).ok;
      default: {
        const newest = await c.call('getRecentInspections', { limit: 1 });
        const frameId = newest.ok ? newest.value[0]?.frameId : undefined;
        return frameId === undefined ? newest.ok : (await c.call('getFrameImage', { frameId })).ok;
      }
    }
  }
}
