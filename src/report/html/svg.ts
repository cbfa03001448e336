// Small helpers for writing HTML and SVG as strings: escaping, number
// formatting, a time axis. Pure: no DOM, no I/O.

/** Text or an attribute value, escaped for HTML and SVG. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A pixel coordinate, short (two decimals). */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** A time in ms as UTC, to the second when it has no milliseconds. */
export function utc(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().replace('.000Z', 'Z');
}

/** A count with thousands separators. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Maps times in [t0, t1] onto pixels [x0, x0 + width]. */
export interface TimeAxis {
  t0: number;
  t1: number;
  x0: number;
  width: number;
}

export function xOf(a: TimeAxis, t: number): number {
  return a.x0 + ((t - a.t0) / (a.t1 - a.t0 || 1)) * a.width;
}

const STEPS = [60e3, 300e3, 900e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 2 * 86400e3, 7 * 86400e3, 30 * 86400e3, 90 * 86400e3, 365 * 86400e3];

/** Tick marks and labels at round times, about one per 120 px, from y to y + h. */
export function axisTicks(a: TimeAxis, y: number, h: number): string {
  const span = a.t1 - a.t0;
  const want = span / Math.max(1, a.width / 120);
  const step = STEPS.find((s) => s >= want) ?? Math.ceil(want / STEPS[STEPS.length - 1]!) * STEPS[STEPS.length - 1]!;
  let out = '';
  for (let t = Math.ceil(a.t0 / step) * step; t <= a.t1; t += step) {
    const x = px(xOf(a, t));
    const label = step >= 86400e3 ? utc(t).slice(0, 10) : utc(t).slice(5, 16).replace('T', ' ');
    out += `<line class="tick" x1="${x}" x2="${x}" y1="${y}" y2="${y + h}"/><text class="tick" x="${x}" y="${y + h + 12}">${esc(label)}</text>`;
  }
  return out;
}
