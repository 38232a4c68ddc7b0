/**
 * The watchdog and the fail-safe: a camera that is down, or has sent nothing
 * for stallMs, a model whose worker is being restarted, a storage fault
 * (log/storage-monitor.ts) and a paused line each raise an alarm and engage
 * the fail-safe until they recover: every item is rejected and the reject
 * output's heartbeat stops (output/reject-output.ts).
 */
import type { AlarmKind } from '../../shared/alarms';
import { engagesFailSafe } from '../../shared/operator-words';
import type { AlarmBoard } from '../alarms/alarm-board';
import type { StorageMonitor } from '../log/storage-monitor';
import type { LoadedModel } from '../models/loaded-model';
import type { RejectOutput } from '../output/reject-output';
import type { FrameSource } from '../sources/frame-source';
import type { EventLog } from '../storage/event-log';
import type { FrozenState } from '../camera-health/frozen-picture';
import type { PictureQualityState } from '../camera-health/picture-quality';

/** How often the camera and the model are checked. */
const WATCH_INTERVAL_MS = 100;

export interface WatchdogDeps {
  readonly source: FrameSource;
  readonly alarms: AlarmBoard;
  readonly storage: StorageMonitor;
  readonly output: RejectOutput;
  readonly events: EventLog;
  readonly model: () => LoadedModel;
  /** performance.now() of the last item the source delivered. */
  readonly lastFrameAt: () => number | null;
  readonly stallMs: number;
}

export class Watchdog {
  private timer: NodeJS.Timeout | null = null;
  private startedAt = performance.now();
  private engaged = false;
  /** While set, every item is rejected fail-safe without inference (a benchmark has the CPU). */
  private paused: string | null = null;
  /** While set, the camera sends the same picture again and again (camera-health/frozen-picture.ts). */
  private frozen: string | null = null;
  /** While set, a reject was not confirmed by the ejector and the policy holds the fail-safe (plc/reject-confirmations.ts). */
  private ejectorHeld: string | null = null;

  constructor(private readonly deps: WatchdogDeps) {
    // A reject output that hears the ejector (serial confirmations) tells this watchdog, like the PLC does.
    deps.output.watchEjector({ missing: (id, ms, policy, what) => this.ejectorMissing(id, ms, policy, what), confirmed: () => this.ejectorConfirmed() });
  }

  get failSafeEngaged(): boolean {
    return this.engaged;
  }

  get pausedBecause(): string | null {
    return this.paused;
  }

  /** Why no item may be judged now: the line paused, or a frozen camera (its items are not what is on the belt). */
  get notJudgedBecause(): string | null {
    return this.paused ?? this.frozen ?? this.ejectorHeld;
  }

  /**
   * A reject the ejector did not confirm in time: an item meant for the reject bin may have gone on. An alarm; with the
   * fail-safe policy every item is rejected until the ejector confirms a reject again.
   */
  ejectorMissing(id: number, withinMs: number, policy: 'alarm' | 'fail-safe', what = 'trigger'): void {
    const words = `ejector did not confirm the reject of ${what} ${id} within ${withinMs} ms`;
    if (policy === 'fail-safe') {
      this.ejectorHeld = words;
      this.deps.alarms.raise('ejector', 'ejector', 'alarm', `${words}: every item is rejected until a reject is confirmed again`);
      this.update();
      this.deps.output.setHealthy(!this.engaged);
    } else {
      this.deps.alarms.raise('ejector', 'ejector', 'warning', `${words}: check the ejector and the bin`);
    }
  }

  /** A reject confirmed: the ejector works; its alarm clears, and the fail-safe it held. */
  ejectorConfirmed(): void {
    if (this.ejectorHeld === null && !this.deps.alarms.list().some((a) => a.id === 'ejector')) return;
    this.ejectorHeld = null;
    this.deps.alarms.clear('ejector');
    this.update();
  }

