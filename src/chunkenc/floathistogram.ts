// Float histogram chunks: tsdb/docs/format/chunks.md "Float histogram chunk
// data", tsdb/chunkenc/float_histogram.go (floatHistogramIterator.Next).
//
//   field →    ts          count zeroCount sum []buckets
//   sample 0   varbit_int  raw   raw       raw []raw      (raw = float64)
//   sample 1   delta       xor   xor       xor []xor
//   sample >1  dod         xor   xor       xor []xor
//
// The layout is the same as for integer histograms. Every field is XOR
// encoded against its own previous value with its own leading/trailing
// window; buckets are absolute counts. A stale sum ends the sample early.

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
import { readVarbitInt } from './varbit.js';
import { readXorInto } from './xor.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
// Field slots in the state arrays; buckets follow, positive then negative.
const COUNT = 0;
const ZERO_COUNT = 1;
const SUM = 2;
const FIRST_BUCKET = 3;

/** Decodes float histogram chunk data (encoding 3), starting at the sample count. */
export function decodeFloatHistogram(data: Uint8Array): HistogramSample[] {
  return decodeFloatHistogramChunk(data, false);
}

/** Decodes floathistogramST chunk data (encoding 6): the same plus start timestamps. */
export function decodeFloatHistogramST(data: Uint8Array): HistogramSample[] {
  return decodeFloatHistogramChunk(data, true);
}

function decodeFloatHistogramChunk(data: Uint8Array, withST: boolean): HistogramSample[] {
  const what = withST ? 'floathistogramST' : 'floathistogram';
  const header = readHistogramHeader(data, withST, what);
  const count = header.count;
  const out: HistogramSample[] = [];
  if (count === 0) return out;
  const br = new BitReader(data, 3);
  const layout = readHistogramLayout(br, 64, what);
  const np = layout.numPositive;
  const nn = layout.numNegative;
  // Sample 0 takes ≥ 1 + 3·64 bits plus 64 per bucket; each later one ≥ 4 bits.
  const need = 193 + 64 * (np + nn) + 4 * (count - 1);
  if (need > br.bitsLeft()) {
    throw new TsdbError(ErrorCode.ShortBuffer, `${what} chunk with ${count} samples needs at least ${need} more bits, has ${br.bitsLeft()}`);
  }
  const { schema, zeroThreshold } = layout;
  const { positiveSpans, negativeSpans, frozenCustom, empty, emptySpans } = sharedParts(layout);

  // Every XOR-encoded field's current value as (low, high) words, seen as
  // float64 through `values`, and its leading/trailing window.
  const slots = FIRST_BUCKET + np + nn;
  const words = new Uint32Array(2 * slots);
  const values = new Float64Array(words.buffer);
  const window = new Uint8Array(2 * slots);
  const st = withST ? new STDecoder(header.firstSTKnown, header.firstSTChangeOn) : undefined;

  let t = 0;
  let tDelta = 0;
  for (let i = 0; i < count; i++) {
    const prevT = t;
    let stale: boolean;
    if (i === 0) {
      t = readVarbitInt(br);
      // Sample 0 has all its buckets even when stale (Prometheus then writes an empty layout).
      for (let s = 0; s < slots; s++) br.readBits64Into(words, 2 * s);
      stale = words[2 * SUM + 1] === STALE_HI && words[2 * SUM] === STALE_LO;
    } else {
      tDelta += readVarbitInt(br);
      t += tDelta;
      readXorInto(br, words, window, COUNT);
      readXorInto(br, words, window, ZERO_COUNT);
      readXorInto(br, words, window, SUM);
      stale = words[2 * SUM + 1] === STALE_HI && words[2 * SUM] === STALE_LO;
      if (!stale) for (let s = FIRST_BUCKET; s < slots; s++) readXorInto(br, words, window, s);
    }
    if (!(Math.abs(t) <= MAX_SAFE)) {
      throw new TsdbError(ErrorCode.Unsupported, `${what} sample ${i}: timestamp ${t} at bit ${br.bitOffset()} is beyond ±2^53`);
    }

    let sample: HistogramSample;
    if (stale) {
      sample = staleHistogramSample(t, values[SUM]!, emptySpans, empty);
    } else {
      const positiveBuckets: number[] = [];
      for (let j = 0; j < np; j++) positiveBuckets.push(values[FIRST_BUCKET + j]!);
      const negativeBuckets: number[] = [];
      for (let j = 0; j < nn; j++) negativeBuckets.push(values[FIRST_BUCKET + np + j]!);
      sample = {
        t,
        counterResetHint: counterResetHint(header.counterResetHeader, i),
        schema,
        zeroThreshold,
        zeroCount: values[ZERO_COUNT]!,
        count: values[COUNT]!,
        sum: values[SUM]!,
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
