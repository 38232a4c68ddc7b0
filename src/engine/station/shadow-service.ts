/**
 * Shadow trials on the station (issue 16): a technician starts a trial of a
 * registered candidate; it sees the live line's frames (shadow/shadow-line.ts)
 * and never actuates; its figures are kept as it runs; every disagreement's
 * frame is captured for review (capture/capturer.ts, reason
 * "disagreement"). The trial ends after its items or its time (or when the
 * live model changes: it was compared with another). Then the technician
 * promotes the candidate — the line switches to it between two items, with
 * the thresholds it was tried with — or discards it; both audited.
 */
import type { Thresholds } from '../../shared/manifest';
import type { ModelRecord } from '../../shared/models';
import type { ShadowFigures, ShadowStart, ShadowTrial } from '../../shared/shadow';
import type { Capturer } from '../capture/capturer';
import type { DecidedItem, LineItem } from '../line/inspection-line';
import type { LoadedModel } from '../models/loaded-model';
import { disagreementOf } from '../shadow/shadow-figures';
import { ShadowLine, type ShadowPair } from '../shadow/shadow-line';
import type { AuditTrail } from '../storage/audit-trail';
import type { CalibrationStore } from '../storage/calibration-store';
import type { CaptureStore } from '../storage/capture-store';
import type { EventLog } from '../storage/event-log';
import type { MainWrites } from '../storage/main-writes';
import type { ShadowStore } from '../storage/shadow-store';
import type { EngineSettings } from './engine-settings';
import type { ModelService } from './model-service';
import type { ThresholdSettings } from './threshold-settings';
import { messageOf } from '../error-message';

export class ShadowError extends Error {
  override readonly name = 'ShadowError';
}

export interface ShadowServiceDeps {
  readonly settings: EngineSettings;
  readonly models: ModelService;
  readonly thresholds: ThresholdSettings;
  readonly store: ShadowStore;
  readonly captures: CaptureStore;
  readonly capturer: Capturer;
  readonly calibrations: CalibrationStore;
  readonly audit: AuditTrail;
  readonly eventLog: EventLog;
  readonly writes: MainWrites;
  readonly onChange: (trial: ShadowTrial) => void;
}

interface Running {
  readonly id: number;
  readonly line: ShadowLine;
  readonly candidate: LoadedModel;
  readonly live: LoadedModel;
  readonly items: number;
  readonly timer: NodeJS.Timeout;
  readonly tick: NodeJS.Timeout;
  /** The figures as last computed (once a second: their intervals are not free). */
  figures: ShadowFigures;
  ending: boolean;
}

