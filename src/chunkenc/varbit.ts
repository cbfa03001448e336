// Variable bit-width integers of the histogram chunks (<varbit_int>,
// <varbit_uint> in tsdb/docs/format/chunks.md; tsdb/chunkenc/varbit.go).
//
// A prefix of up to eight 1 bits, ended by a 0 bit unless all eight are 1,
// picks the width of the value that follows:
//
//   0          value 0              11110      12 bits
//   10         3 bits               111110     18 bits
//   110        6 bits               1111110    25 bits
//   1110       9 bits               11111110   56 bits
//                                   11111111   64 bits
//
// Signed values are two's complement in that width, except that Go's reader
// treats only bit patterns strictly above 2^(w-1) as negative, so the range is
// -(2^(w-1) - 1) .. 2^(w-1). We copy that exactly.

import type { BitReader } from '../encoding/bstream.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

const TWO_POW_32 = 4294967296;

/** Value width by the number of leading 1 bits of the prefix. */
const WIDTH = [0, 3, 6, 9, 12, 18, 25, 56, 64] as const;

/** Reads the prefix and returns the width of the value that follows. */
function readWidth(br: BitReader): number {
  const valid = br.valid;
  if (valid >= 8) {
    // Fast path: count the leading 1 bits of the next 8 buffered bits at once.
    const top = (br.buf >>> (valid - 8)) & 0xff;
    const ones = Math.clz32(~(top << 24));
    br.valid = valid - (ones < 8 ? ones + 1 : 8);
    return WIDTH[ones]!;
  }
  let ones = 0;
  while (ones < 8 && br.readBit() === 1) ones++;
  return WIDTH[ones]!;
}

/** Reads a <varbit_int> (putVarbitInt) as an exact JS number. */
export function readVarbitInt(br: BitReader): number {
  const w = readWidth(br);
  if (w === 0) return 0;
  if (w <= 25) {
    const bits = br.readBits(w);
    const half = 1 << (w - 1);
    return bits > half ? bits - half * 2 : bits;
  }
  if (w === 56) {
    const hi = br.readBits(24);
    const lo = br.readBits(32);
    // Negative when the 56-bit pattern is above 2^55 (Go's rule, see top).
    const negative = hi > 0x800000 || (hi === 0x800000 && lo > 0);
    return checkSafe(br, (negative ? hi - 0x1000000 : hi) * TWO_POW_32 + lo, 'varbit int');
  }
  const hi = br.readBits(32);
  const lo = br.readBits(32);
  return checkSafe(br, (hi | 0) * TWO_POW_32 + lo, 'varbit int');
}

/** Reads a <varbit_uint> (putVarbitUint) as an exact JS number. */
export function readVarbitUint(br: BitReader): number {
  const w = readWidth(br);
  if (w === 0) return 0;
  if (w <= 25) return br.readBits(w);
  const hi = br.readBits(w - 32);
  const lo = br.readBits(32);
  return checkSafe(br, hi * TWO_POW_32 + lo, 'varbit uint');
}

/**
 * Reads a <varbit_int> as Go's int64, into p: p[0] the low 32 bits, p[1]
 * the high 32 bits (two's complement), for counts beyond 2^53.
 */
export function readVarbitIntPair(br: BitReader, p: Uint32Array): void {
  const w = readWidth(br);
  if (w <= 25) {
    let v = 0;
    if (w > 0) {
      const bits = br.readBits(w);
      const half = 1 << (w - 1);
      v = bits > half ? bits - half * 2 : bits;
    }
    p[0] = v; // a Uint32Array keeps v mod 2^32: the low half of its two's complement
    p[1] = v < 0 ? -1 : 0;
    return;
  }
  if (w === 56) {
    const hi = br.readBits(24);
    p[0] = br.readBits(32);
    p[1] = hi > 0x800000 || (hi === 0x800000 && p[0]! > 0) ? hi - 0x1000000 : hi;
    return;
  }
  p[1] = br.readBits(32);
  p[0] = br.readBits(32);
}

/** Reads a <varbit_uint> as Go's uint64 into p (p[0] low, p[1] high 32 bits). */
export function readVarbitUintPair(br: BitReader, p: Uint32Array): void {
  const w = readWidth(br);
  if (w <= 25) {
    p[0] = w === 0 ? 0 : br.readBits(w);
    p[1] = 0;
    return;
  }
  p[1] = br.readBits(w - 32);
  p[0] = br.readBits(32);
}

function checkSafe(br: BitReader, v: number, what: string): number {
  if (Number.isSafeInteger(v)) return v;
  throw new TsdbError(
    ErrorCode.Unsupported,
    `${what} ending at bit ${br.bitOffset()} is beyond ±2^53 and cannot be held exactly`,
  );
}
