// Go's text formatting, reproduced exactly, because promtool's dump output
// is `fmt.Printf("%s %g %d\n", labels, value, ts)` and users diff it.

/** A finite, non-zero float64's shortest round-trip digits and decimal exponent (d.ddd × 10^exp). */
export interface ShortestDigits {
  neg: boolean;
  digits: string;
  exp: number;
}

export function shortestDigits(v: number): ShortestDigits {
  // toExponential() without an argument yields the shortest digits that
  // round-trip, choosing the closest when several qualify, as Go's strconv does.
  const s = v.toExponential();
  const neg = s.charCodeAt(0) === 45;
  const ePos = s.indexOf('e');
  const mant = s.slice(neg ? 1 : 0, ePos);
  return { neg, digits: mant.length > 1 ? mant[0] + mant.slice(2) : mant, exp: Number(s.slice(ePos + 1)) };
}

/** strconv's 'f' form of shortest digits: no exponent. */
export function fixedForm({ neg, digits, exp }: ShortestDigits): string {
  const dp = exp + 1; // digits before the decimal point
  let out: string;
  if (dp <= 0) out = '0.' + '0'.repeat(-dp) + digits;
  else if (dp >= digits.length) out = digits + '0'.repeat(dp - digits.length);
  else out = digits.slice(0, dp) + '.' + digits.slice(dp);
  return neg ? '-' + out : out;
}

/** strconv's 'e' form of shortest digits: d.ddde±XX, at least two exponent digits. */
export function exponentForm({ neg, digits, exp }: ShortestDigits): string {
  const e = Math.abs(exp);
  const out = digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '') + (exp < 0 ? 'e-' : 'e+') + (e < 10 ? '0' + e : String(e));
  return neg ? '-' + out : out;
}

/** Go's strconv for NaN and the infinities (every format: 'e', 'f', 'g'). */
export function nonFinite(v: number): string {
  return v !== v ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

/** Go's fmt `%g` for a float64: shortest digits that round-trip. */
export function formatG(v: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const d = shortestDigits(v);
  // strconv: exponent form when exp < -4 or exp >= eprec, with eprec = 6 for the shortest form.
  return d.exp < -4 || d.exp >= 6 ? exponentForm(d) : fixedForm(d);
}

/**
 * formatG written as ASCII into `buf` at `pos`; returns the position after
 * it. Integer values take a digit loop (promtool's counters mostly are);
 * every other value goes through formatG. The caller leaves room for
 * NUMBER_MAX_BYTES (the digit loop may use them as scratch).
 */
export function writeFloatG(buf: Uint8Array, pos: number, v: number): number {
  if (v === 0 || !Number.isInteger(v) || v > MAX_SAFE || v < -MAX_SAFE) return writeAscii(buf, pos, formatG(v));
  let a = v;
  if (a < 0) {
    buf[pos++] = 45; // '-'
    a = -a;
  }
  // strconv's %g, shortest: plain digits while the exponent is below 6.
  if (a < 1e6) return writeUint32(buf, pos, a);
  // Below 2^53 every integer is exact, so its shortest round-trip digits
  // are its own digits without the trailing zeros: d.ddde+XX.
  const start = pos;
  const end = writeUint(buf, pos, a);
  const exp = end - start - 1;
  let last = end;
  while (buf[last - 1] === 48) last--;
  pos = last;
  if (last - start > 1) {
    buf.copyWithin(start + 2, start + 1, last);
    buf[start + 1] = 46; // '.'
    pos++;
  }
  buf[pos++] = 101; // 'e'
  buf[pos++] = 43; // '+'
  buf[pos++] = 48 + ((exp / 10) | 0);
  buf[pos++] = 48 + (exp % 10);
  return pos;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The most that writeFloatG or writeInt write: "-1.2345678901234567e-308" is 24, String(-1.2345678901234567e-7) 25. */
export const NUMBER_MAX_BYTES = 32;

/**
 * Go's %d for an int64 timestamp held as a number, written as ASCII. The
 * same text as String(n) for every number (what `'' + n` printed before),
 * -0 as 0. The caller leaves room for NUMBER_MAX_BYTES.
 */
export function writeInt(buf: Uint8Array, pos: number, n: number): number {
  if (!Number.isInteger(n) || n > MAX_SAFE || n < -MAX_SAFE) return writeAscii(buf, pos, String(n));
  if (n < 0) {
    buf[pos++] = 45; // '-'
    return writeUint(buf, pos, -n);
  }
  return writeUint(buf, pos, n);
}

/** Decimal digits of a safe non-negative integer. */
function writeUint(buf: Uint8Array, pos: number, a: number): number {
  if (a < 0x100000000) return writeUint32(buf, pos, a);
  // The low 8 digits, zero-padded, after the rest (both exact: % and this division are).
  let lo = a % 1e8;
  pos = writeUint32(buf, pos, (a - lo) / 1e8);
  for (let i = pos + 7; i >= pos; i--) {
    const q = (lo / 10) >>> 0;
    buf[i] = 48 + lo - q * 10;
    lo = q;
  }
  return pos + 8;
}

function writeUint32(buf: Uint8Array, pos: number, a: number): number {
  let x = a >>> 0;
  let end = pos + 1;
  for (let p = 10; p <= x && end < pos + 10; p *= 10) end++;
  for (let i = end - 1; i >= pos; i--) {
    const q = (x / 10) >>> 0;
    buf[i] = 48 + x - q * 10;
    x = q;
  }
  return end;
}

function writeAscii(buf: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
  return pos;
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

/** Go's strconv.Quote. */
export function quote(s: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue; // plain ASCII
    out += s.slice(plainFrom, i);
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        width = 2;
      }
    }
    out += escapeRune(cp, s.slice(i, i + width));
    i += width - 1;
    plainFrom = i + 1;
  }
  return out + s.slice(plainFrom) + '"';
}

function escapeRune(cp: number, ch: string): string {
  switch (cp) {
    case 0x22: return '\\"';
    case 0x5c: return '\\\\';
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x0c: return '\\f';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x0b: return '\\v';
  }
  if (cp >= 0xd800 && cp < 0xe000) return '\\ufffd'; // lone surrogate: Go would see invalid UTF-8
  if (cp >= 0x80 && PRINTABLE.test(ch)) return ch;
  if (cp < 0x80) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** A name Prometheus's legacy (pre-3.0) scheme accepts: model.LabelName.IsValidLegacy. */
const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Prometheus labels.Labels.String(): {a="1", b="2"}; as 3.x writes it, a name
 * outside the legacy charset is quoted too: {"a.b"="1"} (2.x had no such names).
 * Labels are flattened [name, value, …].
 */
export function labelsString(labels: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < labels.length; i += 2) {
    if (i > 0) out += ', ';
    const name = labels[i]!;
    out += (LEGACY_NAME.test(name) ? name : quote(name)) + '=' + quote(labels[i + 1]);
  }
  return out + '}';
}
