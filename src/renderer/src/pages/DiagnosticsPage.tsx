/**
 * For the technician: where time goes (per-stage latency, live), what the
 * station runs on (provider, threads, CPU, memory, event-loop delay), the
 * camera and the sensors with their reconnects, machine health, the log and
 * its upload backlog, the reject output, and the station's recent events.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { DIAGNOSTICS_HISTORY, type DiagnosticsSample } from '../../../shared/diagnostics';
import type { ReplyOf } from '../../../shared/contract';
import { StageNames } from '../../../shared/status';
import { useStation } from '../api/station-context';
import { orderAlarms } from '../components/AlarmBanner';
import { EventsPanel } from '../components/EventsPanel';
import { ReasonDialog } from '../components/ReasonDialog';
import { TimeChart, type ChartSeries } from '../components/TimeChart';
import { CycleTimesChart } from '../components/CycleTimesChart';
import { formatBytes, formatMs, formatTime } from '../format';

const LATENCY_SERIES: ChartSeries[] = [
  { label: 'total p50', color: '#5aa9e6', unit: 'ms' },
  { label: 'total p99', color: '#e0a100', unit: 'ms' },
  { label: 'inference p99', color: '#c77dff', unit: 'ms' },
  { label: 'decode p99', color: '#1f9d55', unit: 'ms' },
];
const RATE_SERIES: ChartSeries[] = [
  { label: 'decisions/s', color: '#5aa9e6' },
  { label: 'camera frames/s', color: '#1f9d55' },
  { label: 'dropped', color: '#d7263d' },
];
const SYSTEM_SERIES: ChartSeries[] = [
  { label: 'CPU', color: '#e0a100', unit: '%' },
  { label: 'event-loop delay p99', color: '#c77dff', unit: 'ms' },
];
const RISK_SERIES: ChartSeries[] = [{ label: 'risk', color: '#d7263d' }];
const DRIFT_SERIES: ChartSeries[] = [
  { label: 'KS gap to the reference', color: '#5aa9e6' },
  { label: 'alarm above', color: '#d7263d' },
  { label: 'mean score', color: '#e0a100' },
];

/** The score-drift windows of the running model, read again every 10 s. */
function DriftPanel() {
  const { api } = useStation();
  const [drift, setDrift] = useState<ReplyOf<'getDrift'> | null>(null);
  useEffect(() => {
    const read = (): void => void api.getDrift({}).then(setDrift, () => {});
    read();
    const timer = setInterval(read, 10_000);
    return () => clearInterval(timer);
  }, [api]);
  if (!drift) return null;
  const data = [
    drift.points.map((p) => p.at / 1000),
    drift.points.map((p) => p.statistic),
    drift.points.map((p) => p.critical),
    drift.points.map((p) => p.mean),
  ];
  return (
    <section className="panel" data-testid="drift-panel">
      <h3>Drift</h3>
      <p className="muted small">
        {drift.hasReference
          ? `Each point: ${drift.window} items' reject scores against the reference (two-sample KS test, α ${drift.alpha}); above the red line the drift alarm is raised.`
          : 'No reference yet: the first windows under this model are being taken (or, held to a calibration, the model has none). The reject and divert rates are watched meanwhile.'}
      </p>
      {drift.points.length > 0 ? (
        <TimeChart title="Score drift, each window" series={DRIFT_SERIES} data={data} yRange={[0, 1]} testId="chart-drift" />
      ) : (
        drift.hasReference && <p className="muted">No window complete yet ({drift.window} items each).</p>
      )}
    </section>
  );
}
const CAMERA_SERIES: ChartSeries[] = [
  { label: "sharpness, share of the camera's reference", color: '#5aa9e6' },
  { label: 'blur warning below', color: '#d7263d' },
  { label: 'mean grey ÷ 255', color: '#e0a100' },
  { label: 'clipped share', color: '#c77dff' },
];

