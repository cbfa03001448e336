// Time parameters as Prometheus's HTTP API reads them (web/api/v1/api.go
// parseTime): unix seconds with up to millisecond precision, or RFC 3339
// with optional fractional seconds. Results are milliseconds, as
// timestamp.FromTime computes them.

import { ErrorCode, TsdbError } from '../encoding/errors.js';

// api.go: minTime = time.Unix(math.MinInt64/1000+62135596801, 0),
// maxTime = time.Unix(math.MaxInt64/1000-62135596801, 999999999).
const MIN_TIME_S = -9223372036854775 + 62135596801;
const MAX_TIME_S = 9223372036854775 - 62135596801;

/** The API's default `start`, in ms (as a float64; far before any block). */
export const API_MIN_TIME = MIN_TIME_S * 1000;
/** The API's default `end`, in ms. */
export const API_MAX_TIME = MAX_TIME_S * 1000 + 999;

// time.RFC3339Nano renderings of minTime and maxTime, which Go's parser
// cannot read back, so the API accepts them literally.
const MIN_TIME_FORMATTED = '-292273086-05-16T16:47:06Z';
const MAX_TIME_FORMATTED = '292277025-08-18T07:12:54.999999999Z';

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  const r = Math.round(Math.abs(x));
  // Math.round rounds .5 up; for |x| that is exactly what Go does.
  return x < 0 ? -r : r;
}

/** Unix seconds (float) → ms, step for step as parseTime and timestamp.FromTime do it. */
function fromUnixSeconds(f: number): number {
  const sec = Math.trunc(f);
  let frac = f - sec;
  frac = goRound(frac * 1000) / 1000;
  // time.Unix(sec, nsec) with nsec = int64(frac * 1e9), then normalized.
  let nsec = Math.trunc(frac * 1e9);
  let s = sec;
  if (nsec < 0 || nsec >= 1e9) {
    const carry = Math.floor(nsec / 1e9);
    s += carry;
    nsec -= carry * 1e9;
  }
  return s * 1000 + Math.floor(nsec / 1e6);
}

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Parse an API time parameter; throws a BadInput error naming the parameter. */
export function parseApiTime(s: string, param = 'time'): number {
  const bad = () => new TsdbError(ErrorCode.BadInput, `invalid time value for '${param}': cannot parse ${JSON.stringify(s)} to a valid timestamp`);
  if (DECIMAL.test(s)) {
    const f = Number(s);
    if (!Number.isFinite(f)) throw bad();
    return fromUnixSeconds(f);
  }
  const m = RFC3339.exec(s);
  if (m) {
    const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
    if (mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || se > 59) throw bad();
    let offset = 0;
    if (m[8]) {
      const oh = Number(m[9]);
      const om = Number(m[10]);
      if (oh > 23 || om > 59) throw bad();
      offset = (m[8] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
    }
    const secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
    // Go keeps nanoseconds (digits past the ninth are dropped); FromTime truncates to ms.
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
    return secs * 1000 + ms;
  }
  if (s === MIN_TIME_FORMATTED) return API_MIN_TIME;
  if (s === MAX_TIME_FORMATTED) return API_MAX_TIME;
  throw bad();
}
