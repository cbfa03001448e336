// XOR ("Gorilla") float chunks: tsdb/docs/format/chunks.md "XOR chunk data",
// tsdb/chunkenc/xor.go.
//
//   num_samples <uint16> | ts_0 <varint> | v_0 <float64> |
//   ts_1_delta <uvarint> | v_1 <varbit_xor> |
//   ts_n_dod <varbit_ts> | v_n <varbit_xor> ... | padding
//
// Values are handled as bits only: the decoder keeps each value as two 32-bit
// halves and writes them into the output through a Uint32Array alias, so NaN
// payloads (the stale marker 0x7ff0000000000002 among them) reach the
// Float64Array unchanged. No float value passes through a JS number.

import { BitReader } from '../encoding/bstream.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { readVarbitInt } from './varbit.js';
import { decodeXORPeek } from './xor-peek.js';
import { numSamples } from './header.js';
import { STALE_HI, STALE_LO } from './stale.js';
import { signedDod } from './xor-scan.js';

const TWO_POW_32 = 4294967296;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export interface XORSamples {
  /** Timestamps in ms (int64 values, exact as JS numbers). */
  t: Float64Array;
  /** Values, bit-exact. */
  v: Float64Array;
  count: number;
}

/**
 * Fewest bits `count` samples can take after the 2-byte header: sample 0 is
 * a 1-byte varint and 64 bits, sample 1 a 1-byte uvarint and 1 bit, every
 * later one a 0 dod bit and a 0 value bit.
 */
export function xorMinBits(count: number): number {
  if (count === 0) return 0;
  if (count === 1) return 72;
  return 81 + 2 * (count - 2);
}

/**
 * Reads one <varbit_xor> value into words[2i] (low half) / words[2i + 1]
 * (high half), given its previous value there. window[2i] and window[2i + 1]
 * hold the leading and trailing zero counts carried between values (xorRead
 * in xor.go). Shared with the histogram chunks.
 */
export function readXorInto(br: BitReader, words: Uint32Array, window: Uint8Array, i: number): void {
  if (br.readBit() === 0) return; // Value unchanged.
  readXorChanged(br, words, window, i);
}

/** The rest of a <varbit_xor> after its leading 1 bit: 0 reuse window, 1 new window. */
export function readXorChanged(br: BitReader, words: Uint32Array, window: Uint8Array, i: number): void {
  if (br.readBit() === 0) readXorReuse(br, words, window, i);
  else readXorNewWindow(br, words, window, i);
}

/** Significant bits in the previous leading/trailing window. */
export function readXorReuse(br: BitReader, words: Uint32Array, window: Uint8Array, i: number): void {
  const trailing = window[2 * i + 1]!;
  xorSignificant(br, words, i, 64 - window[2 * i]! - trailing, trailing);
}

/** A new window: 5 bits leading zeros, 6 bits significant bits (0 means 64), then those bits. */
export function readXorNewWindow(br: BitReader, words: Uint32Array, window: Uint8Array, i: number): void {
  const lead = br.readBits(5);
  const mbits = br.readBits(6) || 64;
  const trailing = 64 - lead - mbits;
  if (trailing < 0) throw wideWindow(br, lead, mbits);
  window[2 * i] = lead;
  window[2 * i + 1] = trailing;
  xorSignificant(br, words, i, mbits, trailing);
}

/** Reads mbits bits, shifts them left by `trailing` and XORs them into value i. */
function xorSignificant(br: BitReader, words: Uint32Array, i: number, mbits: number, trailing: number): void {
  let xh = 0;
  let xl: number;
  if (mbits <= 32) {
    xl = br.readBits(mbits);
  } else {
    xh = br.readBits(mbits - 32);
    xl = br.readBits(32);
  }
  if (trailing >= 32) {
    // Then mbits ≤ 32: everything lands in the high half.
    xh = xl << (trailing - 32);
    xl = 0;
  } else if (trailing > 0) {
    xh = (xh << trailing) | (xl >>> (32 - trailing));
    xl = xl << trailing;
  }
  const w = 2 * i;
  words[w] = words[w]! ^ xl;
  words[w + 1] = words[w + 1]! ^ xh;
}

/**
 * Decodes XOR chunk data (after the encoding byte, starting with the sample
 * count) into timestamps and bit-exact values.
 */
export function decodeXOR(data: Uint8Array): XORSamples {
  const count = numSamples(data);
  checkXorBits(data, count);
  const t = new Float64Array(count);
  const v = new Float64Array(count);
  decodeXORInto(data, t, v, new Uint32Array(v.buffer));
  return { t, v, count };
}

function checkXorBits(data: Uint8Array, count: number): void {
  const have = (data.length - 2) * 8;
  const need = xorMinBits(count);
  if (have < need) {
    throw new TsdbError(
      ErrorCode.ShortBuffer,
      `xor chunk with ${count} samples needs at least ${need} bits, has ${have}`,
    );
  }
}