/** The camera's sampled pictures: sharpness against its own first pictures, and exposure (camera-health/). */
function CameraHealthPanel() {
  const { api, asTechnician } = useStation();
  const [health, setHealth] = useState<ReplyOf<'getCameraHealth'> | null>(null);
  const [retaking, setRetaking] = useState(false);
  const read = useCallback((): void => void api.getCameraHealth({}).then(setHealth, () => {}), [api]);
  useEffect(() => {
    read();
    const timer = setInterval(read, 5_000);
    return () => clearInterval(timer);
  }, [read]);
  if (!health) return null;
  const ref = health.referenceSharpness;
  const data = [
    health.points.map((p) => p.at / 1000),
    health.points.map((p) => (ref ? p.sharpness / ref : 0)),
    health.points.map(() => health.limits.blurRatio),
    health.points.map((p) => p.luminance / 255),
    health.points.map((p) => p.clipped),
  ];
  return (
    <section className="panel" data-testid="camera-health-panel">
      <h3>Camera picture</h3>
      <p className="muted small" data-testid="camera-health-words">
        {health.frozen ? 'Frozen: the same picture again and again. ' : ''}
        {ref === null
          ? `Taking the camera's reference sharpness from its first pictures (${health.measured} measured).`
          : `${health.measured} pictures measured (${health.skipped} frames passed over: at most five a second are looked at). A blur warning below ${Math.round(health.limits.blurRatio * 100)} % of the reference; an exposure warning outside mean grey ${health.limits.minLuminance}–${health.limits.maxLuminance} or above ${Math.round(health.limits.maxClipped * 100)} % clipped.`}
      </p>
      {health.points.length > 1 && (
        <TimeChart title="Sharpness and exposure, each sampled picture" series={CAMERA_SERIES} data={data} yRange={[0, 1.5]} testId="chart-camera" />
      )}
      <button type="button" className="button" onClick={() => void asTechnician().then((ok) => ok && setRetaking(true))} data-testid="camera-retake">
        Take a new reference…
      </button>
      {retaking && (
        <ReasonDialog
          title="Take a new camera reference"
          summary="The camera's next pictures become the sharpness blur is judged against: do this once it is focused and clean."
          suggestions={['Camera refocused', 'Camera replaced', 'Lens cleaned']}
          confirmLabel="Take it"
          onCancel={() => setRetaking(false)}
          onConfirm={async (reason) => {
            await api.retakeCameraReference({ reason });
            setRetaking(false);
            read();
          }}
        />
      )}
    </section>
  );
}

const CHANNEL_COLORS = ['#5aa9e6', '#e0a100', '#1f9d55', '#c77dff', '#ff7f50', '#8fd3ff'];

function useDiagnosticsHistory(): DiagnosticsSample[] {
  const { api } = useStation();
  const [samples, setSamples] = useState<DiagnosticsSample[]>([]);
  useEffect(() => {
    let alive = true;
    api.getDiagnosticsHistory({}).then(
      (h) => alive && setSamples((now) => [...h.filter((s) => !now.length || s.at < now[0]!.at), ...now].slice(-DIAGNOSTICS_HISTORY)),
      () => {},
    );
    const off = api.on('sample', (s) => setSamples((now) => [...now, s].slice(-DIAGNOSTICS_HISTORY)));
    return () => {
      alive = false;
      off();
    };
  }, [api]);
  return samples;
}

function Tile({ label, value, testId, warn = false }: { label: string; value: string; testId?: string; warn?: boolean }) {
  return (
    <div className={`tile ${warn ? 'tile-warn' : ''}`}>
      <div className="tile-value" data-testid={testId}>
        {value}
      </div>
      <div className="tile-label">{label}</div>
    </div>
  );
}

