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
import type { ShadowStart, ShadowTrial } from '../../shared/shadow';
import type { Capturer } from '../capture/capturer';
import type { DecidedItem, LineItem } from '../line/inspection-line';
import type { LoadedModel } from '../models/loaded-model';
import { disagreementOf } from '../shadow/shadow-figures';
import { ShadowLine, type ShadowPair } from '../shadow/shadow-line';
import type { AuditTrail } from '../storage/audit-trail';
import type { CalibrationStore } from '../storage/calibration-store';
import type { CaptureStore } from '../storage/capture-store';
import type { EventLog } from '../storage/event-log';
import type { ShadowStore } from '../storage/shadow-store';
import type { EngineSettings } from './engine-settings';
import type { ModelService } from './model-service';
import type { ThresholdSettings } from './threshold-settings';

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
  ending: boolean;
}

/** Figures are written and shown this often while a trial runs (and at its end). */
const FIGURES_EVERY_MS = 1000;
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export class ShadowService {
  private running: Running | null = null;
  private starting = false;

  constructor(private readonly deps: ShadowServiceDeps) {
    const ended = deps.store.endAbandoned(new Date());
    if (ended > 0) deps.settings.logger.warn(`${ended} shadow trial(s) left running at the last stop were ended`);
  }

  /** The trial running now, else the newest. */
  current(): ShadowTrial | null {
    const id = this.running?.id ?? this.deps.store.latestId();
    return id === null ? null : this.trial(id);
  }

  trial(id: number): ShadowTrial | null {
    const t = this.deps.store.get(id, this.deps.captures.countForTrial(id));
    if (!t || this.running?.id !== id) return t;
    return { ...t, figures: this.running.line.figures() };
  }

  async start(req: ShadowStart, actor: string): Promise<ShadowTrial> {
    const { models, store, audit, settings, eventLog } = this.deps;
    if (this.running || this.starting) throw new ShadowError('a shadow trial is already running: stop it first');
    if (req.modelId === models.registryId) throw new ShadowError('that model is the one deciding on the line now: choose another to try beside it');
    this.starting = true;
    try {
      const { loaded, record } = await models.loadCandidate(req.modelId);
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
        id = store.add({ ...started, figures: line.figures() });
        audit.record({ at: now, actor, subject: 'shadow', old: null, new: { action: 'start', trial: id, ...started }, reason: null });
      } catch (err) {
        await loaded.client.close();
        throw err;
      }
      this.running = {
        ...{ id, line, candidate: loaded, live, items: req.items, ending: false },
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
    } finally {
      this.starting = false;
    }
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

  stop(actor: string): Promise<ShadowTrial> {
    const r = this.running;
    if (!r) throw new ShadowError('no shadow trial is running');
    return this.end(`stopped by ${actor}`).then(() => this.trial(r.id)!);
  }

  /** The station is stopping: the trial ends (its candidate is closed) before the log closes. */
  async close(): Promise<void> {
    if (this.running) await this.end('the station stopped', 'failed');
  }

  /** Switches the line to the candidate of a finished trial, with the thresholds it was tried with. */
  async promote(trialId: number, actor: string, reason: string): Promise<ModelRecord> {
    const t = this.decidable(trialId);
    const { models, thresholds, store, audit } = this.deps;
    const f = t.figures;
    const why =
      `promoted after shadow trial ${t.id}: ${f.compared} items compared, agreement ${pct(f.agreement.rate)}, κ ${f.kappa?.toFixed(3) ?? '–'}, ` +
      `it would pass ${f.liveRejectsCandidatePasses.count} the live model rejected — ${reason}`;
    const record = await models.activate(t.candidate.id, actor, why.slice(0, 500));
    const now: Thresholds = thresholds.current;
    if (now.pit !== t.thresholds.pit || now.maybe !== t.thresholds.maybe)
      thresholds.set(t.thresholds, actor, `the thresholds shadow trial ${t.id} was run with`);
    store.decide(t.id, 'promoted', actor, reason, () =>
      audit.record({ at: new Date(), actor, subject: 'shadow', old: t.live, new: { action: 'promote', trial: t.id, model: t.candidate, figures: f }, reason }),
    );
    this.deps.onChange(this.trial(t.id)!);
    return record;
  }

  discard(trialId: number, actor: string, reason: string): ShadowTrial {
    const t = this.decidable(trialId);
    const { store, audit } = this.deps;
    store.decide(t.id, 'discarded', actor, reason, () =>
      audit.record({
        at: new Date(),
        actor,
        subject: 'shadow',
        old: null,
        new: { action: 'discard', trial: t.id, model: t.candidate, figures: t.figures },
        reason,
      }),
    );
    const trial = this.trial(t.id)!;
    this.deps.onChange(trial);
    return trial;
  }

  private decidable(trialId: number): ShadowTrial {
    const t = this.trial(trialId);
    if (!t) throw new ShadowError(`there is no shadow trial ${trialId}`);
    if (t.state === 'running') throw new ShadowError(`shadow trial ${trialId} is still running: stop it or let it finish first`);
    if (t.state === 'promoted' || t.state === 'discarded') throw new ShadowError(`shadow trial ${trialId} was already ${t.state} by ${t.decidedBy}`);
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
    if (r.line.figures().compared >= r.items) void this.end(`${r.items} items compared`);
  }

  private showFigures(): void {
    const r = this.running;
    if (!r) return;
    try {
      this.deps.store.saveFigures(r.id, r.line.figures());
    } catch (err) {
      this.deps.settings.logger.warn(`shadow trial ${r.id}: figures not stored: ${err instanceof Error ? err.message : String(err)}`);
    }
    const t = this.trial(r.id);
    if (t) this.deps.onChange(t);
  }

  /** Ends the running trial; never throws (it is called from timers and the line's sink). */
  private async end(because: string, state: 'finished' | 'failed' = 'finished'): Promise<void> {
    const r = this.running;
    if (!r || r.ending) return;
    r.ending = true;
    clearTimeout(r.timer);
    clearInterval(r.tick);
    try {
      await r.line.stop();
      await r.candidate.client.close();
    } catch (err) {
      this.deps.settings.logger.warn(`shadow trial ${r.id}: its candidate did not close cleanly: ${err instanceof Error ? err.message : String(err)}`);
    }
    const figures = r.line.figures();
    this.running = null;
    try {
      this.deps.store.end(r.id, state, new Date(), because, figures);
    } catch (err) {
      this.deps.settings.logger.warn(`shadow trial ${r.id}: its end was not stored: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.deps.eventLog.append({
      at: new Date(),
      kind: 'model',
      severity: 'info',
      message: `shadow trial ${r.id} ended (${because}): ${figures.compared} items compared, agreement ${pct(figures.agreement.rate)}`,
    });
    try {
      const t = this.trial(r.id);
      if (t) this.deps.onChange(t);
    } catch (err) {
      this.deps.settings.logger.warn(`shadow trial ${r.id}: its end could not be shown: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
