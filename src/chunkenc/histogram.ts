// Integer histogram chunks: tsdb/docs/format/chunks.md "Histogram chunk
// data", tsdb/chunkenc/histogram.go (histogramIterator.Next).
//
//   field →    ts    count zeroCount sum  []buckets
//   sample 0   raw   raw   raw       raw  []raw
//   sample 1   delta delta delta     xor  []delta
//   sample >1  dod   dod   dod       xor  []dod
//
// Sample 1 is read with the dod code too: all deltas start at 0. Buckets are
// stored as differences between neighbouring buckets (bucket 0 absolute), so
// a running sum over a sample's buckets gives the absolute counts. A sample
// whose sum is the stale marker carries no buckets; like Prometheus we return
// it with the sum only.
//
// Counts are Go's uint64 (count, zero count) and int64 (bucket differences),
// summed with wrap-around; they are kept as 32-bit halves in typed arrays
// (whose stores wrap as Go does) and turned into float64 as Go's float64(x)
// rounds it (hi·2^32 is exact, so hi·2^32 + lo is one correctly rounded
// addition). A bucket's count is what the API and PromQL see, Histogram.ToFloat:
// `current += float64(diff)` in float64, so beyond 2^53 it follows that
// rounding (checked against 2.42's /api/v1/query).

import { BitReader } from '../encoding/bstream.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import {
  counterResetHint,
  type HistogramSample,
  readHistogramHeader,
  readHistogramLayout,
  sharedParts,
  staleHistogramSample,
  STDecoder,
} from './histogrammeta.js';
import { STALE_HI, STALE_LO } from './stale.js';
import { readVarbitInt, readVarbitIntPair, readVarbitUintPair } from './varbit.js';
import { readXorInto } from './xor.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const TWO_POW_32 = 4294967296;

/** Slots of the 64-bit registers: count, its delta, zero count, its delta. */
const CNT = 0;
const CNT_DELTA = 1;
const ZCNT = 2;
const ZCNT_DELTA = 3;

/** hi[k]:lo[k] += bHi:bLo, wrapping at 64 bits like Go's int64/uint64. */
function add64(hi: Int32Array, lo: Uint32Array, k: number, bHi: number, bLo: number): void {
  const s = lo[k]! + bLo;
  lo[k] = s;
  hi[k] = hi[k]! + bHi + (s > 0xffffffff ? 1 : 0);
}

/** Decodes integer histogram chunk data (encoding 2), starting at the sample count. */
export function decodeHistogram(data: Uint8Array): HistogramSample[] {
  return decodeIntHistogram(data, false);
}

/** Decodes histogramST chunk data (encoding 5): the same plus start timestamps. */
export function decodeHistogramST(data: Uint8Array): HistogramSample[] {
  return decodeIntHistogram(data, true);
}

