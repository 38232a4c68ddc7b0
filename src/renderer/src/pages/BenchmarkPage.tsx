/**
 * The engineer's benchmark panel: choose a plan, start it (asked first when
 * the line is running: a benchmark steals its CPU), watch it go with the
 * time left, cancel; then the results beside the bare-runtime floor, the
 * latency distribution, frames per second per setting, where the time goes,
 * the recommendation with one click to apply it (technician), two runs side
 * by side, and the run as JSON or CSV.
 *
 * Issue 12: a percentile its frames cannot support is marked wherever it is
 * shown (shared/bench.ts percentileNote), each frames/s figure says the
 * scenario it was measured in, "× bare runtime" says the camera's decode is
 * in it, and latencies are drawn on a log axis.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  capacitySource,
  compareRuns,
  framesNeeded,
  grouped,
  highestSupportedPercentile,
  percentileNote,
  RATIO_WORDS,
  samplesNote,
  settingLabel,
  type BenchOptions,
  type BenchPlan,
  type BenchProgress,
  type BenchResult,
  type BenchRun,
  type BenchRunSummary,
} from '../../../shared/bench';
import { useStation } from '../api/station-context';
import { BarChart } from '../components/bench/BarChart';
import { planProblems, PlanForm } from '../components/bench/PlanForm';
import { StageBars } from '../components/bench/StageBars';
import { Modal } from '../components/Modal';
import { ReasonDialog } from '../components/ReasonDialog';
import { TimeChart, type ChartSeries } from '../components/TimeChart';
import { download } from '../download';
import { formatMs, formatTime } from '../format';

const COLORS = ['#5aa9e6', '#e0a100', '#1f9d55', '#c77dff', '#ff7f50', '#8fd3ff', '#e8606f', '#b5e48c'];

function formatEta(s: number | null): string {
  if (s === null) return 'estimating…';
  if (s < 60) return `about ${s} s left`;
  return `about ${Math.floor(s / 60)} min ${s % 60} s left`;
}

function ProgressPanel({ progress, onCancel }: { progress: BenchProgress; onCancel: () => void }) {
  const pct = progress.total === 0 ? 0 : Math.round((progress.done / progress.total) * 100);
  const running = progress.state === 'running';
  return (
    <section className="panel" data-testid="bench-progress" data-state={progress.state}>
      <h3>
        Run {progress.runId}: {running ? 'running' : progress.state}
      </h3>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done}>
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <p>
        <span data-testid="bench-progress-done">{progress.done}</span> of {progress.total} cases · {progress.elapsedS} s so far
        {running && <span data-testid="bench-eta"> · {formatEta(progress.etaS)}</span>}
      </p>
      <p className="muted" data-testid="bench-current">
        {progress.current}
      </p>
      {running && (
        <button type="button" className="button" onClick={onCancel} data-testid="bench-cancel">
          Cancel the run
        </button>
      )}
    </section>
  );
}

/** A latency percentile: marked "*" with the reason when its frames cannot support it. */
function Percentile({ p, ms, frames }: { p: number; ms: number; frames: number }) {
  const note = percentileNote(p, frames);
  if (!note) return <td className="num">{formatMs(ms)}</td>;
  return (
    <td className="num bench-thin" title={note} data-testid={`bench-thin-p${p}`}>
      {formatMs(ms)}*
    </td>
  );
}

