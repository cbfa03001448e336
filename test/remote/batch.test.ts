// Cutting series into batches: at most batchSamples samples each, a series
// going on in the next batch says so, and each message holds one kind.

import { describe, expect, it } from 'vitest';
import type { HistogramSample } from '../../src/chunkenc/histogrammeta.js';
import { SampleList } from '../../src/chunkenc/sample-list.js';
import { batches } from '../../src/remote/batch.js';

const h = (t: number): HistogramSample => ({ t, counterResetHint: 0, schema: 0, zeroThreshold: 0, zeroCount: 0, count: 1, sum: 1, positiveSpans: [], negativeSpans: [], positiveBuckets: [], negativeBuckets: [] });

/** f: a float, h: a histogram, at t = position. */
function list(kinds: string): SampleList {
  const s = new SampleList();
  [...kinds].forEach((k, t) => (k === 'h' ? s.pushHistogram(h(t), false) : s.pushFloat(t, t)));
  return s;
}

/** A batch as text: `+` when it continues; messages as `name:kinds`. */
const shape = (b: ReturnType<typeof batches> extends Generator<infer B> ? B : never) =>
  (b.continues ? '+' : '') + b.timeseries.map((ts) => `${ts.labels[0]!.value}:${ts.samples ? 'f'.repeat(ts.samples.length) : 'h'.repeat(ts.histograms!.length)}`).join(' ');

describe('batches', () => {
  it('cuts series at batchSamples, marks continuations, splits kinds', () => {
    const series = [
      { labels: ['__name__', 'a'], samples: list('ffhhf') },
      { labels: ['__name__', 'b'], samples: list('f') },
      { labels: ['__name__', 'c'], samples: list('ff') },
    ];
    expect([...batches(series, 3)].map(shape)).toEqual(['a:ff a:h', '+a:h a:f b:f', 'c:ff']);
  });

  it('a series that fills a batch exactly does not mark the next one', () => {
    const series = [
      { labels: ['__name__', 'a'], samples: list('fff') },
      { labels: ['__name__', 'b'], samples: list('ffff') },
    ];
    expect([...batches(series, 3)].map(shape)).toEqual(['a:fff', 'b:fff', '+b:f']);
  });

  it('keeps time order within a message and reports each series once per batch', () => {
    const [b] = [...batches([{ labels: ['__name__', 'a'], samples: list('fhf') }], 10)];
    expect(b!.series).toEqual([['__name__', 'a']]);
    expect(b!.timeseries.map((ts) => (ts.samples ?? ts.histograms!).map((x) => x.timestamp))).toEqual([[0], [1], [2]]);
    expect([b!.floats, b!.histograms]).toEqual([2, 1]);
  });
});