// Scratch for the running value and window, reused so a decode allocates nothing.
const cur = new Uint32Array(2);
const window = new Uint8Array(2);

/**
 * Decodes XOR chunk data into caller-owned arrays (at least `count` long;
 * `out` aliases `v`'s bits) and returns the sample count. Verify reuses one
 * scratch pair for every chunk, so the hot loop allocates nothing.
 */
export function decodeXORInto(data: Uint8Array, t: Float64Array, v: Float64Array, out: Uint32Array): number {
  const count = numSamples(data);
  checkXorBits(data, count);
  if (t.length < count || v.length < count) throw new RangeError(`xor scratch arrays hold ${Math.min(t.length, v.length)} samples, chunk has ${count}`);
  if (count === 0) return 0;
  // The fast path (xor-peek.ts) when memory after the data allows; it declines what is odd.
  const fast = decodeXORPeek(data, t, out);
  return fast >= 0 ? fast : decodeXORBits(data, count, t, out);
}

/**
 * The careful decoder behind decodeXORInto: a BitReader that stops at the
 * data's end and says what is wrong, for the chunks the fast path declines.
 */
export function decodeXORBits(data: Uint8Array, count: number, t: Float64Array, out: Uint32Array): number {
  const br = new BitReader(data, 2);

  let ts = br.readVarint();
  // The running value as (low, high) words in `cur`; only the bits matter.
  cur[1] = br.readBits(32);
  cur[0] = br.readBits(32);
  t[0] = ts;
  out[0] = cur[0]!;
  out[1] = cur[1]!;
  if (count === 1) return 1;

  let tDelta = br.readUvarint();
  ts += tDelta;
  if (!(ts <= MAX_SAFE && ts >= -MAX_SAFE)) throw tooBig(br, 1, ts);
  // Go's iterator starts each chunk with a 0/0 window (xorIterator.Reset), not the last chunk's.
  window[0] = 0;
  window[1] = 0;
  for (let i = 1; i < count; i++) {
    if (i > 1) {
      // Delta of delta: 0 | 10 + 14 bits | 110 + 17 | 1110 + 20 | 1111 + 64.
      if (br.readBit() !== 0) {
        let dod: number;
        if (br.readBit() === 0) dod = signedDod(br.readBits(14), 0x2000);
        else if (br.readBit() === 0) dod = signedDod(br.readBits(17), 0x10000);
        else if (br.readBit() === 0) dod = signedDod(br.readBits(20), 0x80000);
        else {
          const dh = br.readBits(32);
          dod = (dh | 0) * TWO_POW_32 + br.readBits(32);
          if (!Number.isSafeInteger(dod)) throw tooBig(br, i, dod);
        }
        tDelta += dod;
      }
      ts += tDelta;
    }
    // Value: 0 unchanged | 1 then 0 reuse window | 1 then 1 new window.
    readXorInto(br, cur, window, 0);
    if (!(ts <= MAX_SAFE && ts >= -MAX_SAFE)) throw tooBig(br, i, ts);
    t[i] = ts;
    out[2 * i] = cur[0]!;
    out[2 * i + 1] = cur[1]!;
  }
  return count;
}

function wideWindow(br: BitReader, lead: number, mbits: number): TsdbError {
  return new TsdbError(
    ErrorCode.Corrupt,
    `xor value at bit ${br.bitOffset()}: ${lead} leading zeros and ${mbits} significant bits exceed 64`,
  );
}

function tooBig(br: BitReader, i: number, ts: number): TsdbError {
  return new TsdbError(
    ErrorCode.Unsupported,
    `xor chunk sample ${i}: timestamp ${ts} ending at bit ${br.bitOffset()} is beyond ±2^53`,
  );
}

// XOR2 float chunks (encoding 4, Prometheus 3.11+): tsdb/docs/format/chunks.md
// "XOR2 chunk data", tsdb/chunkenc/xor2.go. Samples 0 and 1 as in XOR, after
// a third header byte, the ST header (bit 7: sample 0 has an ST; bits 6-0:
// first sample index with an ST delta). From sample 2 a joint prefix:
//
//   0                dod 0, value unchanged
//   10               dod 0, value changed: 0 reuse window | 1 new window
//   110  + 13 bits   dod (two's complement), then a value
//   1110 + 20 bits   dod, then a value
//   11110 + 64 bits  dod, then a value
//   11111            dod 0, stale marker
//
// A value (sample 1 and after a dod) is 0 unchanged | 10 reuse window |
// 110 new window | 111 stale marker. Values XOR against the last non-stale
// value, so a stale marker does not disturb the chain.


export interface XOR2Samples extends XORSamples {
  /** Start timestamps, present when the ST header says any were written. */
  st?: Float64Array;
}

