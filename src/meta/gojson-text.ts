// The lexical half of Go's encoding/json (scanner.go, decode.go's unquote):
// whitespace, numbers and strings exactly as Go accepts and decodes them.
// Unlike JSON.parse: invalid UTF-8 in a string becomes U+FFFD byte by byte
// (utf8.DecodeRune), and so does an unpaired \u surrogate.

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** JSON whitespace as Go's scanner knows it (isSpace): no BOM, no NBSP. */
export function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/** The end of the number starting at `i`, or the offset of the byte that breaks JSON's grammar (as the negated offset minus 1). */
export function scanNumber(b: Uint8Array, i: number): number {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (isDigit(b[i]) && b[i] !== 0x30) while (isDigit(b[i])) i++;
  else return -i - 1;
  if (b[i] === 0x2e) {
    if (!isDigit(b[++i])) return -i - 1;
    while (isDigit(b[i])) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (!isDigit(b[i])) return -i - 1;
    while (isDigit(b[i])) i++;
  }
  return i;
}

/** A string read from its opening quote, or where and why it is not one. */
export type StringScan = { ok: true; value: string; end: number } | { ok: false; at: number; why: string };

function hex4(b: Uint8Array, i: number): number {
  let v = 0;
  for (let k = i; k < i + 4; k++) {
    const c = b[k];
    if (c === undefined) return -1;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

const ESCAPES: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };

/** The string whose opening quote is at `i`, decoded as Go's unquote decodes it. */
export function scanString(b: Uint8Array, i: number): StringScan {
  let out = '';
  let k = i + 1;
  for (;;) {
    // A run of plain bytes, then one escape or the closing quote.
    const start = k;
    while (k < b.length && b[k]! >= 0x20 && b[k] !== 0x22 && b[k] !== 0x5c) k++;
    if (k > start) out += decodeRun(b, start, k);
    const c = b[k];
    if (c === undefined) return { ok: false, at: k, why: 'unexpected end of JSON input' };
    if (c === 0x22) return { ok: true, value: out, end: k + 1 };
    if (c < 0x20) return { ok: false, at: k, why: `invalid character ${quoteByte(c)} in string literal` };
    const e = b[k + 1];
    if (e === undefined) return { ok: false, at: k + 1, why: 'unexpected end of JSON input' };
    if (e !== 0x75) {
      const s = ESCAPES[e];
      if (s === undefined) return { ok: false, at: k + 1, why: `invalid character ${quoteByte(e)} in string escape code` };
      out += s;
      k += 2;
      continue;
    }
    const r = hex4(b, k + 2);
    if (r < 0) return { ok: false, at: k + 2, why: 'invalid \\u escape in string literal' };
    k += 6;
    if (r < 0xd800 || r > 0xdfff) {
      out += String.fromCharCode(r);
      continue;
    }
    // A surrogate: only a high one followed by an escaped low one makes a pair (utf16.DecodeRune).
    const r2 = b[k] === 0x5c && b[k + 1] === 0x75 ? hex4(b, k + 2) : -1;
    if (r < 0xdc00 && r2 >= 0xdc00 && r2 <= 0xdfff) {
      out += String.fromCharCode(r, r2);
      k += 6;
    } else out += '\ufffd';
  }
}

/** Bytes of a string as text; invalid UTF-8 becomes one U+FFFD per bad byte, as Go's utf8.DecodeRune reads it. */
function decodeRun(b: Uint8Array, from: number, to: number): string {
  try {
    return utf8.decode(b.subarray(from, to));
  } catch {
    let s = '';
    for (let k = from; k < to; ) {
      const n = runeLength(b, k, to);
      s += n > 0 ? utf8.decode(b.subarray(k, k + n)) : '\ufffd';
      k += n > 0 ? n : 1;
    }
    return s;
  }
}

/** The length of the valid UTF-8 sequence at `k` (before `to`), or 0 (Go's utf8 acceptRanges). */
function runeLength(b: Uint8Array, k: number, to: number): number {
  const c = b[k]!;
  if (c < 0x80) return 1;
  const cont = (j: number, lo = 0x80, hi = 0xbf) => j < to && b[j]! >= lo && b[j]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(k + 1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const [lo, hi] = c === 0xe0 ? [0xa0, 0xbf] : c === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(k + 1, lo, hi) && cont(k + 2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const [lo, hi] = c === 0xf0 ? [0x90, 0xbf] : c === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(k + 1, lo, hi) && cont(k + 2) && cont(k + 3) ? 4 : 0;
  }
  return 0;
}

/** A byte as Go's scanner quotes it in errors ('x', or '\x01' for control bytes). */
export function quoteByte(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}
