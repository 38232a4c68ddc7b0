/** How numbers read on the pages. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export const formatMs = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

export const formatTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '–');

export const formatPct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** A duration a person reads at a glance: "2 min 05 s", "48 s". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

/** A threshold: three decimals, more where three would round it to 1 (a calibrated 0.99999 must not read as 1.000). */
export function formatThreshold(t: number): string {
  return t < 1 && t >= 0.9995 ? t.toFixed(6) : t.toFixed(3);
}
