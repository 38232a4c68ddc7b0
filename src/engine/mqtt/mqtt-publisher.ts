/**
 * The station on the plant's MQTT broker (issue 17). Topics, under the prefix
 * (linesight/<station id> by default):
 *
 *   <prefix>/decisions  QoS 1, a JSON array of decisions; each has a stable `id`
 *                       (<station>:<capture ms>:<item>) so a subscriber drops a duplicate
 *   <prefix>/alarms     QoS 1, retained: the alarms standing now (a JSON array)
 *   <prefix>/state      QoS 1, retained: {"state": "online", …}; the last will says "offline"
 *
 * Decisions wait in a bounded queue while the broker is away (oldest dropped
 * past maxQueued, counted); the client reconnects by itself. Nothing here can
 * throw into the line: publishing is fire-and-forget from its point of view.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { Alarm } from '../../shared/alarms';
import type { Inspection } from '../../shared/inspection';
import type { MqttConfig } from '../../shared/mqtt-config';
import { messageOf } from '../error-message';

const CLOSE_STEP_MS = 2000;

/** Waits for `work` at most `ms`; never throws. */
async function withinMs(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

export interface MqttDecision {
  readonly id: string;
  readonly frameId: number;
  readonly capturedAt: string;
  readonly decision: Inspection['decision'];
  readonly rejectScore: number | null;
  readonly failSafeReason: string | null;
  readonly modelVersion: string;
}

export interface MqttFigures {
  readonly connected: boolean;
  readonly sent: number;
  readonly queued: number;
  readonly dropped: number;
}

export class MqttPublisher {
  private readonly client: MqttClient;
  private readonly queue: MqttDecision[] = [];
  private readonly timer: NodeJS.Timeout;
  private sending = false;
  private lastAlarms: readonly Alarm[] = [];
  private sent = 0;
  private dropped = 0;
  readonly prefix: string;

  constructor(
    private readonly config: Extract<MqttConfig, { kind: 'broker' }>,
    private readonly stationId: string,
    private readonly onError: (message: string) => void,
  ) {
    this.prefix = (config.topicPrefix ?? `linesight/${stationId}`).replace(/\/+$/, '');
    let ca: Buffer | undefined;
    try {
      ca = config.caFile !== undefined ? readFileSync(config.caFile) : undefined;
    } catch (err) {
      throw new Error(`mqtt.caFile ${config.caFile} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    }
    this.client = mqtt.connect(config.url, {
      ...(config.username !== undefined ? { username: config.username } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(ca !== undefined ? { ca } : {}),
      clientId: `linesight-${stationId}`,
      clean: false,
      reconnectPeriod: 2000,
      will: { topic: `${this.prefix}/state`, payload: Buffer.from(JSON.stringify({ state: 'offline' })), qos: 1, retain: true },
    });
    this.client.on('error', (err) => this.onError(`MQTT broker ${config.url}: ${err.message}`));
    // On every (re)connection: online, and the alarms standing (told while away they were not sent).
    this.client.on('connect', () => {
      this.publish('state', { state: 'online', at: new Date().toISOString() }, true);
      this.publish('alarms', this.lastAlarms, true);
    });
    this.timer = setInterval(() => void this.flush(), config.batchMs);
  }

  figures(): MqttFigures {
    return { connected: this.client.connected, sent: this.sent, queued: this.queue.length, dropped: this.dropped };
  }

  /** Every decided item. */
  decision(i: Inspection): void {
    this.queue.push({
      id: `${this.stationId}:${Date.parse(i.capturedAt)}:${i.frameId}`,
      frameId: i.frameId,
      capturedAt: i.capturedAt,
      decision: i.decision,
      rejectScore: i.rejectScore,
      failSafeReason: i.failSafeReason ?? null,
      modelVersion: i.modelVersion,
    });
    const over = this.queue.length - this.config.maxQueued;
    if (over > 0) {
      this.queue.splice(0, over);
      this.dropped += over;
    }
  }

  /** The alarms standing now (retained: a subscriber that comes later reads them at once). */
  alarms(list: readonly Alarm[]): void {
    this.lastAlarms = [...list];
    this.publish('alarms', list, true);
  }

  /** The station's state (retained). */
  state(state: Record<string, unknown>): void {
    this.publish('state', { state: 'online', ...state, at: new Date().toISOString() }, true);
  }

  /**
   * Sends what waits, then says offline and disconnects — each step at most CLOSE_STEP_MS: a broker that never
   * acknowledges must not hold the station's stop.
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await withinMs(this.flush(), CLOSE_STEP_MS);
    if (this.client.connected)
      await withinMs(this.client.publishAsync(`${this.prefix}/state`, JSON.stringify({ state: 'offline' }), { qos: 1, retain: true }), CLOSE_STEP_MS);
    await this.client.endAsync(true).catch(() => {});
  }

  private publish(topic: string, payload: unknown, retain: boolean): void {
    if (!this.client.connected) return;
    this.client.publish(`${this.prefix}/${topic}`, JSON.stringify(payload), { qos: 1, retain }, (err) => {
      if (err) this.onError(`MQTT ${topic} not sent: ${err.message}`);
    });
  }

  /** One batch at a time, taken off the queue only once the broker acknowledged it (QoS 1): none lost, a resend may double. */
  private async flush(): Promise<void> {
    if (this.sending || !this.client.connected || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.queue.slice(0, this.config.maxBatch);
    try {
      await this.client.publishAsync(`${this.prefix}/decisions`, JSON.stringify(batch), { qos: 1 });
      // The queue may have been trimmed meanwhile (oldest dropped): take off only what is still at its head.
      let n = 0;
      while (n < batch.length && this.queue[0] === batch[n]) {
        this.queue.shift();
        n++;
      }
      this.sent += batch.length;
    } catch (err) {
      this.onError(`MQTT decisions not sent (kept to send again): ${messageOf(err)}`);
    } finally {
      this.sending = false;
    }
  }
}