/** p50 / p99 of the latest reject-to-confirmation times. */
function Facts({ rows }: { rows: [string, string | number | null | undefined][] }) {
  return (
    <table className="table facts">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{v === null || v === undefined || v === '' ? '–' : String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The technical side of the banner: each standing alarm's own message (the banner says it in plain words for the
 * operator), the fail-safe's causes, and the station's last problem. This is where "details" in the banner leads.
 */
function StandingAlarms() {
  const { status } = useStation();
  const { alarms, failSafe, lastError } = status;
  return (
    <section className="panel" data-testid="diag-alarms">
      <h3>Alarms: technical detail</h3>
      {alarms.length === 0 && !failSafe.engaged && !lastError ? (
        <p className="muted">No alarm is standing.</p>
      ) : (
        <table className="table facts">
          <tbody>
            {failSafe.engaged && (
              <tr className="event-alarm" data-testid="diag-alarm-failsafe">
                <th>fail-safe</th>
                <td>every item rejected: {failSafe.reasons.join('; ')}</td>
              </tr>
            )}
            {orderAlarms(alarms).map((a) => (
              <tr key={a.id} className={`event-${a.severity}`} data-testid={`diag-alarm-${a.kind}`}>
                <th>
                  {a.kind} {a.severity}
                  <div className="small muted">since {formatTime(a.since)}</div>
                </th>
                <td>{a.message}</td>
              </tr>
            ))}
            {lastError && (
              <tr data-testid="diag-last-problem">
                <th>last problem</th>
                <td>{lastError}</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function DiagnosticsPage() {
  const { api, status } = useStation();
  const samples = useDiagnosticsHistory();

  const charts = useMemo(() => {
    const x = samples.map((s) => s.at / 1000);
    const channels = [...new Set(samples.flatMap((s) => Object.keys(s.machine?.channels ?? {})))];
    return {
      latency: [
        x,
        samples.map((s) => s.latencyMs.total?.p50 ?? null),
        samples.map((s) => s.latencyMs.total?.p99 ?? null),
        samples.map((s) => s.latencyMs.inference?.p99 ?? null),
        samples.map((s) => s.latencyMs.decode?.p99 ?? null),
      ],
      rate: [x, samples.map((s) => s.fps), samples.map((s) => s.sourceFps), samples.map((s) => s.dropped)],
      system: [x, samples.map((s) => s.cpuPct), samples.map((s) => s.loopDelayMs)],
      risk: [x, samples.map((s) => s.machine?.risk ?? null)],
      channelSeries: channels.map((c, i): ChartSeries => ({ label: `${c} RMS`, color: CHANNEL_COLORS[i % CHANNEL_COLORS.length]! })),
      channels: [x, ...channels.map((c) => samples.map((s) => s.machine?.channels[c] ?? null))],
    };
  }, [samples]);

  const { model, source, machine, database, upload, output, system } = status;
  const backlog = upload.reduce((n, l) => n + l.pending, 0);
  return (
    <main className="page" data-testid="page-diagnostics">
      <StandingAlarms />
      <section className="tiles">
        <Tile label="decisions/s" value={status.fps.toFixed(1)} testId="diag-fps" />
        <Tile label="camera frames/s" value={source.fps.toFixed(1)} />
        <Tile
          label="frames in / decided"
          value={`${status.frames.seen} / ${status.decisions.clean + status.decisions.maybe + status.decisions.pit}`}
          testId="diag-frames"
        />
        <Tile label="dropped" value={String(status.frames.dropped)} warn={status.frames.dropped > 0} testId="diag-dropped" />
        <Tile label="provider" value={model.provider.toUpperCase()} testId="diag-provider" />
        <Tile label="event-loop delay p99" value={`${formatMs(status.loopDelayP99Ms)} ms`} />
        <Tile label={`CPU (${system.cores} cores)`} value={`${system.cpuPct.toFixed(0)}%`} />
        <Tile label="memory" value={formatBytes(system.rssBytes)} />
        <Tile label="database" value={formatBytes(database.sizeBytes)} />
        <Tile label="upload backlog" value={String(backlog)} warn={backlog > 1000} testId="diag-backlog" />
      </section>

      <section className="panel">
        <h3>Latency per stage (ms, since start)</h3>
        <table className="table" data-testid="latency-table">
          <thead>
            <tr>
              <th>stage</th>
              <th className="num">count</th>
              <th className="num">p50</th>
              <th className="num">p95</th>
              <th className="num">p99</th>
              <th className="num">max</th>
            </tr>
          </thead>
          <tbody>
            {StageNames.map((s) => {
              const l = status.latencyMs[s];
              return (
                <tr key={s} data-testid={`latency-${s}`}>
                  <td>{s}</td>
                  <td className="num">{l.count}</td>
                  <td className="num">{formatMs(l.p50)}</td>
                  <td className="num">{formatMs(l.p95)}</td>
                  <td className="num">{formatMs(l.p99)}</td>
                  <td className="num">{formatMs(l.max)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="chart-grid">
          <TimeChart title="Latency, each second (ms)" series={LATENCY_SERIES} data={charts.latency} testId="chart-latency" />
          <TimeChart title="Throughput" series={RATE_SERIES} data={charts.rate} testId="chart-rate" />
          <TimeChart title="Station process" series={SYSTEM_SERIES} data={charts.system} testId="chart-system" />
        </div>
      </section>

      <div className="columns">
        <section className="panel">
          <h3>Model</h3>
          <Facts
            rows={[
              ['model', `${model.name} ${model.version}`],
              ['state', model.state],
              ['provider', model.provider],
              ['passed over', model.fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')],
              ['JPEG decoder', `${model.decoder.name} (${model.decoder.detail})`],
              ['threads', model.threads],
              ['mode', `${model.mode}, batch ${model.batchSize}`],
              ['worker restarts', model.workerRestarts],
              ['repaired on load', model.notes.join('; ')],
            ]}
          />
        </section>
        <section className="panel">
          <h3>Camera</h3>
          <Facts
            rows={[
              ['source', `${source.kind}: ${source.description}`],
              ['state', source.state],
              ['frames', source.framesDelivered],
              ['reconnects', source.reconnects],
              ['refused', source.rejected],
              ['last frame', source.lastFrameAgeMs === null ? 'none yet' : `${(source.lastFrameAgeMs / 1000).toFixed(1)} s ago`],
              ['stall alarm after', `${source.stallMs / 1000} s`],
              ['last error', source.lastError],
            ]}
          />
        </section>
      </div>

      <DriftPanel />
      <CameraHealthPanel />
      <section className="panel" data-testid="machine-panel">
        <h3>Machine health and sensors</h3>
        {machine ? (
          <>
            <Facts
              rows={[
                ['health', machine.state + (machine.reason ? ` (${machine.reason})` : '')],
                ['risk', machine.risk === null ? null : machine.risk.toFixed(3)],
                [
                  'p_fail × environment',
                  machine.pFail === null
                    ? null
                    : `${machine.pFail.toFixed(3)} × ${machine.multiplier}${machine.rules.length ? ` (${machine.rules.join(', ')})` : ''}`,
                ],
                ['sensor model', `${machine.model.name} ${machine.model.version} on ${machine.model.provider}`],
              ]}
            />
            <table className="table">
              <thead>
                <tr>
                  <th>sensor</th>
                  <th>state</th>
                  <th className="num">readings</th>
                  <th className="num">reconnects</th>
                  <th>junk</th>
                  <th>last error</th>
                </tr>
              </thead>
              <tbody>
                {machine.sensors.map((s) => (
                  <tr key={s.id} data-testid={`sensor-${s.id}`}>
                    <td>
                      {s.id} <span className="muted">({s.kind})</span>
                    </td>
                    <td className={`state-${s.state}`}>{s.state}</td>
                    <td className="num">{s.readings}</td>
                    <td className="num">{s.reconnects}</td>
                    <td>
                      {Object.entries(s.junk)
                        .filter(([, v]) => v > 0)
                        .map(([k, v]) => `${k} ${v}`)
                        .join(', ') || '–'}
                    </td>
                    <td>{s.lastError ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="chart-grid">
              <TimeChart title="Machine risk" series={RISK_SERIES} data={charts.risk} yRange={[0, 1]} testId="chart-risk" />
              {charts.channelSeries.length > 0 && (
                <TimeChart title="Sensor channels (RMS each second)" series={charts.channelSeries} data={charts.channels} testId="chart-sensors" />
              )}
            </div>
          </>
        ) : (
          <p className="muted">No sensors configured.</p>
        )}
      </section>

      <div className="columns">
        <section className="panel">
          <h3>Log and upload</h3>
          <Facts
            rows={[
              ['database', database.path],
              ['size', `${formatBytes(database.sizeBytes)} + ${formatBytes(database.imagesBytes)} of kept images`],
              ['rows written', database.rowsWritten],
              ['waiting to be written', `${database.pendingRows} (at most ${database.maxWaitingRows} while writes fail)`],
              ['last commit', `${formatMs(database.lastFlushMs)} ms`],
              ['writes', database.writes === 'ok' ? 'ok' : `failing since ${formatTime(database.failingSince)}: ${database.writeProblem ?? ''}`],
              ['while writes fail', database.whenFull === 'fail-safe' ? 'every item is rejected (fail-safe)' : 'items are decided as usual (keep-deciding)'],
              ['decided rows not recorded', database.rowsNotRecorded],
              ['rows refused for their content', database.rowsRejected],
              ['events waiting / not recorded', `${database.eventsWaiting} / ${database.eventsNotRecorded}`],
              ['events refused for their content', database.eventsRejected],
              ['failed writes', database.writeFailures],
              ['log writer restarts', database.logWriterRestarts],
              [
                'kept images',
                `${database.imageWrites.inFlight} being written (${formatBytes(database.imageWrites.inFlightBytes)}); not kept: ` +
                  `${database.imageWrites.notKeptBusy} (disk busy), ${database.imageWrites.notKeptFailed} (write failed)`,
              ],
              ['database id', database.databaseId === '' ? 'from before ids' : database.databaseId],
            ]}
          />
          {database.movedAside.length > 0 && (
            <Facts
              rows={database.movedAside.map((a): [string, string] => [
                `moved aside: ${a.file}`,
                (a.state === 'draining'
                  ? `uploading: ${a.unsent ?? '?'} row(s) to send, ${a.sent} sent`
                  : a.state === 'drained'
                    ? `uploaded (${a.sent} sent from it)`
                    : a.state === 'no-targets'
                      ? 'kept (no upload target)'
                      : `cannot be read: ${a.problem ?? ''}; ${a.unsent ?? 'unknown'} row(s) not uploaded`) +
                  (a.alreadyPresent > 0 ? `; ${a.alreadyPresent} already at the target` : '') +
                  (a.databaseId ? ` (database id ${a.databaseId})` : ''),
              ])}
            />
          )}
          {upload.length === 0 ? (
            <p className="muted">No upload targets configured.</p>
          ) : (
            <table className="table" data-testid="upload-table">
              <thead>
                <tr>
                  <th>target</th>
                  <th>stream</th>
                  <th className="num">sent</th>
                  <th className="num">waiting</th>
                  <th className="num" title="rows the target said it held already (same station, database id and seq): not stored again">
                    already at the target
                  </th>
                  <th>state</th>
                  <th>last success</th>
                  <th>last error</th>
                </tr>
              </thead>
              <tbody>
                {upload.map((l) => (
                  <tr key={`${l.target}:${l.stream}`}>
                    <td>
                      {l.target} <span className="muted">({l.kind})</span>
                    </td>
                    <td>{l.stream}</td>
                    <td className="num">{l.sent}</td>
                    <td className="num">{l.pending}</td>
                    <td className="num">{l.alreadyPresent}</td>
                    <td>{l.state}</td>
                    <td>{formatTime(l.lastSuccessAt)}</td>
                    <td>{l.lastError ? `${l.lastError} (${formatTime(l.lastErrorAt)})` : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel">
          <h3>Reject output and connections</h3>
          <Facts
            rows={[
              ['output', `${output.kind}, ${output.state}`],
              ['heartbeat', output.kind === 'none' ? null : output.heartbeat ? 'running' : 'stopped (the sorter rejects on its own)'],
              ['commands sent', output.commandsSent],
              ...(output.rejects
                ? ([
                    ['rejects confirmed by the sorter', `${output.rejects.confirmed} of ${output.rejects.expected}`],
                    ['rejects not confirmed in time', output.rejects.missing],
                    ['confirmations for no reject waiting', output.rejects.unexpected],
                    ['lines from the sorter that were no confirmation', output.rejects.junk],
                  ] as [string, string | number][])
                : []),
              ['output error', output.lastError],
              ['UI connections', `${status.clients.open} (${status.clients.technicians} technician)`],
              ['requests answered', status.api.accepted],
              ['refused at the boundary', status.api.rejected],
              ['denied (needs a technician)', status.api.denied],
              ['failed', status.api.failed],
              ['refused: wrong host or page', status.connections.refusedHosts],
              ['refused: too many clients', status.connections.refusedFull],
              ['closed: broken messages', status.connections.protocolErrors],
              ['closed: replies not read', status.connections.closedNotReading],
              ['closed: too many requests', status.connections.closedFlooding],
              ['slowed down (asked too fast)', status.connections.throttled],
              ...(status.plc
                ? ([
                    ['PLC triggers taken', status.plc.triggers],
                    ['PLC results waiting for an acknowledge', status.plc.resultsBuffered],
                    ['PLC results lost (buffer full)', status.plc.overruns],
                    ['PLC requests outside the map', status.plc.refusedRequests],
                    ...(status.plc.rejects
                      ? ([
                          ['rejects confirmed by the ejector', `${status.plc.rejects.confirmed} of ${status.plc.rejects.expected}`],
                          ['rejects not confirmed in time', status.plc.rejects.missing],
                          ['confirmations for no reject waiting', status.plc.rejects.unexpected],
                        ] as [string, string | number][])
                      : []),
                  ] as [string, string | number][])
                : []),
              ...(status.mqtt
                ? ([
                    ['MQTT broker', status.mqtt.connected ? 'connected' : 'not connected: decisions wait'],
                    ['MQTT decisions sent', status.mqtt.sent],
                    ['MQTT decisions waiting', status.mqtt.queued],
                    ['MQTT decisions dropped (broker away too long)', status.mqtt.dropped],
                  ] as [string, string | number][])
                : []),
              ...(status.opcua
                ? ([
                    ['OPC UA sessions open', status.opcua.sessions],
                    ['OPC UA sign-ins refused', status.opcua.failedLogins],
                    ['OPC UA method calls (refused)', `${status.opcua.methodCalls} (${status.opcua.methodCallsRefused})`],
                    ['OPC UA connections refused', status.opcua.refusedChannels],
                  ] as [string, string | number][])
                : []),
              ['station up since', formatTime(status.station.startedAt)],
            ]}
          />
        </section>
      </div>

      {status.plc && (
        <section className="panel">
          <h3>PLC triggers, stage by stage</h3>
          <p className="muted">
            The latest 1,000 triggers: where each one’s time went, from the PLC’s trigger to the result it reads and the ejector’s confirmation.
          </p>
          <CycleTimesChart times={status.plc.cycleTimes} />
        </section>
      )}

      <EventsPanel api={api} />
    </main>
  );
}