function ResultsTable({ run }: { run: BenchRun }) {
  const recommended = run.recommendation?.found ? run.recommendation.resultId : null;
  const thin = run.items.some((r) => r.figures && samplesNote(r.figures.frames) !== null);
  return (
    <>
      <table className="table" data-testid="bench-results">
        <thead>
          <tr>
            <th>setting</th>
            <th>status</th>
            <th className="num">frames</th>
            <th className="num">p50 ms</th>
            <th className="num">p90</th>
            <th className="num">p95</th>
            <th className="num">p99</th>
            <th className="num" title="single stream: one frame at a time; offline: flat out, batched; line rate: the rate the frames came at">
              frames/s
            </th>
            <th className="num">bare runtime ms/frame</th>
            <th className="num" title={`${RATIO_WORDS.decodeIncluded}: the line decodes and resizes the camera's JPEG, the bare runtime is handed a tensor`}>
              × bare runtime
              <div className="muted small">decode included</div>
            </th>
            <th className="num">spread</th>
            <th className="num">missed</th>
          </tr>
        </thead>
        <tbody>
          {run.items.map((r) => {
            const f = r.figures;
            return (
              <tr key={r.id} className={r.id === recommended ? 'row-active' : ''} data-testid="bench-result" data-status={r.status}>
                <td>
                  {settingLabel(r)} {r.id === recommended && <span className="badge">recommended</span>}
                  {r.error && <div className="muted small">{r.error}</div>}
                  {f && samplesNote(f.frames) && (
                    <div className="muted small" data-testid="bench-sample-note">
                      {samplesNote(f.frames)}
                    </div>
                  )}
                </td>
                <td>{r.status}</td>
                <td className="num">{f?.frames ?? '–'}</td>
                {f ? (
                  ([50, 90, 95, 99] as const).map((p) => <Percentile key={p} p={p} ms={f.latencyMs[`p${p}`]} frames={f.frames} />)
                ) : (
                  <>
                    <td className="num">–</td>
                    <td className="num">–</td>
                    <td className="num">–</td>
                    <td className="num">–</td>
                  </>
                )}
                <td className="num">{f ? f.fps.toFixed(1) : '–'}</td>
                <td className="num">{f ? formatMs(f.raw.perFrameMs) : '–'}</td>
                <td
                  className="num"
                  title={f ? `${RATIO_WORDS.decodeIncluded}; the inference stage alone: ${f.inferenceRatioVsRaw.toFixed(2)} × bare runtime` : undefined}
                >
                  {f ? f.ratioVsRaw.toFixed(2) : '–'}
                </td>
                <td className="num">{f ? `${Math.round(f.spread * 100)}%` : '–'}</td>
                <td className="num">{f?.lineRate ? `${f.lineRate.missed} (${f.lineRate.missedPct}%)` : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small bench-table-notes" data-testid="bench-table-notes">
        {thin && (
          <>
            * Too few frames for that percentile: a percentile needs 10 frames beyond it — p99 ≥ {grouped(framesNeeded(99))} frames, p95 ≥ {framesNeeded(95)},
            p90 ≥ {framesNeeded(90)}, p50 ≥ {framesNeeded(50)} (MLPerf asks ≥ 1,024 of a single-stream run); the thorough budget and a longer line-rate run give
            more.{' '}
          </>
        )}
        {RATIO_WORDS.decodeIncluded}: the line’s time per frame, decoding and resizing the camera’s JPEG included, ÷ the bare onnxruntime-node run, which is
        handed a ready tensor — several times 1 for a small model. <code>npm run bench</code>’s engine.* rows give the line frames decoded beforehand and read
        near 1 ({RATIO_WORDS.decodedBeforehand}).
      </p>
    </>
  );
}

function RunCharts({ run }: { run: BenchRun }) {
  const { done, shown, series, data, label } = useMemo(() => {
    const measured = run.items.filter((r): r is BenchResult & { figures: NonNullable<BenchResult['figures']> } => r.figures !== null);
    const shown = measured.slice(0, COLORS.length);
    // One model in the run: the charts name the settings alone (the table names the model).
    const oneModel = new Set(measured.map((r) => r.modelLabel)).size === 1;
    const name = (r: BenchResult): string => (oneModel ? settingLabel(r).slice(r.modelLabel.length + 3) : settingLabel(r));
    return {
      done: measured,
      shown,
      label: name,
      series: shown.map((r, i): ChartSeries => ({ label: name(r), color: COLORS[i]!, unit: 'ms' })),
      // A log axis draws nothing at 0 or below: such a point is a gap, not a line to minus infinity.
      data: [Array.from({ length: 101 }, (_, i) => i), ...shown.map((r) => r.figures.percentilesMs.map((v) => (v > 0 ? v : null)))],
    };
  }, [run]);
  if (done.length === 0) return null;
  // Capacity is what single stream and offline measure; at line rate frames/s is only the rate they came at.
  const capacity = done.filter((r) => r.scenario !== 'line_rate');
  const recommendedId = run.recommendation?.found ? run.recommendation.resultId : null;
  const recommended = run.items.find((r) => r.id === recommendedId);
  const recommendedCapacity = recommended ? capacitySource(recommended, run.items) : null;
  const needFps = Math.round(run.lineRateFps * (1 + run.plan.headroom) * 10) / 10;
  const thinCurves = shown.filter((r) => samplesNote(r.figures.frames) !== null);
  return (
    <>
      <TimeChart
        title="Latency distribution: ms at each percentile (log scale)"
        series={series}
        data={data}
        xUnit="percentile"
        yLog
        height={260}
        testId="bench-latency-chart"
      />
      {thinCurves.length > 0 && (
        <ul className="muted small bench-chart-notes" data-testid="bench-latency-note">
          {thinCurves.map((r) => {
            const top = highestSupportedPercentile(r.figures.frames);
            return (
              <li key={r.id}>
                {label(r)}: {samplesNote(r.figures.frames)}; its curve means something {top === null ? 'nowhere' : `up to p${top}`}.
              </li>
            );
          })}
        </ul>
      )}
      {capacity.length > 0 && (
        <>
          <h3>Capacity: frames per second flat out (single stream: one frame at a time; offline: batched)</h3>
          <BarChart
            bars={capacity.map((r) => ({
              label: settingLabel(r),
              value: r.figures.fps,
              highlight: r.id === recommendedCapacity?.id,
            }))}
            unit="frames/s"
            marker={{ value: needFps, label: `needed: line ${run.lineRateFps}/s + ${Math.round(run.plan.headroom * 100)}%` }}
            testId="bench-fps-chart"
          />
        </>
      )}
      <h3>Where the time goes (mean per frame)</h3>
      <StageBars rows={done.map((r) => ({ label: label(r), stages: r.figures.stagesMs }))} testId="bench-stage-chart" />
    </>
  );
}

function CompareRuns({ runs }: { runs: readonly BenchRunSummary[] }) {
  const { api } = useStation();
  const finished = runs.filter((r) => r.results > 0);
  // Until the person picks, the newest run with results against the one before it.
  const [picked, setIds] = useState<[number | null, number | null]>([null, null]);
  const ids: [number | null, number | null] = [picked[0] ?? finished[1]?.id ?? null, picked[1] ?? finished[0]?.id ?? null];
  const [pair, setPair] = useState<[BenchRun, BenchRun] | null>(null);
  const [a, b] = ids;
  useEffect(() => {
    if (a === null || b === null) return;
    let alive = true;
    void Promise.all([api.getBenchmark({ runId: a }), api.getBenchmark({ runId: b })]).then(
      ([x, y]) => alive && setPair([x, y]),
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [api, a, b]);
  if (finished.length < 2) return <p className="muted">Two runs with results are needed to compare.</p>;
  const rows = pair ? compareRuns(pair[0].items, pair[1].items) : [];
  const pick = (i: 0 | 1) => (
    <select
      value={ids[i] ?? ''}
      onChange={(e) => setIds(i === 0 ? [Number(e.target.value), ids[1]] : [ids[0], Number(e.target.value)])}
      data-testid={`compare-${i === 0 ? 'a' : 'b'}`}
    >
      {finished.map((r) => (
        <option key={r.id} value={r.id}>
          run {r.id} · {formatTime(r.startedAt)} · {r.state}
        </option>
      ))}
    </select>
  );
  return (
    <>
      <div className="field-row">
        <label className="field">
          <span>A</span>
          {pick(0)}
        </label>
        <label className="field">
          <span>B</span>
          {pick(1)}
        </label>
      </div>
      <table className="table" data-testid="compare-table">
        <thead>
          <tr>
            <th>setting</th>
            <th className="num">p99 A</th>
            <th className="num">p99 B</th>
            <th className="num">B ÷ A</th>
            <th className="num">frames/s A</th>
            <th className="num">frames/s B</th>
            <th className="num">B ÷ A</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.setting}>
              <td>{r.setting}</td>
              {r.a?.figures ? <Percentile p={99} ms={r.a.figures.latencyMs.p99} frames={r.a.figures.frames} /> : <td className="num">–</td>}
              {r.b?.figures ? <Percentile p={99} ms={r.b.figures.latencyMs.p99} frames={r.b.figures.frames} /> : <td className="num">–</td>}
              <td className="num">{r.p99Ratio?.toFixed(2) ?? '–'}</td>
              <td className="num">{r.a?.figures ? r.a.figures.fps.toFixed(1) : '–'}</td>
              <td className="num">{r.b?.figures ? r.b.figures.fps.toFixed(1) : '–'}</td>
              <td className="num">{r.fpsRatio?.toFixed(2) ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function BenchmarkPage() {
  const { api, status, asTechnician } = useStation();
  const [options, setOptions] = useState<BenchOptions | null>(null);
  const [plan, setPlan] = useState<BenchPlan | null>(null);
  const [progress, setProgress] = useState<BenchProgress | null>(status.benchmark);
  const [runs, setRuns] = useState<BenchRunSummary[]>([]);
  const [run, setRun] = useState<BenchRun | null>(null);
  const [asking, setAsking] = useState(false);
  const [applying, setApplying] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const loadRuns = useCallback(
    (show?: number) => {
      api.listBenchmarks({ limit: 50 }).then(
        (list) => {
          setRuns(list);
          const id = show ?? list[0]?.id;
          if (id !== undefined) api.getBenchmark({ runId: id }).then(setRun, () => {});
        },
        () => {},
      );
    },
    [api],
  );

  useEffect(() => {
    api.getBenchmarkOptions({}).then(
      (o) => {
        setOptions(o);
        setPlan((p) => p ?? o.defaultPlan);
      },
      (e: Error) => setError(e.message),
    );
    loadRuns();
  }, [api, loadRuns]);

  useEffect(
    () =>
      api.on('benchProgress', (p) => {
        setProgress(p);
        if (p.state !== 'running') loadRuns(p.runId);
      }),
    [api, loadRuns],
  );

  const begin = async (whileLineRuns: 'refuse' | 'pause' | 'beside'): Promise<void> => {
    if (!plan) return;
    setAsking(false);
    setError(null);
    setMessage(null);
    try {
      const { runId } = await api.startBenchmark({ plan, whileLineRuns });
      setMessage(`Run ${runId} started.`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const start = async (): Promise<void> => {
    if (!(await asTechnician())) return;
    // The station's word on whether the line runs now (the last status may be a second old).
    const now = await api.getBenchmarkOptions({}).catch(() => null);
    if (now?.lineRunning ?? (status.source.state === 'running' && !status.line.paused)) setAsking(true);
    else await begin('refuse');
  };
  const cancel = async (): Promise<void> => {
    if (!progress || !(await asTechnician())) return;
    try {
      await api.cancelBenchmark({ runId: progress.runId });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const exportRun = async (format: 'json' | 'csv'): Promise<void> => {
    if (!run) return;
    const file = await api.exportBenchmark({ runId: run.id, format });
    download(file.bytes, file.filename, format === 'json' ? 'application/json' : 'text/csv');
  };
  const apply = async (): Promise<void> => {
    if (run?.recommendation?.found && (await asTechnician())) setApplying(run.recommendation.resultId);
  };

  if (!options || !plan)
    return <main className="page">{error ? <div className="form-error">{error}</div> : <div className="muted">loading the benchmark panel…</div>}</main>;
  const running = progress?.state === 'running';
  const problems = planProblems(plan);
  const recommended = run?.recommendation?.found ? run.items.find((r) => r.id === (run.recommendation as { resultId: number }).resultId) : undefined;
  return (
    <main className="page" data-testid="page-benchmark">
      <section className="panel">
        <h2>Benchmark plan</h2>
        <p className="muted">
          Measured on this PC through the line’s own path (decode, preprocess, inference in the model’s worker, decision, log), each case beside the bare
          onnxruntime-node floor for the same model, provider, threads and batch.
        </p>
        <PlanForm options={options} plan={plan} onChange={setPlan} />
        <div className="modal-actions">
          <button type="button" className="button" onClick={() => setPlan(options.defaultPlan)}>
            Back to the default plan
          </button>
          <button
            type="button"
            className="button button-primary"
            onClick={() => void start()}
            disabled={running || problems.length > 0}
            data-testid="bench-start"
          >
            Start…
          </button>
        </div>
        {running && (
          <p className="disabled-reason" data-testid="bench-start-why">
            A run is in progress: wait for it to finish, or cancel it.
          </p>
        )}
        {message && (
          <div className="notice" data-testid="bench-message">
            {message}
          </div>
        )}
        {error && (
          <div className="form-error" role="alert" data-testid="bench-error">
            {error}
          </div>
        )}
      </section>

      {progress && <ProgressPanel progress={progress} onCancel={() => void cancel()} />}

      {run && (
        <section className="panel" data-testid="bench-run" data-run={run.id}>
          <h2>
            Run {run.id} · {run.state}
          </h2>
          <p className="muted">
            {formatTime(run.startedAt)} by {run.actor} · {String(run.machine['cpu'] ?? '')}, {String(run.machine['cores'] ?? '')} cores · line {run.lineRateFps}{' '}
            frames/s, deadline {run.deadlineMs} ms
            {run.lineRunning && ' · the line ran beside it: its figures shared the CPU'}
          </p>
          {run.recommendation && (
            <div className={run.recommendation.found ? 'notice' : 'form-error'} data-testid="bench-recommendation">
              <strong>{run.recommendation.found ? 'Recommended: ' : 'No recommendation: '}</strong>
              {run.recommendation.why}
              {recommended && (
                <div className="modal-actions">
                  <button type="button" className="button button-primary" onClick={() => void apply()} data-testid="bench-apply">
                    Apply to the line…
                  </button>
                </div>
              )}
            </div>
          )}
          <div className="choice-row">
            <button type="button" className="button" onClick={() => void exportRun('json')} data-testid="bench-export-json">
              Export JSON
            </button>
            <button type="button" className="button" onClick={() => void exportRun('csv')} data-testid="bench-export-csv">
              Export CSV
            </button>
          </div>
          <ResultsTable run={run} />
          <RunCharts run={run} />
        </section>
      )}

      <section className="panel">
        <h3>Runs</h3>
        <table className="table" data-testid="bench-runs">
          <tbody>
            {runs.map((r) => (
              <tr
                key={r.id}
                className={`clickable ${r.id === run?.id ? 'row-active' : ''}`}
                onClick={() => void api.getBenchmark({ runId: r.id }).then(setRun, () => {})}
                data-testid="bench-run-row"
              >
                <td>run {r.id}</td>
                <td>{formatTime(r.startedAt)}</td>
                <td>{r.state}</td>
                <td>
                  {r.results} of {r.cases} cases
                </td>
                <td>{r.actor}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>Compare two runs</h3>
        <CompareRuns runs={runs} />
      </section>

      {asking && (
        <Modal title="The line is running" onClose={() => setAsking(false)} testId="bench-line-running">
          <p>
            A benchmark uses the CPU the line needs. Pause the line for it (every item is rejected until it ends), or run it beside the line (its figures share
            the CPU with the line).
          </p>
          <div className="modal-actions">
            <button type="button" className="button" onClick={() => setAsking(false)}>
              Cancel
            </button>
            <button type="button" className="button" onClick={() => void begin('beside')} data-testid="bench-beside">
              Run beside the line
            </button>
            <button type="button" className="button button-primary" onClick={() => void begin('pause')} data-testid="bench-pause">
              Pause the line and run
            </button>
          </div>
        </Modal>
      )}
      {applying !== null && recommended && run && (
        <ReasonDialog
          title="Apply the recommended settings"
          summary={`The running model is loaded again with ${recommended.provider.toUpperCase()}, ${recommended.threads} thread${recommended.threads === 1 ? '' : 's'}, ${recommended.mode} mode${recommended.mode === 'throughput' ? `, batch ${recommended.batch}` : ''}, and the line switches between two items.`}
          suggestions={['Benchmark recommendation', 'Line rate raised', 'Frees CPU for the station']}
          confirmLabel="Apply"
          onCancel={() => setApplying(null)}
          onConfirm={async (reason) => {
            const applied = await api.applyBenchmarkSettings({ runId: run.id, resultId: applying, reason });
            setApplying(null);
            setMessage(`Applied: ${applied.providers.join(', ')}, ${applied.intraOpThreads} thread(s), ${applied.mode} mode, batch ${applied.maxBatch}.`);
          }}
        />
      )}
    </main>
  );
}
