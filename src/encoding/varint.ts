// Go's encoding/binary varints (LEB128; signed ones zig-zag encoded), read
// into JS numbers. 64-bit values beyond 2^53 lose precision but keep their
// order and sign, which is all the readers need from such values.

import { ErrorCode, TsdbError } from './errors.js';

/** Result slot reused by the readers so the hot path allocates nothing. */
export interface VarintResult {
  value: number;
  /** Offset just past the varint. */
  next: number;
}

/**
 * Read an unsigned varint at `off`. Throws ShortBuffer if it runs past `end`
 * and BadVarint if it is longer than 10 bytes or overflows 64 bits.
 */
export function readUvarint(buf: Uint8Array, off: number, end: number, out: VarintResult): VarintResult {
  let b = off < end ? buf[off] : -1;
  if (b >= 0 && b < 0x80) {
    out.value = b;
    out.next = off + 1;
    return out;
  }
  let x = 0;
  let s = 1;
  for (let i = 0; i < 10; i++) {
    if (off + i >= end) throw new TsdbError(ErrorCode.ShortBuffer, `varint at offset ${off} runs past the end (${end})`, { offset: Math.max(0, Math.min(off, end - 1)) });
    b = buf[off + i];
    if (b < 0x80) {
      if (i === 9 && b > 1) break;
      out.value = x + b * s;
      out.next = off + i + 1;
      return out;
    }
    x += (b & 0x7f) * s;
    s *= 128;
  }
  throw new TsdbError(ErrorCode.BadVarint, `varint at offset ${off} overflows 64 bits`, { offset: off });
}

/**
 * Undo zig-zag encoding of a value read as unsigned. `lowBit` is bit 0 of
 * the encoded value (bit 0 of its first byte): beyond 2^53, `u` itself is
 * rounded and no longer tells odd from even.
 */
export function zigzag(u: number, lowBit: number): number {
  return lowBit ? -Math.floor(u / 2) - 1 : Math.floor(u / 2);
}

export function readVarint(buf: Uint8Array, off: number, end: number, out: VarintResult): VarintResult {
  readUvarint(buf, off, end, out);
  out.value = zigzag(out.value, buf[off] & 1);
  return out;
}

/** Bytes needed to encode `v` as a uvarint (for hand-built test data and size checks). */
export function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
