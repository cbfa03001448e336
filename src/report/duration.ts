// Go's time.Duration.String() for whole milliseconds, as promtool prints
// block durations: 2h0m0s, 59m30.001s, 500ms.

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let d = Math.abs(ms);
  let out: string;
  if (d < 1000) out = `${d}ms`;
  else {
    const frac = d % 1000;
    d = (d - frac) / 1000;
    const s = d % 60;
    d = (d - s) / 60;
    const m = d % 60;
    const h = (d - m) / 60;
    const fs = frac ? '.' + String(frac).padStart(3, '0').replace(/0+$/, '') : '';
    out = `${s}${fs}s`;
    if (h > 0 || m > 0) out = `${m}m` + out;
    if (h > 0) out = `${h}h` + out;
  }
  return neg ? '-' + out : out;
}

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 24 * 3600e3, 7 * 24 * 3600e3, 24 * 3600e3, 3600e3, 60e3, 1e3, 1];

/**
 * A duration in Prometheus's syntax (common/model ParseDuration: 1y2w3d4h5m6s7ms, units
 * in that order, each at most once; a year is 365 days; "0" is zero), in ms; undefined
 * when `s` is not one.
 */
export function parseDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const m = s === '' ? null : DURATION.exec(s);
  if (!m) return undefined;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNIT_MS[i]!;
  return Number.isSafeInteger(ms) ? ms : undefined;
}
