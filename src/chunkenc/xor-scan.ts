// A check-only pass over XOR chunk data (tsdb/docs/format/chunks.md "XOR
// chunk data", tsdb/chunkenc/xor.go): it walks every sample's bits to learn
// the count, the first and last timestamps and whether timestamps strictly
// increase, but only skips over value bits, because any 64 bits are a valid
// float. verify needs nothing more, and this is its hottest loop.
//
// It reads by peeking 32 bits at any bit position (a big-endian load plus
// one byte), so a field never straddles a refill. It gives up (returns -1)
// on anything unusual, and the caller then runs the full decoder
// (decodeXORInto), which either decodes the chunk or says exactly what is
// wrong with it. So the scan needs no error messages of its own, and a
// property test holds it to the full decoder's answers.

import { uvarintAt, type VarintResult } from '../encoding/varint.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const TWO_POW_32 = 4294967296;

/**
 * Bytes that must be readable after the chunk data: one sample reads at most
 * 145 bits (a 68-bit dod and a 77-bit value) past the check at its start, and
 * a peek loads 5 bytes.
 */
export const XOR_SCAN_PAD = 32;

/** What the scan learns: `res[0]` the first timestamp, `res[1]` the last. */
export type XORScanResult = Float64Array;

/** The uvarints scanXOR reads, synchronously: no object per chunk. */
const vr: VarintResult = { value: 0, next: 0 };

/** Go's quirk for the 14/17/20-bit dods: only patterns above `half` = 2^(n-1) are negative. */
export function signedDod(bits: number, half: number): number {
  return bits > half ? bits - half * 2 : bits;
}

/**
 * Scans XOR chunk data at bytes[start, end) (from the 2-byte sample count on).
 * `dv` views the same memory as `bytes`, and end + XOR_SCAN_PAD ≤ bytes.length.
 * Returns the sample count with res[0] and res[1] set to the first and last
 * timestamps, and res[2] to 1 when timestamps strictly increase (else 0);
 * or -1 when the full decoder must decide.
 */
export function scanXOR(bytes: Uint8Array, dv: DataView, start: number, end: number, res: XORScanResult): number {
  if (end + XOR_SCAN_PAD > bytes.length || end - start < 2) return -1;
  const count = (bytes[start]! << 8) | bytes[start + 1]!;
  if (count < 2) return -1; // Rare; the decoder handles 0 and 1 samples.
  const base = start + 2;
  const bits = (end - base) * 8;

  // Sample 0: a zig-zag varint timestamp and 64 value bits, then sample 1's uvarint delta, byte aligned.
  let o = alignedUvarint(bytes, base, vr);
  if (o < 0) return -1;
  let ts = unzigzag(vr.value);
  o = alignedUvarint(bytes, o + 8, vr);
  if (o < 0) return -1;
  let tDelta = vr.value;
  const first = ts;
  ts += tDelta;
  let ordered = tDelta > 0;

  // From here on, p is the bit position relative to base.
  let p = (o - base) * 8;
  // Significant bits of the current leading/trailing window; Go starts at 0/0, i.e. 64.
  let mbits = 64;
  // Sample 1's value: 0 unchanged | 10 reuse window | 11 new window.
  let w = peek(bytes, dv, base, p);
  let v = skipValue(w, mbits);
  if (v < 0) return -1;
  p += v & 0xff;
  mbits = v >>> 8;

  for (let i = 2; i < count; i++) {
    if (p > bits) return -1;
    w = peek(bytes, dv, base, p);
    if (w >>> 30 === 0) {
      // 00: dod 0, value unchanged.
      p += 2;
    } else if (w >>> 29 === 2) {
      // 010: dod 0, value within the previous window.
      p += 3 + mbits;
    } else {
      // Delta of delta: 0 | 10 + 14 bits | 110 + 17 | 1110 + 20 | 1111 + 64.
      const ones = Math.min(Math.clz32(~w), 4);
      if (ones !== 0) {
        const dod = dodAt(w, ones, bytes, dv, base, p);
        if (dod !== dod) return -1;
        tDelta += dod;
      }
      p += DOD_BITS[ones]!;
      v = skipValue(peek(bytes, dv, base, p), mbits);
      if (v < 0) return -1;
      p += v & 0xff;
      mbits = v >>> 8;
    }
    ts += tDelta;
    if (tDelta <= 0) ordered = false;
    if (!(ts <= MAX_SAFE && ts >= -MAX_SAFE)) return -1;
  }
  if (p > bits) return -1;
  res[0] = first;
  res[1] = ts;
  res[2] = ordered ? 1 : 0;
  return count;
}

/** Bits a dod takes, by the number of leading 1 bits of its prefix (0 to 4). */
export const DOD_BITS = [1, 16, 20, 24, 68];

/**
 * The dod whose prefix has `ones` (1 to 4) leading 1 bits, from `w`, the 32
 * bits at p (and for the 64-bit form, the bits after them); NaN when it is
 * beyond ±2^53.
 */
export function dodAt(w: number, ones: number, bytes: Uint8Array, dv: DataView, base: number, p: number): number {
  if (ones === 1) return signedDod((w >>> 16) & 0x3fff, 0x2000);
  if (ones === 2) return signedDod((w >>> 12) & 0x1ffff, 0x10000);
  if (ones === 3) return signedDod((w >>> 8) & 0xfffff, 0x80000);
  const dod = (peek(bytes, dv, base, p + 4) | 0) * TWO_POW_32 + peek(bytes, dv, base, p + 36);
  return Number.isSafeInteger(dod) ? dod : NaN;
}

/**
 * A byte-aligned uvarint at bytes[o] (samples 0 and 1 start on byte
 * boundaries) of at most 7 bytes, its value into `out`: returns the offset
 * after it, or < 0 when longer (beyond 2^49, the careful decoder's case).
 */
export function alignedUvarint(bytes: Uint8Array, o: number, out: VarintResult): number {
  return uvarintAt(bytes, o, bytes.length, 7, out);
}

/** Go's zig-zag varint from its uvarint bits. */
export function unzigzag(u: number): number {
  return u % 2 === 1 ? -(u + 1) / 2 : u / 2;
}

/**
 * Skips a <varbit_xor> value whose first bits are the top of `w`: 0 unchanged |
 * 10 reuse the window of `mbits` significant bits | 11, 5 bits leading zeros,
 * 6 bits significant bits (0 means 64), then those bits. Returns the window's
 * significant bits after it, times 256, plus the bits it takes; or -1 for a
 * window wider than 64 bits.
 */
function skipValue(w: number, mbits: number): number {
  if (w >>> 31 === 0) return (mbits << 8) | 1;
  if (w >>> 30 === 2) return (mbits << 8) | (2 + mbits);
  const lead = (w >>> 25) & 31;
  const mb = (w >>> 19) & 63 || 64;
  if (lead + mb > 64) return -1;
  return (mb << 8) | (13 + mb);
}

/** 32 bits starting at bit p after byte `base`, most significant first. */
export function peek(bytes: Uint8Array, dv: DataView, base: number, p: number): number {
  const o = base + (p >>> 3);
  const s = p & 7;
  return ((dv.getUint32(o) << s) | (bytes[o + 4]! >>> (8 - s))) >>> 0;
}
