// Matrix series and histograms as the API marshals them (web/api/v1/api.go
// marshalSeriesJSON, marshalHistogram), on hand-made samples: stale
// markers (float and histogram) are dropped, NaN values are not, floats
// come before histograms, empty buckets are left out.

import { describe, expect, it } from 'vitest';
import type { HistogramSample } from '../../src/chunkenc/histogrammeta.js';
import { boundaryRule, histogramJson, isValidLabelName, matrixSeriesJson } from '../../src/query/api.js';
import { SampleList } from '../../src/chunkenc/sample-list.js';

const STALE_NAN = (() => {
  const b = new DataView(new ArrayBuffer(8));
  b.setUint32(0, 0x7ff00000);
  b.setUint32(4, 0x00000002);
  return b.getFloat64(0);
})();

function hist(t: number, over: Partial<HistogramSample> = {}): HistogramSample {
  return {
    t,
    counterResetHint: 0,
    schema: 0,
    zeroThreshold: 0.001,
    zeroCount: 2,
    count: 10,
    sum: 12.5,
    positiveSpans: [{ offset: 0, length: 3 }],
    negativeSpans: [{ offset: 1, length: 2 }],
    positiveBuckets: [1, 0, 4],
    negativeBuckets: [1, 2],
    ...over,
  };
}

describe('histogramJson', () => {
  it('lists non-empty buckets from the lowest up with their boundary rules', () => {
    // schema 0: positive bucket i is (2^(i-1), 2^i]; negative bucket i is [-2^i, -2^(i-1)).
    expect(histogramJson(hist(0))).toBe(
      '{"count":"10","sum":"12.5","buckets":[[1,"-4","-2","2"],[1,"-2","-1","1"],[3,"-0.001","0.001","2"],[0,"0.5","1","1"],[0,"2","4","4"]]}',
    );
  });

  it('moves a bound inside the zero bucket onto the threshold, as AllBucketIterator does', () => {
    // schema -4: bucket -1 is (2^-32, 2^-16]; its lower bound is below the threshold 1e-9.
    const a = hist(0, { schema: -4, zeroThreshold: 1e-9, zeroCount: 0, count: 9, sum: 1, positiveSpans: [{ offset: -1, length: 1 }], positiveBuckets: [9], negativeSpans: [], negativeBuckets: [] });
    expect(histogramJson(a)).toBe('{"count":"9","sum":"1","buckets":[[0,"1e-09","0.0000152587890625","9"]]}');
    // schema -2: negative bucket -2 is [-2^-8, -2^-12); its upper bound is above -0.001.
    const b = hist(0, { schema: -2, zeroThreshold: 0.001, zeroCount: 1, count: 3, sum: -1, positiveSpans: [], positiveBuckets: [], negativeSpans: [{ offset: -2, length: 2 }], negativeBuckets: [2, 0] });
    expect(histogramJson(b)).toBe('{"count":"3","sum":"-1","buckets":[[1,"-0.00390625","-0.001","2"],[3,"-0.001","0.001","1"]]}');
  });

  it('lists custom buckets (schema -53) with their bounds, the first from -Inf and closed', () => {
    const h = hist(0, { schema: -53, customValues: [0.1, 0.5], zeroThreshold: 0, zeroCount: 0, count: 3, sum: 1, positiveSpans: [{ offset: 0, length: 3 }], positiveBuckets: [1, 1, 1], negativeSpans: [], negativeBuckets: [] });
    expect(histogramJson(h)).toBe('{"count":"3","sum":"1","buckets":[[3,"-Inf","0.1","1"],[0,"0.1","0.5","1"],[0,"0.5","+Inf","1"]]}');
  });

  it('leaves out the buckets key when every bucket is empty', () => {
    expect(histogramJson(hist(0, { zeroCount: 0, positiveBuckets: [0, 0, 0], negativeBuckets: [0, 0], count: 0, sum: 0 }))).toBe('{"count":"0","sum":"0"}');
  });

  it('boundary rules', () => {
    expect(boundaryRule({ lowerInclusive: false, upperInclusive: true })).toBe(0);
    expect(boundaryRule({ lowerInclusive: true, upperInclusive: false })).toBe(1);
    expect(boundaryRule({ lowerInclusive: false, upperInclusive: false })).toBe(2);
    expect(boundaryRule({ lowerInclusive: true, upperInclusive: true })).toBe(3);
  });
});

describe('matrixSeriesJson', () => {
  it('drops stale markers but keeps NaN values, floats first, then histograms', () => {
    const s = new SampleList(2);
    s.pushFloat(1000, 1.5);
    s.pushHistogram(hist(2000), false);
    s.pushFloat(3000, NaN);
    s.pushFloat(4000, STALE_NAN);
    s.pushHistogram({ ...hist(5000), sum: STALE_NAN, stale: true }, false);
    s.pushFloat(6500, 1e-7);
    expect(matrixSeriesJson(['__name__', 'm', 'a', 'x<y'], s)).toBe(
      '{"metric":{"__name__":"m","a":"x\\u003cy"},"values":[[1,"1.5"],[3,"NaN"],[6.500,"1e-07"]],"histograms":[[2,' + histogramJson(hist(2000)) + ']]}',
    );
  });

  it('returns nothing for a series of stale markers only', () => {
    const s = new SampleList();
    s.pushFloat(1000, STALE_NAN);
    s.pushHistogram({ ...hist(2000), sum: STALE_NAN, stale: true }, true);
    expect(matrixSeriesJson(['__name__', 'm'], s)).toBeUndefined();
  });
});

describe('isValidLabelName', () => {
  it('is model.LabelNameRE', () => {
    for (const ok of ['a', '_', '__name__', 'A9_b']) expect(isValidLabelName(ok), ok).toBe(true);
    for (const bad of ['', '9a', 'a-b', 'a.b', 'ü', 'a b']) expect(isValidLabelName(bad), bad).toBe(false);
  });
});