  /** The frozen-picture detector's finding: an alarm and the fail-safe while frozen, cleared when the picture changes. */
  cameraFrozen(state: FrozenState): void {
    if (state.frozen) {
      this.frozen = `camera frozen: the same picture ${state.sameInARow} times in a row`;
      this.deps.alarms.raise('camera-frozen', 'camera', 'alarm', `${this.frozen}: every item is rejected until the picture changes`);
    } else {
      this.frozen = null;
      this.deps.alarms.clear('camera-frozen');
    }
    this.update();
    this.deps.output.setHealthy(!this.engaged);
  }

  /** Blur and exposure: warnings while they last (the model still sees the items, worse), no fail-safe. */
  pictureQuality(state: PictureQualityState): void {
    const { alarms } = this.deps;
    if (state.blurred) alarms.raise('picture-blur', 'picture', 'warning', state.blurred);
    else alarms.clear('picture-blur');
    if (state.exposure) alarms.raise('picture-exposure', 'picture', 'warning', state.exposure);
    else alarms.clear('picture-exposure');
  }

  /** The camera delivers and the line is not paused. */
  get lineRunning(): boolean {
    const { state } = this.deps.source;
    return this.paused === null && (state === 'running' || state === 'starting');
  }

  start(): void {
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.watch(), WATCH_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Pauses the line: every item is rejected fail-safe and nothing is inferred, the fail-safe and an
   * alarm say so, and the reject output's heartbeat stops, until resumeLine().
   */
  pauseLine(reason: string): void {
    this.paused = reason;
    this.deps.alarms.raise('line', 'line', 'alarm', `line paused: ${reason}: every item is rejected`);
    this.update();
    this.deps.output.setHealthy(false);
  }

  resumeLine(): void {
    if (this.paused === null) return;
    this.paused = null;
    this.deps.alarms.clear('line');
    this.update();
  }

  /** Each cause of the fail-safe with its kind, so that the UI can say it in plain words (shared/operator-words.ts). */
  causes(): { kind: AlarmKind; message: string }[] {
    const causes = this.deps.alarms
      .list()
      .filter(engagesFailSafe)
      .map((a) => ({ kind: a.kind, message: a.message }));
    // storage.whenFull: fail-safe (the default): no item is released while its decision cannot be recorded.
    const storage = this.deps.storage.failSafeReason();
    return storage === null ? causes : [...causes, { kind: 'storage', message: storage }];
  }

  private watch(): void {
    const { source, alarms, stallMs } = this.deps;
    const now = performance.now();
    const state = source.state;
    if (state === 'down') {
      alarms.raise('camera', 'camera', 'alarm', `camera down: ${source.stats().lastError ?? 'no reason given'}`);
    } else if (state === 'running' || state === 'starting') {
      const silentMs = now - (this.deps.lastFrameAt() ?? this.startedAt);
      if (silentMs > stallMs) alarms.raise('camera', 'camera', 'alarm', `camera stalled: no frame for ${(silentMs / 1000).toFixed(1)} s`);
      else alarms.clear('camera');
    } else {
      alarms.clear('camera');
    }
    if (this.deps.model().client.state === 'restarting')
      alarms.raise('model', 'model', 'alarm', 'model worker died and is being restarted: frames are rejected');
    else alarms.clear('model');
    // The disk cap, the log's writes, the upload targets, moved-aside databases.
    this.deps.storage.watch();
    this.update();
    this.deps.output.setHealthy(!this.engaged);
  }

  private update(): void {
    const reasons = this.causes().map((c) => c.message);
    const engaged = reasons.length > 0;
    if (engaged === this.engaged) return;
    this.engaged = engaged;
    this.deps.events.append({
      at: new Date(),
      kind: 'fail-safe',
      severity: engaged ? 'alarm' : 'info',
      message: engaged ? `fail-safe engaged: ${reasons.join('; ')}` : 'fail-safe released',
    });
  }
}