/** Figures are written and shown this often while a trial runs (and at its end). */
const FIGURES_EVERY_MS = 1000;
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export class ShadowService {
  private running: Running | null = null;
  private starting: Promise<unknown> | null = null;
  private ending: Promise<void> | null = null;
  private deciding = false;
  private closed = false;

  constructor(private readonly deps: ShadowServiceDeps) {
    try {
      const ended = deps.store.endAbandoned(new Date());
      if (ended > 0) deps.settings.logger.warn(`${ended} shadow trial(s) left running at the last stop were ended`);
    } catch (err) {
      // A log that cannot be written now must not keep the station from deciding; the trials stay marked running.
      deps.settings.logger.warn(`shadow trials left running at the last stop could not be ended: ${messageOf(err)}`);
    }
  }

  /** The trial running now, else the newest. */
  current(): ShadowTrial | null {
    const id = this.running?.id ?? this.deps.store.latestId();
    return id === null ? null : this.trial(id);
  }

  trial(id: number): ShadowTrial | null {
    const t = this.deps.store.get(id, this.deps.captures.countForTrial(id));
    if (!t || this.running?.id !== id) return t;
    return { ...t, figures: this.running.figures };
  }

  start(req: ShadowStart, actor: string): Promise<ShadowTrial> {
    if (this.closed) return Promise.reject(new ShadowError('the station is stopping'));
    if (this.running || this.starting || this.ending) return Promise.reject(new ShadowError('a shadow trial is already running: stop it first'));
    if (req.modelId === this.deps.models.registryId)
      return Promise.reject(new ShadowError('that model is the one deciding on the line now: choose another to try beside it'));
    const work = this.begin(req, actor);
    this.starting = work;
    return work.finally(() => {
      this.starting = null;
    });
  }

  private async begin(req: ShadowStart, actor: string): Promise<ShadowTrial> {
    const { models, store, audit, settings, eventLog } = this.deps;
    let loaded: LoadedModel;
    let record: ModelRecord;
    try {
      ({ loaded, record } = await models.loadCandidate(req.modelId));
    } catch (err) {
      // A candidate kept off by the parity gate (or any load failure) is a fact of that version: in the audit trail.
      const words = messageOf(err);
      try {
        this.deps.writes.run('the shadow trial refusal', () =>
          audit.record({ at: new Date(), actor, subject: 'shadow', old: null, new: { action: 'refused', modelId: req.modelId }, reason: words.slice(0, 500) }),
        );
      } catch {
        // The refusal itself is what the technician reads; a log that cannot take it changes nothing.
      }
      throw err;
    }
    // Checked again once loaded: the station may be stopping, or the candidate gone live meanwhile.
    const refusal = this.closed
      ? 'the station is stopping'
      : req.modelId === models.registryId
        ? 'that model went live while it was loading: choose another to try beside it'
        : null;
    if (refusal) {
      await loaded.client.close();
      throw new ShadowError(refusal);
    }
    const live = models.current;
    const thresholds = this.thresholdsOf(loaded);
    const now = new Date();
    const until = new Date(now.getTime() + req.minutes * 60_000);
    const started = {
      candidate: { id: record.id, name: record.name, version: record.version },
      live: { name: live.pkg.manifest.name, version: live.pkg.manifest.version },
      thresholds,
      startedAt: now.toISOString(),
      stopAt: { items: req.items, until: until.toISOString() },
      share: req.share,
      startedBy: actor,
    };
    const line = new ShadowLine({
      candidate: loaded,
      thresholds,
      share: req.share,
      staleMs: settings.config.decision.staleMs,
      ...(settings.clock ? { clock: settings.clock } : {}),
      onPair: (pair) => this.paired(pair),
    });
    let id: number;
    try {
      id = store.add({ ...started, figures: line.figures() }, (trial) =>
        audit.record({ at: now, actor, subject: 'shadow', old: null, new: { action: 'start', trial, ...started }, reason: null }),
      );
    } catch (err) {
      await loaded.client.close();
      throw err;
    }
    this.running = {
      ...{ id, line, candidate: loaded, live, items: req.items, ending: false, figures: line.figures() },
      timer: setTimeout(() => void this.end(`its ${req.minutes} minutes are up`), until.getTime() - now.getTime()),
      tick: setInterval(() => this.showFigures(), FIGURES_EVERY_MS),
    };
    eventLog.append({
      at: now,
      kind: 'model',
      severity: 'info',
      message: `${actor} started a shadow trial of ${record.name} ${record.version} beside ${started.live.name} ${started.live.version}`,
    });
    return this.trial(id)!;
  }

  /** A frame the live line is about to be given; `liveInHand`: the live line's items undecided now. */
  offer(item: LineItem, liveInHand: number): void {
    this.running?.line.offer(item, liveInHand);
  }

  /** The live line's verdict. */
  live(d: DecidedItem): void {
    const r = this.running;
    if (!r || r.ending) return;
    // Compared with another model (or the same on other settings) from here on: the trial's figures would mix two.
    if (d.modelUsed !== r.live) {
      const now = d.modelUsed.pkg.manifest;
      const same = now.name === r.live.pkg.manifest.name && now.version === r.live.pkg.manifest.version;
      return void this.end(same ? "the live model's inference settings changed" : `the live model changed to ${now.name} ${now.version}`);
    }
    r.line.live(d);
  }

  async stop(actor: string): Promise<ShadowTrial> {
    const r = this.running;
    if (!r) throw new ShadowError('no shadow trial is running');
    await this.end(`stopped by ${actor}`);
    return this.trial(r.id)!;
  }

  /** The station is stopping: a trial being started is waited for, and the running one ends (its candidate closed) before the log closes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.starting?.catch(() => undefined);
    await this.end('the station stopped', 'failed');
    await this.ending;
  }

  /** Switches the line to the candidate of a finished trial, with the thresholds it was tried with, at the same switch. */
  async promote(trialId: number, actor: string, reason: string): Promise<ModelRecord> {
    const t = this.decidable(trialId, ['finished']);
    if (t.figures.compared === 0) throw new ShadowError(`shadow trial ${t.id} compared no items: there is nothing to promote it on`);
    const { models, thresholds, store, audit } = this.deps;
    const f = t.figures;
    const why =
      `promoted after shadow trial ${t.id}: ${f.compared} items compared, agreement ${pct(f.agreement.rate)}, κ ${f.kappa?.toFixed(3) ?? '–'}, ` +
      `it would pass ${f.liveRejectsCandidatePasses.count} the live model rejected — ${reason}`;
    this.deciding = true;
    try {
      const old: Thresholds = thresholds.current;
      const same = old.pit === t.thresholds.pit && old.maybe === t.thresholds.maybe;
      const record = await models.activate(
        t.candidate.id,
        actor,
        why.slice(0, 500),
        same ? undefined : { old, apply: () => void thresholds.set(t.thresholds, actor, `the thresholds shadow trial ${t.id} was run with`) },
      );
      const decided = store.decide(t.id, ['finished'], 'promoted', actor, reason, () =>
        audit.record({
          at: new Date(),
          actor,
          subject: 'shadow',
          old: t.live,
          new: { action: 'promote', trial: t.id, model: t.candidate, figures: f },
          reason,
        }),
      );
      if (!decided) this.deps.settings.logger.warn(`shadow trial ${t.id} was decided meanwhile; its candidate is active all the same`);
      this.show(t.id);
      return record;
    } finally {
      this.deciding = false;
    }
  }

  discard(trialId: number, actor: string, reason: string): ShadowTrial {
    const t = this.decidable(trialId, ['finished', 'failed']);
    const { store, audit } = this.deps;
    const decided = store.decide(t.id, ['finished', 'failed'], 'discarded', actor, reason, () =>
      audit.record({
        at: new Date(),
        actor,
        subject: 'shadow',
        old: null,
        new: { action: 'discard', trial: t.id, model: t.candidate, figures: t.figures },
        reason,
      }),
    );
    if (!decided) throw new ShadowError(`shadow trial ${t.id} was decided meanwhile`);
    this.show(t.id);
    return this.trial(t.id)!;
  }

  private decidable(trialId: number, from: readonly ShadowTrial['state'][]): ShadowTrial {
    if (this.deciding) throw new ShadowError('a promotion is being loaded: wait for it');
    const t = this.trial(trialId);
    if (!t) throw new ShadowError(`there is no shadow trial ${trialId}`);
    if (t.state === 'running') throw new ShadowError(`shadow trial ${trialId} is still running: stop it or let it finish first`);
    if (t.state === 'promoted' || t.state === 'discarded') throw new ShadowError(`shadow trial ${trialId} was already ${t.state} by ${t.decidedBy}`);
    if (!from.includes(t.state)) throw new ShadowError(`shadow trial ${trialId} ended early (${t.endedBecause}): it can be discarded, not promoted`);
    return t;
  }

  /** The candidate's thresholds: its newest calibration on this station, else its manifest's. */
  private thresholdsOf(model: LoadedModel): Thresholds {
    const { manifest } = model.pkg;
    const calibrated = this.deps.calibrations.latest(manifest)?.thresholds;
    return calibrated ? { pit: calibrated.reject, maybe: calibrated.divert } : manifest.thresholds;
  }

  private paired(pair: ShadowPair): void {
    const r = this.running;
    if (!r) return;
    const kind = disagreementOf(pair.live.decision, pair.candidate.decision);
    if (kind !== null && pair.candidate.rejectScore !== null) {
      const live = r.live.pkg.manifest;
      this.deps.capturer.disagreement(
        {
          ...{ frameId: pair.frameId, capturedAt: pair.capturedAt, model: { name: live.name, version: live.version } },
          ...{ decision: pair.live.decision, failSafe: false, rejectScore: pair.live.rejectScore, scores: null, picture: pair.picture },
        },
        { id: r.id, disagreement: kind, candidate: { decision: pair.candidate.decision, score: pair.candidate.rejectScore } },
      );
    }
    if (r.line.compared >= r.items) void this.end(`${r.items} items compared`);
  }

  private showFigures(): void {
    const r = this.running;
    if (!r || r.ending) return;
    r.figures = r.line.figures();
    try {
      this.deps.store.saveFigures(r.id, r.figures);
    } catch (err) {
      this.deps.settings.logger.warn(`shadow trial ${r.id}: figures not stored: ${messageOf(err)}`);
    }
    this.show(r.id);
  }

  /** Tells the pages the trial's state; never throws (called from timers). */
  private show(id: number): void {
    try {
      const t = this.trial(id);
      if (t) this.deps.onChange(t);
    } catch (err) {
      this.deps.settings.logger.warn(`shadow trial ${id} could not be shown: ${messageOf(err)}`);
    }
  }

  /** Ends the running trial; never throws (it is called from timers and the line's sink). */
  private end(because: string, state: 'finished' | 'failed' = 'finished'): Promise<void> {
    const r = this.running;
    if (!r || r.ending) return this.ending ?? Promise.resolve();
    r.ending = true;
    const work = this.finish(r, because, state).finally(() => {
      this.ending = null;
    });
    this.ending = work;
    return work;
  }

  private async finish(r: Running, because: string, state: 'finished' | 'failed'): Promise<void> {
    clearTimeout(r.timer);
    clearInterval(r.tick);
    try {
      // The worker first: closing it answers whatever the candidate still holds (a hung candidate cannot hold the end).
      await r.candidate.client.close();
      await r.line.stop();
    } catch (err) {
      this.deps.settings.logger.warn(`shadow trial ${r.id}: its candidate did not close cleanly: ${messageOf(err)}`);
    }
    const figures = r.line.figures();
    r.figures = figures;
    this.running = null;
    try {
      this.deps.store.end(r.id, state, new Date(), because, figures);
    } catch (err) {
      this.deps.settings.logger.warn(`shadow trial ${r.id}: its end was not stored: ${messageOf(err)}`);
    }
    this.deps.eventLog.append({
      at: new Date(),
      kind: 'model',
      severity: 'info',
      message: `shadow trial ${r.id} ended (${because}): ${figures.compared} items compared, agreement ${pct(figures.agreement.rate)}`,
    });
    this.show(r.id);
  }
}
