// What integer and float histogram chunks share: the 3-byte header, the
// layout written once before sample 0 (zero threshold, schema, spans, custom
// bounds), the decoded sample shape, and the start-timestamp (ST) field of the
// ST variants. tsdb/docs/format/chunks.md "Histogram chunk data";
// tsdb/chunkenc/histogram_meta.go, histogram.go, st.go.
//
// The layout is written only with sample 0. An appender that needs new
// buckets re-encodes the whole chunk with the wider layout (Recode), so every
// sample of a chunk has the same schema, threshold and spans.

import type { BitReader } from '../encoding/bstream.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { readVarbitInt, readVarbitUint } from './varbit.js';

export interface Span {
  offset: number;
  length: number;
}

export interface HistogramSample {
  t: number;
  /** A CounterResetHint value. */
  counterResetHint: number;
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number;
  positiveSpans: Span[];
  negativeSpans: Span[];
  /** Absolute bucket counts (integer chunks store deltas; they are undone). */
  positiveBuckets: number[];
  negativeBuckets: number[];
  /** Bucket upper bounds, only for the custom-buckets schema (-53). */
  customValues?: number[];
  /** Set on stale markers (sum = 0x7ff0000000000002), which carry no buckets. */
  stale?: true;
  /** Start timestamp, only for the ST encodings; 0 when none was recorded. */
  st?: number;
}

/** model/histogram CounterResetHint, as Prometheus returns it per sample. */
export const CounterResetHint = { Unknown: 0, CounterReset: 1, NotCounterReset: 2, Gauge: 3 } as const;

/** The top two bits of the counter-reset header byte ("histogram_flags"). */
export const CounterResetHeader = { Unknown: 0b00, CounterReset: 0b10, NotCounterReset: 0b01, Gauge: 0b11 } as const;

/** Schema -53: buckets with explicit bounds, stored after the spans. */
export const CUSTOM_BUCKETS_SCHEMA = -53;


const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const UINT32_MAX = 4294967295;

export interface HistogramHeader {
  count: number;
  /** Two bits, see CounterResetHeader. */
  counterResetHeader: number;
  /** ST variants only: whether sample 0 carries a start timestamp. */
  firstSTKnown: boolean;
  /** ST variants only: the first sample index that carries an ST delta (0: none). */
  firstSTChangeOn: number;
}

/**
 * Reads the 3-byte header. Plain chunks: 16-bit count, then a flags byte
 * whose top two bits are the counter-reset header. ST chunks: the top two
 * bits of byte 0 are the counter-reset header, the next 14 the count, and
 * byte 2 is the ST header (bit 7 first ST known, bits 6-0 first change).
 */
export function readHistogramHeader(data: Uint8Array, st: boolean, what: string): HistogramHeader {
  if (data.length < 3) {
    throw new TsdbError(ErrorCode.ShortBuffer, `${what} chunk data of ${data.length} bytes is shorter than its 3-byte header`);
  }
  const b0 = data[0]!;
  const b2 = data[2]!;
  if (!st) {
    return { count: (b0 << 8) | data[1]!, counterResetHeader: b2 >>> 6, firstSTKnown: false, firstSTChangeOn: 0 };
  }
  return {
    count: ((b0 & 0x3f) << 8) | data[1]!,
    counterResetHeader: b0 >>> 6,
    firstSTKnown: (b2 & 0x80) !== 0,
    firstSTChangeOn: b2 & 0x7f,
  };
}

/**
 * The hint Prometheus attaches to sample i. A gauge chunk makes every sample
 * a gauge; otherwise the header speaks for sample 0 only. (Prometheus 2.42
 * returns CounterReset for a CounterReset header and NotCounterReset after
 * sample 1; later versions return Unknown for sample 0 regardless. We report
 * what the header says and Unknown for the rest.)
 */
export function counterResetHint(header: number, i: number): number {
  if (header === CounterResetHeader.Gauge) return CounterResetHint.Gauge;
  if (i > 0) return CounterResetHint.Unknown;
  if (header === CounterResetHeader.CounterReset) return CounterResetHint.CounterReset;
  if (header === CounterResetHeader.NotCounterReset) return CounterResetHint.NotCounterReset;
  return CounterResetHint.Unknown;
}

export interface HistogramLayout {
  schema: number;
  zeroThreshold: number;
  positiveSpans: Span[];
  negativeSpans: Span[];
  customValues: number[] | undefined;
  /** Buckets covered by the spans. */
  numPositive: number;
  numNegative: number;
}

const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);

/** Reads 64 raw bits as a float64. */
export function readFloat64(br: BitReader): number {
  br.readBits64Into(scratchU32, 0);
  return scratchF64[0]!;
}

/**
 * Zero threshold: byte 0 means 0; 255 is followed by a float64; any other b
 * is 2^(b - 244), the powers of two 2^-243 .. 2^10 (putZeroThreshold).
 */
export function readZeroThreshold(br: BitReader): number {
  const b = br.readByte();
  if (b === 0) return 0;
  if (b === 255) return readFloat64(br);
  // Built from bits: exponent b - 244, biased by 1023, mantissa 0.
  scratchU32[0] = 0;
  scratchU32[1] = (b - 244 + 1023) << 20;
  return scratchF64[0]!;
}

