/**
 * The audit trail's "was" and "became" in words, not JSON (issue 12): thresholds as the
 * Thresholds page says them ("pit ≥ 0.75, maybe ≥ 0.50"), a model by name and version,
 * inference settings as a technician sets them, labels, shadow trials and recipes. Anything else is written out as
 * "key: value" pairs, so that an entry from a newer station still reads.
 */
import type { AuditEntry } from '../../shared/audit';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A threshold with two decimals, more only when it has them (a calibrated 0.7312 is not shown as 0.73). */
export function formatThreshold(x: number): string {
  const exact = x.toFixed(4).replace(/0+$/, '');
  return (exact.split('.')[1]?.length ?? 0) > 2 ? exact : x.toFixed(2);
}

export function describeThresholds(v: { readonly pit: number; readonly maybe: number }): string {
  return `pit ≥ ${formatThreshold(v.pit)}, maybe ≥ ${formatThreshold(v.maybe)}`;
}

function thresholdsOf(v: unknown): { pit: number; maybe: number } | null {
  return isRecord(v) && typeof v['pit'] === 'number' && typeof v['maybe'] === 'number' ? { pit: v['pit'], maybe: v['maybe'] } : null;
}

function describeModel(v: Record<string, unknown>): string | null {
  if (typeof v['name'] !== 'string' || typeof v['version'] !== 'string') return null;
  const action =
    v['action'] === 'rollback'
      ? ' (rolled back to)'
      : v['action'] === 'activate'
        ? ' (activated)'
        : v['action'] === 'quantize'
          ? ` (INT8 variant made${typeof v['method'] === 'string' ? `, ${v['method']}` : ''})`
          : '';
  return `${v['name']} ${v['version']}${action}`;
}

function describeInference(v: Record<string, unknown>): string | null {
  const inference = v['inference'];
  if (!isRecord(inference)) return null;
  const parts: string[] = [];
  const providers = inference['providers'];
  if (Array.isArray(providers)) parts.push(providers.map((p) => String(p).toUpperCase()).join(' then '));
  const threads = inference['intraOpThreads'];
  if (typeof threads === 'number') parts.push(`${threads} ${threads === 1 ? 'thread' : 'threads'}`);
  if (typeof inference['mode'] === 'string') parts.push(`${inference['mode']} mode`);
  const batch = inference['maxBatch'];
  if (typeof batch === 'number') parts.push(`batches of up to ${batch}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** A label from a person: the item, what it was called, what the model had said. */
function describeLabel(v: Record<string, unknown>): string | null {
  if (typeof v['label'] !== 'string') return v['label'] === null ? 'no label' : null;
  const really = v['label'] === 'defective' ? 'really defective' : 'really good';
  if (typeof v['capture'] !== 'number') return really;
  const score = typeof v['rejectScore'] === 'number' ? `, ${v['rejectScore'].toFixed(3)}` : '';
  return `capture ${v['capture']} (frame ${String(v['frameId'])}): ${really}; the model said ${String(v['decision'])}${score}`;
}

/** A shadow trial started, promoted or discarded. */
function describeShadow(v: Record<string, unknown>): string | null {
  const action = v['action'];
  const model = isRecord(v['model']) ? v['model'] : isRecord(v['candidate']) ? v['candidate'] : null;
  if (typeof action !== 'string' || !model) return null;
  const what = `trial ${String(v['trial'])} of ${String(model['name'])} ${String(model['version'])}`;
  return action === 'start' ? `${what} started` : action === 'promote' ? `${what}: promoted to the line` : `${what}: discarded`;
}

const VIA_WORDS: Record<string, string> = { plc: ' (asked by the PLC)', opcua: ' (asked over OPC UA)' };

/**
 * A recipe (issue 17) saved, changed, deleted or switched to: its name, the PLC's index, its model and thresholds.
 * The side before a change names the recipe as it was; a deletion's side after it says "deleted".
 */
function describeRecipe(v: Record<string, unknown>): string | null {
  const action = v['action'];
  if (action === 'delete') return 'deleted';
  if (typeof v['name'] !== 'string') return null;
  const index = typeof v['index'] === 'number' ? ` (index ${v['index']})` : '';
  const thresholds = thresholdsOf(v['thresholds']);
  const setting = [typeof v['model'] === 'string' ? v['model'] : null, thresholds ? describeThresholds(thresholds) : null].filter((x) => x !== null);
  const recipe = `recipe "${v['name']}"${index}${setting.length > 0 ? `: ${setting.join(', ')}` : ''}`;
  if (action === 'switch') return `switched to ${recipe}${VIA_WORDS[String(v['via'])] ?? ''}`;
  return action === 'create' ? `new ${recipe}` : recipe;
}

/** Any other value, without JSON's braces and quotes. */
function plain(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.map(plain).join(', ');
  if (isRecord(v)) {
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${isRecord(x) ? `(${plain(x)})` : plain(x)}`)
      .join(', ');
  }
  return String(v);
}

export function describeAuditValue(subject: AuditEntry['subject'], value: unknown): string {
  if (value === null || value === undefined) return '–';
  const thresholds = thresholdsOf(value);
  if (subject === 'thresholds' && thresholds) return describeThresholds(thresholds);
  if (isRecord(value)) {
    const words =
      subject === 'model'
        ? describeModel(value)
        : subject === 'config'
          ? describeInference(value)
          : subject === 'label'
            ? describeLabel(value)
            : subject === 'shadow'
              ? describeShadow(value)
              : subject === 'recipe'
                ? describeRecipe(value)
                : null;
    if (words) return words;
  }
  return plain(value);
}
