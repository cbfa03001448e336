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

/** uvarintAt's answers other than an offset: the varint ran into `end`, or it is too long. */
export const VARINT_CUT = -1;
export const VARINT_LONG = -2;

/**
 * The one loop that reads a uvarint (Go's binary.Uvarint): at most `maxBytes`
 * (≤ 10) bytes of buf[off, end), its value into out.value. Returns the
 * offset just past it, VARINT_CUT when `end` comes first, or VARINT_LONG
 * when it takes more than `maxBytes` bytes or overflows 64 bits. Throws
 * nothing, so each format words its own error and hot paths stay cheap.
 */
export function uvarintAt(buf: Uint8Array, off: number, end: number, maxBytes: number, out: VarintResult): number {
  let x = 0;
  let s = 1;
  for (let i = 0; i < maxBytes; i++) {
    if (off + i >= end) return VARINT_CUT;
    const b = buf[off + i]!;
    if (b < 0x80) {
      if (i === 9 && b > 1) return VARINT_LONG;
      out.value = x + b * s;
      return off + i + 1;
    }
    x += (b & 0x7f) * s;
    s *= 128;
  }
  return VARINT_LONG;
}

/**
 * Read an unsigned varint at `off`. Throws ShortBuffer if it runs past `end`
 * and BadVarint if it is longer than 10 bytes or overflows 64 bits.
 */
export function readUvarint(buf: Uint8Array, off: number, end: number, out: VarintResult): VarintResult {
  const b = off < end ? buf[off]! : 0x80;
  if (b < 0x80) {
    out.value = b;
    out.next = off + 1;
    return out;
  }
  const next = uvarintAt(buf, off, end, 10, out);
  if (next === VARINT_CUT) throw new TsdbError(ErrorCode.ShortBuffer, `varint at offset ${off} runs past the end (${end})`, { offset: Math.max(0, Math.min(off, end - 1)) });
  if (next === VARINT_LONG) throw new TsdbError(ErrorCode.BadVarint, `varint at offset ${off} overflows 64 bits`, { offset: off });
  out.next = next;
  return out;
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

/** A uint64 as two 32-bit halves, and the offset past the varint it came from. */
export interface Uint64Result {
  hi: number;
  lo: number;
  next: number;
}

const TWO_POW_32 = 4294967296;

/**
 * uvarintAt over the full 64 bits, exactly, as halves into `out` (Go's
 * Uvarint64 and Varint64 read their zig-zag bits from this). Same answers.
 */
export function uvarint64At(buf: Uint8Array, off: number, end: number, out: Uint64Result): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    const p = off + i;
    if (p >= end) return VARINT_CUT;
    const c = buf[p]!;
    const bits = c & 0x7f;
    // Byte i carries bits 7i .. 7i+6 of the value.
    const shift = 7 * i;
    if (shift < 28) lo |= bits << shift;
    else if (shift === 28) {
      lo |= (bits & 0xf) << 28;
      hi |= bits >>> 4;
    } else hi |= bits << (shift - 32);
    if (c < 0x80) {
      // Go's errOverflow: the 10th byte may only carry bit 63.
      if (i === 9 && c > 1) return VARINT_LONG;
      out.hi = hi >>> 0;
      out.lo = lo >>> 0;
      out.next = p + 1;
      return p + 1;
    }
  }
  return VARINT_LONG;
}

/** The int64 whose zig-zag bits are hi:lo; beyond 2^53 rounded, with its sign. */
export function zigzag64(hi: number, lo: number): number {
  // value = (u >>> 1) ^ -(u & 1), on the halves.
  const mhi = hi >>> 1;
  const mlo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
  const mag = mhi * TWO_POW_32 + mlo;
  return lo & 1 ? -mag - 1 : mag;
}
