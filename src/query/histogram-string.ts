// Prometheus's Histogram.String() / FloatHistogram.String(), as newer
// promtool dump prints native histogram samples:
// {count:N, sum:S, [lo,hi):n, …} with negative buckets first (highest
// first), then the zero bucket, then positive buckets; empty ones skipped.

import { CUSTOM_BUCKETS_SCHEMA, type HistogramSample, type Span } from '../chunkenc/histogrammeta.js';
import { getBound } from './buckets.js';
import { formatG } from './goformat.js';

export interface Bucket {
  lower: number;
  upper: number;
  lowerInclusive: boolean;
  upperInclusive: boolean;
  count: number;
}

/**
 * Buckets in index order, as the regular bucket iterator yields them
 * (baseBucketIterator.at): exponential buckets include the bound farther
 * from zero; custom buckets are (lower, upper], the first one [-Inf, upper].
 */
export function buckets(spans: readonly Span[], counts: readonly number[], schema: number, positive: boolean, customValues?: readonly number[]): Bucket[] {
  const custom = schema === CUSTOM_BUCKETS_SCHEMA;
  const out: Bucket[] = [];
  let idx = 0;
  let b = 0;
  for (let s = 0; s < spans.length; s++) {
    idx += spans[s].offset;
    for (let k = 0; k < spans[s].length && b < counts.length; k++, idx++, b++) {
      const lower = positive ? getBound(idx - 1, schema, customValues) : -getBound(idx, schema, customValues);
      const upper = positive ? getBound(idx, schema, customValues) : -getBound(idx - 1, schema, customValues);
      const lowerInclusive = custom ? idx === 0 : lower < 0;
      out.push({ lower, upper, lowerInclusive, upperInclusive: custom || upper > 0, count: counts[b] });
    }
  }
  return out;
}

function bucketString(b: Bucket, count: string): string {
  return (b.lowerInclusive ? '[' : '(') + formatG(b.lower) + ',' + formatG(b.upper) + (b.upperInclusive ? ']' : ')') + ':' + count;
}

/**
 * An integer histogram's count as Go's %d writes a uint64 (bucket counts are
 * uint64 of the int64 sum): every digit, also beyond 2^53 where String() would
 * round (2^62 is 4611686018427387904, not 4611686018427388000). Counts beyond
 * 2^53 are the float64 values the decoder keeps, so one a float64 cannot hold
 * prints as its nearest float64.
 */
function formatUint(n: number): string {
  if (Number.isSafeInteger(n) && n >= 0) return String(n);
  return BigInt.asUintN(64, BigInt(n)).toString();
}

export function histogramString(h: HistogramSample, float: boolean): string {
  const num = float ? formatG : formatUint;
  let s = '{count:' + num(h.count) + ', sum:' + formatG(h.sum);
  const neg = buckets(h.negativeSpans, h.negativeBuckets, h.schema, false, h.customValues);
  for (let i = neg.length - 1; i >= 0; i--) if (neg[i].count !== 0) s += ', ' + bucketString(neg[i], num(neg[i].count));
  if (h.zeroCount !== 0) {
    const z = h.zeroThreshold;
    s += ', ' + bucketString({ lower: -z, upper: z, lowerInclusive: true, upperInclusive: true, count: h.zeroCount }, num(h.zeroCount));
  }
  for (const b of buckets(h.positiveSpans, h.positiveBuckets, h.schema, true, h.customValues)) if (b.count !== 0) s += ', ' + bucketString(b, num(b.count));
  return s + '}';
}
