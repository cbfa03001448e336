// Samples of a series found in several blocks, chained as Prometheus's
// chainSampleIterator does: the sorted union of the timestamps, a duplicate
// timestamp emitted once; out-of-order input as the chain leaves it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Head } from '../../src/wal/head.js';
import { MergeScratch, mergedSamples, type MergedSeries } from '../../src/query/merge.js';
import type { SampleList } from '../../src/chunkenc/sample-list.js';

/** A series whose parts are in-memory (head) sample lists; values are given per timestamp. */
function series(parts: number[][], value: (t: number, part: number, i: number) => number): MergedSeries {
  return {
    labels: ['__name__', 'up'],
    parts: parts.map((ts, k) => ({
      labels: ['__name__', 'up'],
      head: {} as Head,
      samples: { n: ts.length, t: Float64Array.from(ts), v: Float64Array.from(ts.map((t, i) => value(t, k, i))) },
    })),
  };
}

const samples = (s: SampleList) => ({ t: Array.from(s.t.subarray(0, s.n)), v: Array.from(s.v.subarray(0, s.n)) });

// A NaN with a payload, as stale markers are: its bits must come through.
// (A quiet one: loading a signalling NaN into a JS number may set its quiet bit.)
const MARKED = new Float64Array(new Uint32Array([2, 0x7ff80000]).buffer)[0];
const valueOf = (t: number) => (t % 7 === 0 ? MARKED : t * 1.5);
/** The value bits, read from typed arrays only (a JS array may rewrite NaNs). */
const bitsOf = (v: Float64Array) => Array.from(new Uint32Array(v.slice().buffer));

describe('mergedSamples', () => {
  it('is the sorted union of the timestamps, overlapping or not (property)', () => {
    const increasing = fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { maxLength: 40 }).map((xs) => xs.sort((a, b) => a - b));
    // Disjoint runs, as blocks usually are, and arbitrary overlaps.
    const disjoint = fc.array(fc.nat(30), { minLength: 1, maxLength: 5 }).map((lens) => {
      let t = 0;
      return lens.map((n) => Array.from({ length: n }, () => (t += 1 + (t % 3))));
    });
    const parts = fc.oneof(fc.array(increasing, { minLength: 1, maxLength: 5 }), disjoint.chain((d) => fc.shuffledSubarray(d, { minLength: d.length })));
    const scratch = new MergeScratch();
    fc.assert(
      fc.property(parts, fc.boolean(), (ps, reuse) => {
        const want = [...new Set(ps.flat())].sort((a, b) => a - b);
        const got = mergedSamples(series(ps, valueOf), -Infinity, Infinity, reuse ? scratch : undefined);
        expect(samples(got).t).toEqual(want);
        const wantV = new Float64Array(want.length);
        want.forEach((t, i) => (wantV[i] = valueOf(t)));
        expect(bitsOf(got.v.subarray(0, got.n))).toEqual(bitsOf(wantV));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves out-of-order and duplicate input as the chain does (values tell the parts apart)', () => {
    // Expected outputs are those of the chain iterator (the heap merge of Go's container/heap).
    const cases: [number[][], number[], number[]][] = [
      [[[3, 1], [5]], [3, 1, 5], [30, 11, 50]],
      [[[5, 6], [1, 2, 9]], [1, 2, 5, 6, 9], [10, 21, 50, 61, 92]],
      [[[1, 2], [2, 3]], [1, 2, 3], [10, 20, 31]],
      [[[4, 5, 6], [1, 2, 3]], [1, 2, 3, 4, 5, 6], [10, 21, 32, 40, 51, 62]],
      [[[1, 5], [3, 4]], [1, 3, 4, 5], [10, 30, 41, 51]],
      [[[2, 2, 3], [1]], [1, 2, 3], [10, 20, 32]],
    ];
    const scratch = new MergeScratch();
    for (const [parts, t, v] of cases) {
      for (const s of [undefined, scratch]) {
        const got = samples(mergedSamples(series(parts, (x, _k, i) => x * 10 + i), -Infinity, Infinity, s));
        expect(got, JSON.stringify(parts)).toEqual({ t, v });
      }
    }
  });

  it('keeps to [mint, maxt] and reuses the scratch lists from series to series', () => {
    const scratch = new MergeScratch();
    const a = mergedSamples(series([[1, 2, 3], [4, 5]], valueOf), 2, 4, scratch);
    expect(samples(a).t).toEqual([2, 3, 4]);
    const b = mergedSamples(series([[10]], valueOf), -Infinity, Infinity, scratch);
    expect(samples(b).t).toEqual([10]);
    expect(b).toBe(scratch.out);
    expect(samples(mergedSamples(series([[], [7]], valueOf), -Infinity, Infinity, scratch)).t).toEqual([7]);
  });
});
