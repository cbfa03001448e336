// Histogram.String() / FloatHistogram.String() as promtool 3.x's dump prints
// native histogram samples: bounds from the plain bucket iterators (not cut
// at the zero threshold), integer counts with every digit.

import { describe, expect, it } from 'vitest';
import type { HistogramSample } from '../../src/chunkenc/histogrammeta.js';
import { histogramString } from '../../src/query/histogram-string.js';

function hist(over: Partial<HistogramSample>): HistogramSample {
  return {
    t: 0,
    counterResetHint: 0,
    schema: 0,
    zeroThreshold: 0,
    zeroCount: 0,
    count: 0,
    sum: 1.5,
    positiveSpans: [],
    negativeSpans: [],
    positiveBuckets: [],
    negativeBuckets: [],
    ...over,
  };
}

describe('histogramString', () => {
  it('keeps bounds inside the zero bucket (String() uses the plain iterators)', () => {
    const h = hist({ schema: -4, zeroThreshold: 1e-9, zeroCount: 1, count: 10, positiveSpans: [{ offset: -1, length: 1 }], positiveBuckets: [9] });
    expect(histogramString(h, false)).toBe('{count:10, sum:1.5, [-1e-09,1e-09]:1, (2.3283064365386963e-10,1.52587890625e-05]:9}');
  });

  it('writes integer counts beyond 2^53 with every digit, as %d does', () => {
    const h = hist({ count: 2 ** 62, zeroCount: 2 ** 53 + 4, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [2 ** 63] });
    expect(histogramString(h, false)).toBe('{count:4611686018427387904, sum:1.5, [-0,0]:9007199254740996, (0.5,1]:9223372036854775808}');
    expect(histogramString(h, true)).toBe('{count:4.611686018427388e+18, sum:1.5, [-0,0]:9.007199254740996e+15, (0.5,1]:9.223372036854776e+18}');
  });

  it('writes custom buckets (schema -53) with their bounds: [-Inf,first], then (lower,upper], the last up to +Inf', () => {
    const h = hist({ schema: -53, customValues: [0.00025, 0.1, 0.5], count: 6, positiveSpans: [{ offset: 0, length: 1 }, { offset: 1, length: 2 }], positiveBuckets: [1, 3, 2] });
    expect(histogramString(h, false)).toBe('{count:6, sum:1.5, [-Inf,0.00025]:1, (0.1,0.5]:3, (0.5,+Inf]:2}');
  });
});
