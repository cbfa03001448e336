// Prometheus orders symbols, label values and series by Go string comparison,
// which is bytewise (tsdb/index/index.go, model/labels.Compare). These are the
// one home of that order: over raw bytes where they are at hand (verify
// judges the bytes Prometheus wrote, valid UTF-8 or not), and over decoded
// strings, whose UTF-8 bytes compare as their code points.

/** Go's bytes.Compare of buf[a, aEnd) and buf[b, bEnd): negative, zero or positive. */
export function compareBytesAt(buf: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): number {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < n; i++) {
    const x = buf[a + i]!;
    const y = buf[b + i]!;
    if (x !== y) return x - y;
  }
  return aEnd - a - (bEnd - b);
}

/**
 * Go's comparison of the UTF-8 encodings of two strings, without encoding them: code point
 * order. (A string decoded from invalid UTF-8 has lost its bytes to U+FFFD; where the order
 * of such bytes matters, compare them with compareBytesAt.)
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointKey(x) < codePointKey(y) ? -1 : 1;
  }
  return a.length - b.length;
}

// UTF-16 code units reordered so that surrogates (code points above
// U+FFFF) sort after U+E000–U+FFFF, as their UTF-8 bytes do.
function codePointKey(u: number): number {
  if (u < 0xd800) return u;
  if (u < 0xe000) return u + 0x2000;
  return u - 0x800;
}

/** Go's labels.Compare over flattened [name, value, …] label lists: the first differing string decides, then the number of labels. */
export function compareLabels(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return compareUtf8(a[i]!, b[i]!);
  }
  return (a.length - b.length) / 2;
}
