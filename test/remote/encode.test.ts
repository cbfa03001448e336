// The WriteRequest encoding: NaN payloads (stale markers) survive protobufjs
// bit for bit, also once its encoder runs hot; histograms carry deltas or
// counts by kind, custom bounds, and a stale marker in the sum.

import { uncompressSync } from '@napi-rs/snappy';
import { describe, expect, it } from 'vitest';
import type { HistogramSample } from '../../src/chunkenc/histogrammeta.js';
import { SampleList } from '../../src/chunkenc/sample-list.js';
import { STALE_HI, STALE_LO } from '../../src/chunkenc/stale.js';
import { encodeWriteRequest, floatSamples, histogramMsg, labelMsgs, writeRequestBody } from '../../src/remote/encode.js';
import { WriteRequest } from '../../src/remote/prompb.js';
import { bitsOf } from './receiver.js';

const decode = (bytes: Uint8Array) => WriteRequest.toObject(WriteRequest.decode(bytes), { longs: Number, arrays: true }) as { timeseries: { samples: { value: number; timestamp: number }[]; histograms: Record<string, any>[] }[] };

describe('float samples', () => {
  it('keep every NaN payload and every other value bit for bit, many times over', () => {
    // Stale markers, the ordinary NaN, a NaN with another payload, -0, ±Inf among plain values.
    const words: [number, number][] = [[STALE_LO, STALE_HI], [1, 0x7ff80000], [0xdeadbeef, 0xfff12345], [0, 0x80000000], [0, 0x7ff00000], [0, 0xfff00000]];
    const s = new SampleList();
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const w = words[i % 7];
      if (w) s.pushFloatWords(i, w[0], w[1]);
      else s.pushFloat(i, i * 0.5);
    }
    const want = Array.from({ length: n }, (_, i) => bitsOf(s.v[i]!));
    // Batches of 2000, as push sends them: the encoder is optimised long before the last.
    const got: string[] = [];
    for (let i = 0; i < n; i += 2000) {
      const bytes = uncompressSync(writeRequestBody([{ labels: labelMsgs(['__name__', 'x']), samples: floatSamples(s, i, i + 2000) }]));
      for (const x of decode(bytes).timeseries[0]!.samples) got.push(bitsOf(x.value));
    }
    expect(got.filter((b) => b === '7ff00000:2')).toHaveLength(Math.ceil(n / 7));
    expect(got).toEqual(want);
  });
});

const hist = (over: Partial<HistogramSample>): HistogramSample => ({
  t: 1000,
  counterResetHint: 2,
  schema: 1,
  zeroThreshold: 0.001,
  zeroCount: 2,
  count: 9,
  sum: 12.5,
  positiveSpans: [{ offset: -1, length: 3 }],
  negativeSpans: [{ offset: 0, length: 1 }],
  positiveBuckets: [1, 4, 1],
  negativeBuckets: [1],
  ...over,
});

describe('histograms', () => {
  it('integer ones carry deltas and integer counts; float ones absolute counts', () => {
    const [ih, fh] = decode(encodeWriteRequest([{ labels: [], histograms: [histogramMsg(hist({}), false), histogramMsg(hist({}), true)] }])).timeseries[0]!.histograms;
    expect(ih).toMatchObject({ countInt: 9, zeroCountInt: 2, positiveDeltas: [1, 3, -3], negativeDeltas: [1], positiveCounts: [], schema: 1, resetHint: 2, timestamp: 1000, sum: 12.5 });
    expect(ih!.countFloat).toBeUndefined();
    expect(fh).toMatchObject({ countFloat: 9, zeroCountFloat: 2, positiveCounts: [1, 4, 1], negativeCounts: [1], positiveDeltas: [] });
    expect(fh!.countInt).toBeUndefined();
  });

  it('a float histogram with count 0 is still a float one', () => {
    const [fh] = decode(encodeWriteRequest([{ labels: [], histograms: [histogramMsg(hist({ count: 0, zeroCount: 0 }), true)] }])).timeseries[0]!.histograms;
    expect(fh!.countFloat).toBe(0);
  });

  it('custom buckets (schema -53) carry their bounds in custom_values', () => {
    const [h] = decode(encodeWriteRequest([{ labels: [], histograms: [histogramMsg(hist({ schema: -53, customValues: [0.1, 0.5, 1] }), false)] }])).timeseries[0]!.histograms;
    expect(h).toMatchObject({ schema: -53, customValues: [0.1, 0.5, 1] });
  });

  it('a stale marker keeps its bits in the sum', () => {
    const [ih, fh] = decode(encodeWriteRequest([{ labels: [], histograms: [histogramMsg(hist({ stale: true, sum: NaN }), false), histogramMsg(hist({ stale: true, sum: NaN }), true)] }])).timeseries[0]!.histograms;
    expect([bitsOf(ih!.sum), bitsOf(fh!.sum)]).toEqual(['7ff00000:2', '7ff00000:2']);
  });
});
