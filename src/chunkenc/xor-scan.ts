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

/** Go's quirk for the 14/17/20-bit dods: only patterns above 2^(n-1) are negative. */
function signedDod(bits: number, half: number): number {
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

  // Sample 0: a zig-zag varint timestamp and 64 value bits, byte aligned.
  let o = base;
  let u = 0;
  let mul = 1;
  let x = 0;
  for (let k = 0; k < 7; k++) {
    x = bytes[o++]!;
    u += (x & 0x7f) * mul;
    mul *= 128;
    if (x < 0x80) break;
  }
  if (x >= 0x80) return -1; // Longer than 7 bytes (beyond 2^49): the decoder's case.
  let ts = u % 2 === 1 ? -(u + 1) / 2 : u / 2;
  o += 8;
  // Sample 1: a uvarint delta, still byte aligned.
  u = 0;
  mul = 1;
  for (let k = 0; k < 7; k++) {
    x = bytes[o++]!;
    u += (x & 0x7f) * mul;
    mul *= 128;
    if (x < 0x80) break;
  }
  if (x >= 0x80) return -1;
  let tDelta = u;
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
      if (w >>> 31 === 0) p += 1;
      else {
        const ones = Math.clz32(~w);
        let dod: number;
        if (ones === 1) {
          dod = signedDod((w >>> 16) & 0x3fff, 0x2000);
          p += 16;
        } else if (ones === 2) {
          dod = signedDod((w >>> 12) & 0x1ffff, 0x10000);
          p += 20;
        } else if (ones === 3) {
          dod = signedDod((w >>> 8) & 0xfffff, 0x80000);
          p += 24;
        } else {
          dod = (peek(bytes, dv, base, p + 4) | 0) * TWO_POW_32 + peek(bytes, dv, base, p + 36);
          if (!Number.isSafeInteger(dod)) return -1;
          p += 68;
        }
        tDelta += dod;
      }
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
