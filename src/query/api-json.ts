// The byte-level JSON of Prometheus's HTTP API (2.42): strings as Go's
// encoding/json writes them (HTML-safe), sample values as
// util/jsonutil.MarshalValue and timestamps as MarshalTimestamp.

import { exponentForm, fixedForm, nonFinite, shortestDigits } from './goformat.js';

/** strconv.FormatFloat(v, 'f', -1, 64). */
export function formatFloatF(v: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  return fixedForm(shortestDigits(v));
}

/** strconv.FormatFloat(v, 'e', -1, 64): d.ddde±XX, at least two exponent digits. */
export function formatFloatE(v: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  if (v === 0) return Object.is(v, -0) ? '-0e+00' : '0e+00';
  return exponentForm(shortestDigits(v));
}

/** A sample value as the API writes it (without the quotes): 'f' format, 'e' below 1e-6 and from 1e21. */
export function formatApiFloat(v: number): string {
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-6 || abs >= 1e21) ? formatFloatE(v) : formatFloatF(v);
}

/** A millisecond timestamp as the API writes it: seconds, with the milliseconds kept as three digits. */
export function formatApiTimestamp(ms: number): string {
  let t = ms;
  let sign = '';
  if (t < 0) {
    sign = '-';
    t = -t;
  }
  const frac = t % 1000;
  const secs = (t - frac) / 1000;
  return sign + secs + (frac === 0 ? '' : '.' + String(frac).padStart(3, '0'));
}

const HEX = '0123456789abcdef';

/** Go's encoding/json string encoding (EscapeHTML on, Go 1.19: no \b or \f short forms). */
export function goJsonString(s: string): string {
  let out = '"';
  let plain = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20) {
      esc = c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : '\\u00' + HEX[c >> 4] + HEX[c & 15];
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (c === 0x3c || c === 0x3e || c === 0x26) esc = '\\u00' + HEX[c >> 4] + HEX[c & 15];
    else if (c === 0x2028 || c === 0x2029) esc = '\\u202' + HEX[c & 15];
    else if (c >= 0xd800 && c < 0xe000) {
      // A surrogate pair is one code point and passes as it is; a lone one is invalid UTF-8 to Go.
      const lo = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && lo >= 0xdc00 && lo < 0xe000) {
        i++;
        continue;
      }
      esc = '\\ufffd';
    }
    if (esc !== undefined) {
      out += s.slice(plain, i) + esc;
      plain = i + 1;
    }
  }
  return out + s.slice(plain) + '"';
}

/** labels.Labels.MarshalJSON: an object of the (sorted) label pairs. */
export function labelsJson(labels: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < labels.length; i += 2) {
    if (i > 0) out += ',';
    out += goJsonString(labels[i]) + ':' + goJsonString(labels[i + 1]);
  }
  return out + '}';
}

/** A JSON array of strings. */
export function stringsJson(values: readonly string[]): string {
  return '[' + values.map(goJsonString).join(',') + ']';
}

/** The API's success envelope around raw JSON `data`. */
export function envelope(data: string): string {
  return '{"status":"success","data":' + data + '}';
}