function decodeIntHistogram(data: Uint8Array, withST: boolean): HistogramSample[] {
  const what = withST ? 'histogramST' : 'histogram';
  const header = readHistogramHeader(data, withST, what);
  const count = header.count;
  const out: HistogramSample[] = [];
  if (count === 0) return out;
  const br = new BitReader(data, 3);
  const layout = readHistogramLayout(br, 1, what);
  // Sample 0 takes ≥ 67 bits (t, count, zero count, sum); each later one ≥ 4.
  const need = 67 + layout.numPositive + layout.numNegative + 4 * (count - 1);
  if (need > br.bitsLeft()) {
    throw new TsdbError(ErrorCode.ShortBuffer, `${what} chunk with ${count} samples needs at least ${need} more bits, has ${br.bitsLeft()}`);
  }
  const np = layout.numPositive;
  const nn = layout.numNegative;
  const { schema, zeroThreshold } = layout;
  const { positiveSpans, negativeSpans, frozenCustom, empty, emptySpans } = sharedParts(layout);

  // Per bucket: the stored value (difference to the previous bucket) and its delta, as int64 halves.
  const pDiff = new Int64Halves(np);
  const pDelta = new Int64Halves(np);
  const nDiff = new Int64Halves(nn);
  const nDelta = new Int64Halves(nn);
  const regHi = new Int32Array(4);
  const regLo = new Uint32Array(4);
  const pair = new Uint32Array(2);
  // The sum, XOR encoded: words (low, high) and leading/trailing window.
  const sumWords = new Uint32Array(2);
  const sumF64 = new Float64Array(sumWords.buffer);
  const sumWindow = new Uint8Array(2);
  const st = withST ? new STDecoder(header.firstSTKnown, header.firstSTChangeOn) : undefined;

  let t = 0;
  let tDelta = 0;
  for (let i = 0; i < count; i++) {
    const prevT = t;
    if (i === 0) {
      t = readVarbitInt(br);
      readVarbitUintPair(br, pair);
      regLo[CNT] = pair[0]!;
      regHi[CNT] = pair[1]!;
      readVarbitUintPair(br, pair);
      regLo[ZCNT] = pair[0]!;
      regHi[ZCNT] = pair[1]!;
      br.readBits64Into(sumWords, 0);
    } else {
      tDelta += readVarbitInt(br);
      t += tDelta;
      // it.cnt = uint64(int64(it.cnt) + it.cntDelta): the same bits either way.
      readVarbitIntPair(br, pair);
      add64(regHi, regLo, CNT_DELTA, pair[1]!, pair[0]!);
      add64(regHi, regLo, CNT, regHi[CNT_DELTA]!, regLo[CNT_DELTA]!);
      readVarbitIntPair(br, pair);
      add64(regHi, regLo, ZCNT_DELTA, pair[1]!, pair[0]!);
      add64(regHi, regLo, ZCNT, regHi[ZCNT_DELTA]!, regLo[ZCNT_DELTA]!);
      readXorInto(br, sumWords, sumWindow, 0);
    }
    const stale = sumWords[1] === STALE_HI && sumWords[0] === STALE_LO;
    if (!(Math.abs(t) <= MAX_SAFE)) throw beyond(what, i, 'timestamp', t, br);

    let sample: HistogramSample;
    if (stale) {
      // Later stale samples carry no buckets; sample 0 has them even when
      // stale (Prometheus then writes an empty layout). Either way it is
      // returned with the sum alone, as Prometheus does.
      if (i === 0) {
        readBuckets(br, 0, pDiff, pDelta, pair);
        readBuckets(br, 0, nDiff, nDelta, pair);
      }
      sample = staleHistogramSample(t, sumF64[0]!, emptySpans, empty);
    } else {
      const positiveBuckets = readBuckets(br, i, pDiff, pDelta, pair);
      const negativeBuckets = readBuckets(br, i, nDiff, nDelta, pair);
      sample = {
        t,
        counterResetHint: counterResetHint(header.counterResetHeader, i),
        schema,
        zeroThreshold,
        // float64 of a uint64.
        zeroCount: (regHi[ZCNT]! >>> 0) * TWO_POW_32 + regLo[ZCNT]!,
        count: (regHi[CNT]! >>> 0) * TWO_POW_32 + regLo[CNT]!,
        sum: sumF64[0]!,
        positiveSpans,
        negativeSpans,
        positiveBuckets,
        negativeBuckets,
      };
      if (frozenCustom) sample.customValues = frozenCustom;
    }
    if (st) sample.st = st.read(br, i, t, prevT);
    out.push(sample);
  }
  return out;
}

/** int64 values of one sign's buckets, as high and low 32-bit halves. */
class Int64Halves {
  readonly hi: Int32Array;
  readonly lo: Uint32Array;
  constructor(n: number) {
    this.hi = new Int32Array(n);
    this.lo = new Uint32Array(n);
  }
}

/**
 * Reads one sample's buckets of one sign and returns their absolute counts,
 * summed as Histogram.ToFloat sums them. Sample 0 stores the differences
 * between buckets; later samples their dods.
 */
function readBuckets(br: BitReader, i: number, diff: Int64Halves, delta: Int64Halves, pair: Uint32Array): number[] {
  const n = diff.hi.length;
  const abs: number[] = [];
  let current = 0;
  for (let j = 0; j < n; j++) {
    readVarbitIntPair(br, pair);
    if (i === 0) {
      diff.lo[j] = pair[0]!;
      diff.hi[j] = pair[1]!;
    } else {
      add64(delta.hi, delta.lo, j, pair[1]!, pair[0]!);
      add64(diff.hi, diff.lo, j, delta.hi[j]!, delta.lo[j]!);
    }
    current += diff.hi[j]! * TWO_POW_32 + diff.lo[j]!;
    abs.push(current);
  }
  return abs;
}

function beyond(what: string, i: number, field: string, v: number, br: BitReader): TsdbError {
  return new TsdbError(ErrorCode.Unsupported, `${what} sample ${i}: ${field} ${v} at bit ${br.bitOffset()} is beyond ±2^53`);
}
