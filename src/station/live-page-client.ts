/**
 * What a browser showing the live page asks of the station, over the same
 * wire, without the drawing: the requests at start, every event, the newest
 * frame's image at most ten times a second (one request at a time), and the
 * strip's thumbnails once a second. The clients bench connects several of
 * these to measure what serving them costs the line.
 */
import type { Inspection } from '../shared/inspection';
import { LIVE_VIEW } from '../shared/live-view';
import { StationClient } from './station-client';

export interface LivePageCounts {
  requests: number;
  images: number;
  events: number;
  bytesIn: number;
}

export class LivePageClient {
  readonly counts: LivePageCounts = { requests: 0, images: 0, events: 0, bytesIn: 0 };
  private wanted: Inspection | null = null;
  private fetching = false;
  private lastFetchAt = -Infinity;
  private arrived: Inspection[] = [];
  private readonly shown = new Set<number>();
  private stripTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(private readonly client: StationClient) {}

  static async open(url: string): Promise<LivePageClient> {
    const page = new LivePageClient(await StationClient.connect(url));
    await page.start();
    return page;
  }

  private async start(): Promise<void> {
    const c = this.client;
    c.on('inspection', (i) => {
      this.counts.events++;
      this.wanted = i;
      if (i.decision === 'pit') this.arrived.push(i);
      void this.fetchNewest();
    });
    for (const event of ['status', 'sample', 'alarm'] as const) c.on(event, () => this.counts.events++);
    await Promise.all([
      this.request(() => c.call('getStatus', {})),
      this.request(() => c.call('getSession', {})),
      this.request(() => c.call('getRecentInspections', { limit: 1 })),
      this.request(() => c.call('getRecentRejects', { limit: LIVE_VIEW.strip })),
    ]);
    this.stripTimer = setInterval(() => this.updateStrip(), LIVE_VIEW.stripUpdateMs);
  }

  private async fetchNewest(): Promise<void> {
    if (this.fetching) return;
    this.fetching = true;
    try {
      while (!this.closed && this.wanted) {
        const wait = this.lastFetchAt + 1000 / LIVE_VIEW.frameFetchesPerS - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const item = this.wanted;
        this.wanted = null;
        if (!item || this.closed) break;
        this.lastFetchAt = performance.now();
        await this.image(item.frameId);
      }
    } finally {
      this.fetching = false;
    }
  }

  private updateStrip(): void {
    const fresh = this.arrived.reverse().slice(0, LIVE_VIEW.strip);
    this.arrived = [];
    for (const r of fresh) {
      if (this.shown.has(r.frameId)) continue;
      this.shown.add(r.frameId);
      void this.image(r.frameId);
    }
    if (this.shown.size > 1000) this.shown.clear();
  }

  private async image(frameId: number): Promise<void> {
    const r = await this.request(() => this.client.call('getFrameImage', { frameId }));
    if (r.ok && r.value) this.counts.images++;
  }

  private async request<T>(send: () => Promise<T>): Promise<T> {
    this.counts.requests++;
    const r = await send();
    this.counts.bytesIn = this.client.bytesIn;
    return r;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.stripTimer) clearInterval(this.stripTimer);
    this.counts.bytesIn = this.client.bytesIn;
    await this.client.close();
  }
}
