// The full XOR decoder's fast path (tsdb/docs/format/chunks.md "XOR chunk
// data", tsdb/chunkenc/xor.go), reading by 32-bit peeks as xor-scan.ts does,
// but also rebuilding every value: the XOR's significant bits are shifted
// into place on the value's hi/lo halves and written through a Uint32Array
// alias of the Float64Array, so NaN payloads survive bit for bit.
//
// It needs XOR_SCAN_PAD readable bytes after the data (a chunk inside its
// segment buffer has its CRC and the next records there), and gives up
// (-1) on anything unusual; decodeXORInto then runs the careful decoder,
// which also names what is wrong. A property test holds the two together.

import type { VarintResult } from '../encoding/varint.js';
import { alignedUvarint, dodAt, DOD_BITS, peek, unzigzag, XOR_SCAN_PAD } from './xor-scan.js';

/** The uvarints decodeXORPeek reads, synchronously: no object per chunk. */
const vr: VarintResult = { value: 0, next: 0 };

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// Views over the ArrayBuffer last decoded from: chunks of one segment share it.
let lastBuffer: ArrayBufferLike | undefined;
let lastBytes: Uint8Array = new Uint8Array(0);
let lastView: DataView = new DataView(new ArrayBuffer(0));

/**
 * Decodes XOR chunk data (from the sample count on) into t and out (out
 * aliases the values' bits, two words per sample, low word first), when
 * the data's ArrayBuffer has XOR_SCAN_PAD bytes after it. Returns the
 * sample count, or -1 when decodeXORInto's careful path must decide.
 */
export function decodeXORPeek(data: Uint8Array, t: Float64Array, out: Uint32Array): number {
  const start = data.byteOffset;
  const end = start + data.length;
  const buffer = data.buffer;
  if (end - start < 2 || end + XOR_SCAN_PAD > buffer.byteLength) return -1;
  if (buffer !== lastBuffer) {
    lastBuffer = buffer;
    lastBytes = new Uint8Array(buffer);
    lastView = new DataView(buffer);
  }
  const bytes = lastBytes;
  const dv = lastView;
  const count = (bytes[start]! << 8) | bytes[start + 1]!;
  if (count < 2 || t.length < count || out.length < 2 * count) return -1;
  const base = start + 2;
  const bits = (end - base) * 8;

  // Sample 0: a zig-zag varint timestamp and 64 value bits, then sample 1's uvarint delta, byte aligned.
  let o = alignedUvarint(bytes, base, vr);
  if (o < 0) return -1;
  let ts = unzigzag(vr.value);
  let hi = dv.getUint32(o);
  let lo = dv.getUint32(o + 4);
  t[0] = ts;
  out[0] = lo;
  out[1] = hi;
  o = alignedUvarint(bytes, o + 8, vr);
  if (o < 0) return -1;
  let tDelta = vr.value;
  ts += tDelta;

  let p = (o - base) * 8;
  // The window: Go starts each chunk at 0 leading, 0 trailing zeros.
  let leading = 0;
  let trailing = 0;
  let i = 1;
  let w = peek(bytes, dv, base, p);
  // Sample 1's value is read by the general value step below (jumping in past the dod).
  samples: for (;;) {
    // Value: 0 unchanged | 10 reuse window | 11 new window.
    let mbits = 0;
    if (w >>> 31 === 0) p += 1;
    else if (w >>> 30 === 2) {
      mbits = 64 - leading - trailing;
      p += 2;
    } else {
      const lead = (w >>> 25) & 31;
      mbits = (w >>> 19) & 63 || 64;
      if (lead + mbits > 64) return -1;
      leading = lead;
      trailing = 64 - lead - mbits;
      p += 13;
    }
    if (mbits !== 0) {
      let xh = 0;
      let xl: number;
      if (mbits <= 32) xl = peek(bytes, dv, base, p) >>> (32 - mbits);
      else {
        xh = peek(bytes, dv, base, p) >>> (64 - mbits);
        xl = peek(bytes, dv, base, p + mbits - 32);
      }
      p += mbits;
      if (trailing >= 32) {
        xh = xl << (trailing - 32);
        xl = 0;
      } else if (trailing > 0) {
        xh = (xh << trailing) | (xl >>> (32 - trailing));
        xl <<= trailing;
      }
      hi ^= xh;
      lo ^= xl;
    }
    if (!(ts <= MAX_SAFE && ts >= -MAX_SAFE)) return -1;
    t[i] = ts;
    out[2 * i] = lo;
    out[2 * i + 1] = hi;
    if (++i === count) break;
    if (p > bits) return -1;

    w = peek(bytes, dv, base, p);
    // A run of 00 (dod 0, value unchanged), the most common sample.
    while (w >>> 30 === 0) {
      p += 2;
      ts += tDelta;
      if (!(ts <= MAX_SAFE && ts >= -MAX_SAFE)) return -1;
      t[i] = ts;
      out[2 * i] = lo;
      out[2 * i + 1] = hi;
      if (++i === count) break samples;
      if (p > bits) return -1;
      w = peek(bytes, dv, base, p);
    }
    // Delta of delta: 0 | 10 + 14 bits | 110 + 17 | 1110 + 20 | 1111 + 64.
    const ones = Math.min(Math.clz32(~w), 4);
    if (ones !== 0) {
      const dod = dodAt(w, ones, bytes, dv, base, p);
      if (dod !== dod) return -1;
      tDelta += dod;
    }
    p += DOD_BITS[ones]!;
    ts += tDelta;
    w = peek(bytes, dv, base, p);
  }
  return p > bits ? -1 : count;
}