/** num_spans <varbit_uint>, then per span length <varbit_uint>, offset <varbit_int>. */
export function readSpans(br: BitReader, what: string): { spans: Span[]; buckets: number } {
  const at = br.bitOffset();
  const num = readVarbitUint(br);
  // Each span takes at least 2 bits; refuse counts the bytes cannot hold.
  if (num * 2 > br.bitsLeft()) {
    throw new TsdbError(ErrorCode.ShortBuffer, `${what}: ${num} spans at bit ${at} but only ${br.bitsLeft()} bits left`);
  }
  const spans: Span[] = [];
  let buckets = 0;
  for (let i = 0; i < num; i++) {
    const length = readVarbitUint(br);
    const offset = readVarbitInt(br);
    // Go stores them as uint32 / int32.
    if (length > UINT32_MAX || offset < INT32_MIN || offset > INT32_MAX) {
      throw new TsdbError(ErrorCode.Corrupt, `${what}: span ${i} length ${length} offset ${offset} out of range at bit ${br.bitOffset()}`);
    }
    spans.push({ offset, length });
    buckets += length;
  }
  return { spans, buckets };
}

/** Custom bound: varbit_uint u > 0 means (u - 1) / 1000; u = 0 is followed by a float64. */
function readCustomBound(br: BitReader): number {
  const u = readVarbitUint(br);
  return u === 0 ? readFloat64(br) : (u - 1) / 1000;
}

/**
 * Reads the layout before sample 0. bitsPerBucket is the fewest bits a
 * bucket of sample 0 takes (1 for <varbit_int>, 64 for float64), used to
 * refuse bucket counts the remaining bytes cannot hold before allocating.
 */
export function readHistogramLayout(br: BitReader, bitsPerBucket: number, what: string): HistogramLayout {
  const zeroThreshold = readZeroThreshold(br);
  const schema = readVarbitInt(br);
  if (schema < INT32_MIN || schema > INT32_MAX) {
    throw new TsdbError(ErrorCode.Corrupt, `${what}: schema ${schema} is not an int32`);
  }
  const pos = readSpans(br, `${what} positive spans`);
  const neg = readSpans(br, `${what} negative spans`);
  let customValues: number[] | undefined;
  if (schema === CUSTOM_BUCKETS_SCHEMA) {
    const num = readVarbitUint(br);
    // A bound takes at least 5 bits (prefix 10 and 3 value bits).
    if (num * 5 > br.bitsLeft()) {
      throw new TsdbError(ErrorCode.ShortBuffer, `${what}: ${num} custom bounds but only ${br.bitsLeft()} bits left`);
    }
    customValues = [];
    for (let i = 0; i < num; i++) customValues.push(readCustomBound(br));
  }
  const buckets = pos.buckets + neg.buckets;
  if (buckets * bitsPerBucket > br.bitsLeft()) {
    throw new TsdbError(
      ErrorCode.ShortBuffer,
      `${what}: spans cover ${buckets} buckets but only ${br.bitsLeft()} bits are left at bit ${br.bitOffset()}`,
    );
  }
  return {
    schema,
    zeroThreshold,
    positiveSpans: pos.spans,
    negativeSpans: neg.spans,
    customValues,
    numPositive: pos.buckets,
    numNegative: neg.buckets,
  };
}

/**
 * The parts every sample of a chunk shares: one layout for the whole chunk,
 * so its spans and bounds are shared, frozen so that no caller edits them
 * for all samples at once. The empty arrays are for stale samples.
 */
export function sharedParts(layout: HistogramLayout): {
  positiveSpans: Span[];
  negativeSpans: Span[];
  frozenCustom: number[] | undefined;
  empty: number[];
  emptySpans: Span[];
} {
  const freezeSpans = (spans: Span[]): Span[] => Object.freeze(spans.map((s) => Object.freeze(s))) as Span[];
  return {
    positiveSpans: freezeSpans(layout.positiveSpans),
    negativeSpans: freezeSpans(layout.negativeSpans),
    frozenCustom: layout.customValues && (Object.freeze(layout.customValues) as number[]),
    empty: Object.freeze([]) as unknown as number[],
    emptySpans: Object.freeze([]) as unknown as Span[],
  };
}

/**
 * A stale sample: everything but t and the sum zero, as Prometheus returns it,
 * and `stale` set because a NaN's payload is not certain to survive in a JS number.
 */
export function staleHistogramSample(t: number, sum: number, spans: Span[], buckets: number[]): HistogramSample {
  return {
    t,
    stale: true,
    counterResetHint: 0,
    schema: 0,
    zeroThreshold: 0,
    zeroCount: 0,
    count: 0,
    sum,
    positiveSpans: spans,
    negativeSpans: spans,
    positiveBuckets: buckets,
    negativeBuckets: buckets,
  };
}

/**
 * Start timestamps of the ST variants, read after each sample's own fields
 * (stDecoder in st.go). Sample 0: `t - st` as a varint when firstSTKnown.
 * Sample i ≥ firstSTChangeOn > 0: a <varbit_int>; at i = firstSTChangeOn it
 * is `prevT - st`, afterwards the change of that difference.
 */
export class STDecoder {
  st = 0;
  private diff = 0;
  constructor(
    private readonly firstSTKnown: boolean,
    private readonly firstSTChangeOn: number,
  ) {}

  read(br: BitReader, i: number, t: number, prevT: number): number {
    if (i === 0) {
      if (this.firstSTKnown) {
        this.diff = br.readVarint();
        this.st = t - this.diff;
      }
    } else if (this.firstSTChangeOn > 0 && i >= this.firstSTChangeOn) {
      const d = readVarbitInt(br);
      this.diff = i === this.firstSTChangeOn ? d : this.diff + d;
      this.st = prevT - this.diff;
    }
    if (!(Math.abs(this.st) <= Number.MAX_SAFE_INTEGER)) {
      throw new TsdbError(ErrorCode.Unsupported, `start timestamp ${this.st} of sample ${i} at bit ${br.bitOffset()} is beyond ±2^53`);
    }
    return this.st;
  }
}
