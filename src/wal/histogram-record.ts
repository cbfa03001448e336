// The histogram in a (float) histogram sample record, after Prometheus's
// tsdb/record/record.go (DecodeHistogram, DecodeFloatHistogram): counter reset
// hint, schema, zero bucket, count, sum, spans, buckets, and for schema -53
// the custom bucket bounds. Read with a sticky-error Decbuf; every loop stops
// at the first short read, so no count from the record sizes an allocation.

import type { HistogramSample, Span } from '../chunkenc/histogrammeta.js';
import { CUSTOM_BUCKETS_SCHEMA } from '../chunkenc/histogrammeta.js';
import { STALE_HI, STALE_LO } from '../chunkenc/stale.js';
import type { Decbuf } from '../encoding/decbuf.js';
import { ErrorCode } from '../encoding/errors.js';

function int32(d: Decbuf, v: number, what: string): number {
  if (v < -2147483648 || v > 2147483647) {
    d.fail(ErrorCode.Corrupt, `${what} ${v} at offset ${d.off} does not fit in 32 bits`);
    return 0;
  }
  return v;
}

function readSpans(d: Decbuf): Span[] {
  const n = d.uvarint();
  const out: Span[] = [];
  for (let i = 0; i < n && !d.err; i++) {
    const offset = int32(d, d.varint64(), 'span offset');
    const length = d.uvarint32();
    out.push({ offset, length });
  }
  return out;
}

function readCustomValues(d: Decbuf, schema: number): number[] | undefined {
  if (schema !== CUSTOM_BUCKETS_SCHEMA) return undefined;
  const n = d.uvarint();
  const out: number[] = [];
  for (let i = 0; i < n && !d.err; i++) out.push(d.be64Float64());
  return out;
}

const sum = new Float64Array(1);
const sumWords = new Uint32Array(sum.buffer);

/** The sum field, and whether its bits are the stale marker. */
function readSum(d: Decbuf): { sum: number; stale: boolean } {
  d.be64Float64Into(sumWords, 0);
  return { sum: sum[0]!, stale: sumWords[1] === STALE_HI && sumWords[0] === STALE_LO };
}

/**
 * record.DecodeHistogram (integer counts, bucket counts as deltas, undone here) or, with
 * `float`, record.DecodeFloatHistogram (every count a float64). The fields come in one order.
 */
export function readRecordHistogram(d: Decbuf, t: number, float: boolean): HistogramSample {
  const counterResetHint = d.byte();
  const schema = int32(d, d.varint64(), 'schema');
  const zeroThreshold = d.be64Float64();
  const zeroCount = float ? d.be64Float64() : d.uvarint();
  const count = float ? d.be64Float64() : d.uvarint();
  const { sum, stale } = readSum(d);
  const positiveSpans = readSpans(d);
  const negativeSpans = readSpans(d);
  const positiveBuckets = float ? readFloatBuckets(d) : readDeltaBuckets(d);
  const negativeBuckets = float ? readFloatBuckets(d) : readDeltaBuckets(d);
  const customValues = readCustomValues(d, schema);
  const h: HistogramSample = { t, counterResetHint, schema, zeroThreshold, zeroCount, count, sum, positiveSpans, negativeSpans, positiveBuckets, negativeBuckets };
  if (customValues) h.customValues = customValues;
  if (stale) h.stale = true;
  return h;
}

function readDeltaBuckets(d: Decbuf): number[] {
  const n = d.uvarint();
  const out: number[] = [];
  let v = 0;
  for (let i = 0; i < n && !d.err; i++) {
    v += d.varint64();
    out.push(v);
  }
  return out;
}

function readFloatBuckets(d: Decbuf): number[] {
  const n = d.uvarint();
  const out: number[] = [];
  for (let i = 0; i < n && !d.err; i++) out.push(d.be64Float64());
  return out;
}
