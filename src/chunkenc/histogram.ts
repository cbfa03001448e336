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
import { readVarbitInt, readVarbitUint } from './varbit.js';
import { readXorInto } from './xor.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

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

  // Per bucket: the stored value (difference to the previous bucket) and its delta.
  const pDiff = new Float64Array(np);
  const pDelta = new Float64Array(np);
  const nDiff = new Float64Array(nn);
  const nDelta = new Float64Array(nn);
  // The sum, XOR encoded: words (low, high) and leading/trailing window.
  const sumWords = new Uint32Array(2);
  const sumF64 = new Float64Array(sumWords.buffer);
  const sumWindow = new Uint8Array(2);
  const st = withST ? new STDecoder(header.firstSTKnown, header.firstSTChangeOn) : undefined;

  let t = 0;
  let tDelta = 0;
  let cnt = 0;
  let cntDelta = 0;
  let zcnt = 0;
  let zcntDelta = 0;
  for (let i = 0; i < count; i++) {
    const prevT = t;
    if (i === 0) {
      t = readVarbitInt(br);
      cnt = readVarbitUint(br);
      zcnt = readVarbitUint(br);
      br.readBits64Into(sumWords, 0);
    } else {
      tDelta += readVarbitInt(br);
      t += tDelta;
      cntDelta += readVarbitInt(br);
      cnt += cntDelta;
      zcntDelta += readVarbitInt(br);
      zcnt += zcntDelta;
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
        readBuckets(br, 0, pDiff, pDelta, what);
        readBuckets(br, 0, nDiff, nDelta, what);
      }
      sample = staleHistogramSample(t, sumF64[0]!, emptySpans, empty);
    } else {
      if (!(Math.abs(cnt) <= MAX_SAFE && Math.abs(zcnt) <= MAX_SAFE)) throw beyond(what, i, 'count', cnt, br);
      const positiveBuckets = readBuckets(br, i, pDiff, pDelta, what);
      const negativeBuckets = readBuckets(br, i, nDiff, nDelta, what);
      sample = {
        t,
        counterResetHint: counterResetHint(header.counterResetHeader, i),
        schema,
        zeroThreshold,
        zeroCount: zcnt,
        count: cnt,
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

/**
 * Reads one sample's buckets of one sign and returns their absolute counts.
 * Sample 0 stores the differences between buckets; later samples their dods.
 */
function readBuckets(br: BitReader, i: number, diff: Float64Array, delta: Float64Array, what: string): number[] {
  const n = diff.length;
  const abs: number[] = [];
  let current = 0;
  for (let j = 0; j < n; j++) {
    if (i === 0) {
      diff[j] = readVarbitInt(br);
    } else {
      delta[j] = delta[j]! + readVarbitInt(br);
      diff[j] = diff[j]! + delta[j]!;
    }
    current += diff[j]!;
    if (!(Math.abs(current) <= MAX_SAFE && Math.abs(diff[j]!) <= MAX_SAFE)) {
      throw beyond(what, i, `bucket ${j}`, current, br);
    }
    abs.push(current);
  }
  return abs;
}

function beyond(what: string, i: number, field: string, v: number, br: BitReader): TsdbError {
  return new TsdbError(ErrorCode.Unsupported, `${what} sample ${i}: ${field} ${v} at bit ${br.bitOffset()} is beyond ±2^53`);
}
