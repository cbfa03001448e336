// Times on the command line: RFC 3339, a unix timestamp (seconds where the
// HTTP API takes them, milliseconds where promtool does), or relative to
// now (`now`, `now-1h`, `-24h`, `now+30m`, durations as PromQL writes them).

import { parseApiTime } from '../query/api-time.js';
import { UsageError } from './run.js';

export type TimeUnit = 's' | 'ms';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const RELATIVE = /^(now)?(?:([+-])((?:\d+(?:ms|[smhdwy]))+))?$/;
const DURATION_PART = /(\d+)(ms|[smhdwy])/g;
const INTEGER = /^-?\d+$/;
// 1e11 s is the year 5138; 1e11 ms is 1973: a seconds value above it was meant as milliseconds, and the reverse.
const LOOKS_LIKE_MS = 1e11;
const LOOKS_LIKE_S = 1e9;

export interface ParsedTime {
  ms: number;
  /** Said on stderr: the value probably has the wrong unit. */
  warning?: string;
}

/** A PromQL duration (`1h30m`, `5m`, `90s`, `100ms`) in ms, or undefined when `s` is not one. */
export function durationMs(s: string): number | undefined {
  if (!/^(?:\d+(?:ms|[smhdwy]))+$/.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(DURATION_PART)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}

/** Parse the value of `--flag` as a time; `unit` is what a bare number means. */
export function parseTimeArg(flag: string, value: string, unit: TimeUnit, now = Date.now()): ParsedTime {
  const v = value.trim();
  const rel = RELATIVE.exec(v);
  if (rel && (rel[1] || rel[2] === '-')) {
    const d = rel[3] ? durationMs(rel[3])! : 0;
    return { ms: rel[2] === '-' ? now - d : now + d };
  }
  const human = unit === 's' ? 'unix seconds' : 'unix milliseconds';
  const bad = () =>
    new UsageError(
      `invalid time value for '${flag}': cannot parse ${JSON.stringify(value)} to a valid timestamp (give RFC 3339 like 2024-05-01T12:00:00Z, ${human}, or a time relative to now like now-1h or -24h)`,
    );
  // promtool's milliseconds are whole numbers; a fraction would be read as seconds below.
  if (unit === 'ms' && !INTEGER.test(v) && /^[+-]?[\d.]/.test(v) && !v.includes('T')) throw bad();
  if (unit === 'ms' && INTEGER.test(v)) {
    const ms = Number(v);
    if (!Number.isSafeInteger(ms)) throw bad();
    const warning = Math.abs(ms) >= LOOKS_LIKE_S && Math.abs(ms) < LOOKS_LIKE_MS ? `--${flag} ${v} is read as milliseconds (${iso(ms)}); did you mean seconds (${iso(ms * 1000)})?` : undefined;
    return { ms, warning };
  }
  let ms: number;
  try {
    ms = parseApiTime(v, flag);
  } catch {
    throw bad();
  }
  let warning: string | undefined;
  if (unit === 's' && /^-?\d+(\.\d*)?$/.test(v) && Math.abs(Number(v)) >= LOOKS_LIKE_MS) {
    warning = `--${flag} ${v} is read as seconds (year ${yearOf(ms)}); did you mean milliseconds (${iso(Number(v))})? Seconds would be ${Number(v) / 1000}`;
  }
  return { ms, warning };
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ms} ms` : d.toISOString();
}

function yearOf(ms: number): string {
  return String(Math.floor(ms / 31_556_952_000) + 1970);
}

/** Parse a time option if given, saying any warning on stderr. */
export function timeOption(flag: string, value: string | undefined, unit: TimeUnit): number | undefined {
  if (value === undefined || value === '') return undefined;
  const t = parseTimeArg(flag, value, unit);
  if (t.warning) process.stderr.write(`tsdb-inspect: warning: ${t.warning}\n`);
  return t.ms;
}

/** Options whose values may start with `-` (a relative time, a negative timestamp). */
export const TIME_FLAGS = new Set(['--start', '--end', '--min-time', '--max-time']);

/**
 * `--start -1h` as `--start=-1h`: yargs would read `-1h` as the flags -1 and -h.
 * Only for the time options, and only when the value looks like a number or a duration.
 */
export function joinTimeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = args[i + 1];
    if (TIME_FLAGS.has(a) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