/** Decodes XOR2 chunk data (after the encoding byte, starting with the sample count). */
export function decodeXOR2(data: Uint8Array): XOR2Samples {
  if (data.length < 3) {
    throw new TsdbError(ErrorCode.ShortBuffer, `xor2 chunk data of ${data.length} bytes is shorter than its 3-byte header`);
  }
  const count = (data[0]! << 8) | data[1]!;
  const firstSTKnown = (data[2]! & 0x80) !== 0;
  const firstSTChangeOn = data[2]! & 0x7f;
  // Sample 0 ≥ 72 bits, sample 1 ≥ 9, each later one ≥ 1.
  const need = count === 0 ? 0 : count === 1 ? 72 : 81 + (count - 2);
  const have = (data.length - 3) * 8;
  if (have < need) {
    throw new TsdbError(ErrorCode.ShortBuffer, `xor2 chunk with ${count} samples needs at least ${need} bits, has ${have}`);
  }
  const t = new Float64Array(count);
  const v = new Float64Array(count);
  const hasST = firstSTKnown || firstSTChangeOn > 0;
  const st = hasST ? new Float64Array(count) : undefined;
  const result: XOR2Samples = st ? { t, v, count, st } : { t, v, count };
  if (count === 0) return result;
  const out = new Uint32Array(v.buffer);
  // base: the last non-stale value (XOR baseline); window: leading/trailing.
  const base = new Uint32Array(2);
  const window = new Uint8Array(2);
  const br = new BitReader(data, 3);

  let ts = br.readVarint();
  const hi0 = br.readBits(32);
  const lo0 = br.readBits(32);
  t[0] = ts;
  out[0] = lo0;
  out[1] = hi0;
  if (!(hi0 === STALE_HI && lo0 === STALE_LO)) {
    base[0] = lo0;
    base[1] = hi0;
  }
  let stValue = 0;
  let stDiff = 0;
  if (firstSTKnown) stValue = ts - br.readVarint();
  if (!(Math.abs(stValue) <= MAX_SAFE)) throw tooBig(br, 0, stValue);
  if (st) st[0] = stValue;

  let tDelta = 0;
  for (let i = 1; i < count; i++) {
    const prevT = ts;
    let stale = false;
    if (i === 1) {
      tDelta = br.readUvarint();
      ts += tDelta;
      stale = readXor2Value(br, base, window);
    } else if (br.readBit() === 0) {
      ts += tDelta; // 0: dod 0, value unchanged.
    } else if (br.readBit() === 0) {
      ts += tDelta; // 10: dod 0, value changed.
      if (br.readBit() === 0) readXorReuse(br, base, window, 0);
      else readXorNewWindow(br, base, window, 0);
    } else {
      let dod = 0;
      let dodZero = false;
      if (br.readBit() === 0) {
        const b = br.readBits(13); // 110
        dod = b >= 0x1000 ? b - 0x2000 : b;
      } else if (br.readBit() === 0) {
        const b = br.readBits(20); // 1110
        dod = b >= 0x80000 ? b - 0x100000 : b;
      } else if (br.readBit() === 0) {
        const hi = br.readBits(32); // 11110
        dod = (hi | 0) * TWO_POW_32 + br.readBits(32);
        if (!Number.isSafeInteger(dod)) throw tooBig(br, i, dod);
      } else {
        dodZero = true; // 11111: dod 0, stale marker.
        stale = true;
      }
      tDelta += dod;
      ts += tDelta;
      if (!dodZero) stale = readXor2Value(br, base, window);
    }
    if (!(ts <= MAX_SAFE && ts >= -MAX_SAFE)) throw tooBig(br, i, ts);
    t[i] = ts;
    if (stale) {
      out[2 * i] = STALE_LO;
      out[2 * i + 1] = STALE_HI;
    } else {
      out[2 * i] = base[0]!;
      out[2 * i + 1] = base[1]!;
    }
    if (firstSTChangeOn > 0 && i >= firstSTChangeOn) {
      // `prevT - st` at the first change, then the change of that difference.
      const d = readVarbitInt(br);
      stDiff = i === firstSTChangeOn ? d : stDiff + d;
      stValue = prevT - stDiff;
      if (!(Math.abs(stValue) <= MAX_SAFE)) throw tooBig(br, i, stValue);
    }
    if (st) st[i] = stValue;
  }
  return result;
}

/** <varbit_xor2>: 0 unchanged | 10 reuse | 110 new window | 111 stale. Returns whether stale. */
function readXor2Value(br: BitReader, base: Uint32Array, window: Uint8Array): boolean {
  if (br.readBit() === 0) return false;
  if (br.readBit() === 0) {
    readXorReuse(br, base, window, 0);
    return false;
  }
  if (br.readBit() === 0) {
    readXorNewWindow(br, base, window, 0);
    return false;
  }
  return true;
}
