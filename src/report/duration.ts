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
