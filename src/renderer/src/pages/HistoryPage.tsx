/**
 * The log, for the technician and the quality office: inspections filtered
 * by time and decision, each with its frame where one was kept, the filtered
 * rows as a CSV file, and the audit trail of every change to the line.
 *
 * An item's number is the log's (seq), unique on the station; the camera's
 * frame number starts again at every start, so it is shown as the camera's
 * (issue 12). A kept picture is shown at its own size, at most twice it with
 * its pixels kept sharp, never blown up to the width of the dialog.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditEntry } from '../../../shared/audit';
import { DECISIONS, type Decision } from '../../../shared/decision';
import type { InspectionFilter, LoggedInspection } from '../../../shared/history';
import { useStation } from '../api/station-context';
import { describeAuditValue, describeThresholds } from '../audit-words';
import { DecisionBadge } from '../components/DecisionBadge';
import { ImageIcon } from '../components/Icons';
import { Modal } from '../components/Modal';
import { LabelButtons } from '../components/LabelButtons';
import { JpegImage } from '../components/JpegImage';
import { download } from '../download';
import { formatTime } from '../format';

const PAGE = 100;

/** A datetime-local value (the station's local time) as ISO 8601 UTC; empty stays undefined. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

/** An instant as a datetime-local value in local time. */
export function isoToLocal(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function buildFilter(from: string, to: string, decisions: ReadonlySet<Decision>, failSafeOnly: boolean): InspectionFilter {
  const f: { -readonly [K in keyof InspectionFilter]: InspectionFilter[K] } = {};
  const fromIso = localToIso(from);
  const toIso = localToIso(to);
  if (fromIso) f.from = fromIso;
  if (toIso) f.to = toIso;
  if (decisions.size > 0 && decisions.size < DECISIONS.length) f.decisions = DECISIONS.filter((d) => decisions.has(d));
  if (failSafeOnly) f.failSafeOnly = true;
  return f;
}

/** At most this many times a kept picture's own size: past it a 128 × 128 picture is only bigger blur. */
export const MAX_IMAGE_SCALE = 2;

/** The size a kept picture is drawn at: its own, up to MAX_IMAGE_SCALE times it, never wider than the space. */
export function keptImageWidth(natural: number, space: number): number {
  return Math.max(1, Math.min(natural * MAX_IMAGE_SCALE, space));
}

/** A kept picture at its own size (up to 2×, pixels kept sharp), with its size said under it. */
function KeptImage({ jpeg, alt }: { jpeg: Uint8Array; alt: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<{ width: number; height: number; shown: number } | null>(null);
  const onLoad = (img: HTMLImageElement): void => {
    const space = box.current?.parentElement?.clientWidth || img.naturalWidth;
    setSize({ width: img.naturalWidth, height: img.naturalHeight, shown: keptImageWidth(img.naturalWidth, space) });
  };
  const scale = size ? size.shown / size.width : 1;
  return (
    <div ref={box} className={`kept-image ${size ? 'kept-image-sized' : ''}`} style={size ? { width: size.shown } : undefined}>
      <JpegImage jpeg={jpeg} alt={alt} className="history-image" testId="history-image" onLoad={onLoad} />
      {size && (
        <div className="muted small" data-testid="history-image-size">
          {size.width} × {size.height} px as kept
          {scale > 1.01 ? `, shown at ${scale.toFixed(1)}×` : scale < 0.99 ? `, shown at ${Math.round(scale * 100)} %` : ''}
        </div>
      )}
    </div>
  );
}

function InspectionDetail({ row, onClose }: { row: LoggedInspection; onClose: () => void }) {
  const { api } = useStation();
  const [jpeg, setJpeg] = useState<Uint8Array | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  useEffect(() => {
    if (!row.hasImage) return;
    api.getInspectionImage({ seq: row.seq }).then(
      (img) => (img ? setJpeg(img.jpeg) : setMissing('the image file is gone')),
      (e: Error) => setMissing(e.message),
    );
  }, [api, row]);
  return (
    <Modal title={`Item ${row.seq}`} onClose={onClose} wide testId="inspection-detail">
      <div className="enlarged">
        {jpeg ? (
          <KeptImage jpeg={jpeg} alt={`item ${row.seq}`} />
        ) : (
          <div className="frame-empty">{row.hasImage ? (missing ?? 'loading…') : 'no image kept for this item'}</div>
        )}
        <div>
          <DecisionBadge decision={row.decision} failSafeReason={row.failSafeReason ?? undefined} />
          <table className="table facts">
            <tbody>
              <tr>
                <th>captured</th>
                <td>{formatTime(row.capturedAt)}</td>
              </tr>
              <tr>
                <th>from</th>
                <td>{row.origin}</td>
              </tr>
              <tr>
                <th>camera frame</th>
                <td>
                  {row.frameId} <span className="muted small">(the camera&apos;s count since the station started)</span>
                </td>
              </tr>
              <tr>
                <th>decided with</th>
                <td data-testid="history-thresholds">
                  {row.thresholds ? describeThresholds(row.thresholds) : 'not recorded (logged before thresholds were kept with each item)'}
                </td>
              </tr>
              <tr>
                <th>model</th>
                <td>
                  {row.modelName} {row.modelVersion}
                </td>
              </tr>
              {row.scores &&
                Object.entries(row.scores).map(([label, score]) => (
                  <tr key={label}>
                    <th>{label}</th>
                    <td>{score.toFixed(4)}</td>
                  </tr>
                ))}
              <tr>
                <th>time to decide</th>
                <td>{row.totalMs === null ? '–' : `${row.totalMs.toFixed(1)} ms`}</td>
              </tr>
            </tbody>
          </table>
          {row.hasImage && <LabelButtons api={api} target={{ kind: 'inspection', seq: row.seq }} />}
        </div>
      </div>
    </Modal>
  );
}

export function HistoryPage() {
  const { api, status } = useStation();
  const [from, setFrom] = useState(() => isoToLocal(status.shift.startedAt));
  const [to, setTo] = useState('');
  const [decisions, setDecisions] = useState<Set<Decision>>(new Set());
  const [failSafeOnly, setFailSafeOnly] = useState(false);
  const [rows, setRows] = useState<LoggedInspection[]>([]);
  const [total, setTotal] = useState(0);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<LoggedInspection | null>(null);
  const [exporting, setExporting] = useState<string | null>(null);
  const [audit, setAudit] = useState<AuditEntry[]>([]);

  const filter = buildFilter(from, to, decisions, failSafeOnly);
  const filterKey = JSON.stringify(filter);

  const search = useCallback(
    (beforeSeq?: number) => {
      const f = JSON.parse(filterKey) as InspectionFilter;
      api.queryInspections({ filter: f, limit: PAGE, ...(beforeSeq !== undefined ? { beforeSeq } : {}) }).then(
        (page) => {
          setError(null);
          setRows((now) => (beforeSeq === undefined ? page.rows : [...now, ...page.rows]));
          setTotal(page.total);
          setHasMore(page.hasMore);
        },
        (e: Error) => setError(e.message),
      );
    },
    [api, filterKey],
  );
  useEffect(() => search(), [search]);
  useEffect(() => void api.getAudit({ limit: 100 }).then(setAudit, () => {}), [api]);

  const toggle = (d: Decision): void =>
    setDecisions((now) => {
      const next = new Set(now);
      if (next.has(d)) next.delete(d);
      else next.add(d);
      return next;
    });

  const exportCsv = async (): Promise<void> => {
    setExporting('writing the CSV file…');
    try {
      const file = await api.exportInspections({ filter });
      download(file.csv, file.filename, 'text/csv');
      setExporting(`${file.rows} rows in ${file.filename}${file.truncated ? ' (the filter matched more: narrow it to export the rest)' : ''}`);
    } catch (e) {
      setExporting(`export failed: ${(e as Error).message}`);
    }
  };

  return (
    <main className="page" data-testid="page-history">
      <section className="panel">
        <h2>Inspections</h2>
        <div className="field-row">
          <label className="field">
            <span>From</span>
            <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="filter-from" />
          </label>
          <label className="field">
            <span>To</span>
            <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="filter-to" />
          </label>
          <div className="choice-row">
            <button type="button" className="button" onClick={() => (setFrom(isoToLocal(new Date(Date.now() - 3_600_000).toISOString())), setTo(''))}>
              Last hour
            </button>
            <button type="button" className="button" onClick={() => (setFrom(isoToLocal(status.shift.startedAt)), setTo(''))}>
              This shift
            </button>
            <button type="button" className="button" onClick={() => (setFrom(''), setTo(''))} data-testid="filter-all-time">
              All
            </button>
          </div>
        </div>
        <div className="choice-row">
          {DECISIONS.map((d) => (
            <button
              type="button"
              key={d}
              role="checkbox"
              aria-checked={decisions.has(d)}
              className={`button decision-toggle toggle-${d} ${decisions.has(d) ? 'button-selected' : ''}`}
              onClick={() => toggle(d)}
              data-testid={`filter-${d}`}
            >
              {d}
            </button>
          ))}
          <button
            type="button"
            role="checkbox"
            aria-checked={failSafeOnly}
            className={`button ${failSafeOnly ? 'button-selected' : ''}`}
            onClick={() => setFailSafeOnly((v) => !v)}
          >
            fail-safe only
          </button>
          <button type="button" className="button" onClick={() => search()}>
            Refresh
          </button>
          <button type="button" className="button button-primary" onClick={() => void exportCsv()} data-testid="export-csv">
            Export CSV
          </button>
        </div>
        {exporting && (
          <div className="notice" data-testid="export-status">
            {exporting}
          </div>
        )}
        {error && <div className="form-error">{error}</div>}
        <p className="muted" data-testid="history-total">
          {total} items match
        </p>
        <table className="table rows" data-testid="history-table">
          <thead>
            <tr>
              <th>captured</th>
              <th>item</th>
              <th>decision</th>
              <th className="num">score</th>
              <th>model</th>
              <th>why rejected fail-safe</th>
              <th>image</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.seq} onClick={() => setOpen(r)} className="clickable" data-testid="history-row">
                <td>{formatTime(r.capturedAt)}</td>
                <td title={`camera frame ${r.frameId}`} data-testid="history-item">
                  {r.seq}
                </td>
                <td>
                  <span className={`pill pill-${r.decision}`}>{r.decision}</span>
                </td>
                <td className="num">{r.rejectScore === null ? '–' : r.rejectScore.toFixed(3)}</td>
                <td>
                  {r.modelName} {r.modelVersion}
                </td>
                <td className="small">{r.failSafeReason ?? ''}</td>
                <td>{r.hasImage ? <ImageIcon label="image kept" /> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {hasMore && (
          <button type="button" className="button" onClick={() => search(rows.at(-1)?.seq)}>
            Show {PAGE} more
          </button>
        )}
      </section>

      <section className="panel">
        <h3>Audit trail</h3>
        <table className="table" data-testid="audit-table">
          <thead>
            <tr>
              <th>when</th>
              <th>who</th>
              <th>what</th>
              <th>was</th>
              <th>became</th>
              <th>why</th>
            </tr>
          </thead>
          <tbody>
            {audit.map((a) => (
              <tr key={a.seq} data-testid="audit-row">
                <td>{formatTime(a.at)}</td>
                <td>{a.actor}</td>
                <td>{a.subject}</td>
                <td className="small" data-testid="audit-was">
                  {describeAuditValue(a.subject, a.old)}
                </td>
                <td className="small" data-testid="audit-became">
                  {describeAuditValue(a.subject, a.new)}
                </td>
                <td>{a.reason ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {open && <InspectionDetail row={open} onClose={() => setOpen(null)} />}
    </main>
  );
}
