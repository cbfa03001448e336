// TEST ONLY. fast-check arbitraries for random, valid index contents:
// unique label sets over a small alphabet (so names and values repeat
// across series and postings lists get long) mixed with arbitrary Unicode,
// and chunk metas in time order.

import fc from 'fast-check';
import type { TestChunkMeta, TestSeries } from './indexWriter.js';

// Names and values that sort differently by UTF-16 code unit and by UTF-8
// byte ('\uFFFD' < '🎉' in UTF-8, not in UTF-16), plus plain ones.
const COMMON = ['__name__', 'a', 'b', 'job', 'up', 'ü', '日本', '\uFFFD', '🎉', 'a b', '"\\'];

export const labelString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...COMMON) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }) },
);

export const labelSet: fc.Arbitrary<Array<[string, string]>> = fc.uniqueArray(fc.tuple(labelString, labelString), {
  selector: (l) => l[0],
  minLength: 1,
  maxLength: 5,
});

function canonical(ls: ReadonlyArray<readonly [string, string]>): string {
  return JSON.stringify([...ls].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)));
}

/** Chunk metas: minTime of each ≥ maxTime of the one before; any refs below 2^48. */
export const chunkMetas: fc.Arbitrary<TestChunkMeta[]> = fc
  .tuple(
    fc.integer({ min: -(2 ** 45), max: 2 ** 45 }),
    fc.array(fc.record({ gap: fc.nat(2 ** 32), dur: fc.nat(2 ** 32), ref: fc.nat(2 ** 48) }), { maxLength: 4 }),
  )
  .map(([start, parts]) => {
    let t = start;
    return parts.map((p, i) => {
      const minTime = i === 0 ? t : t + p.gap;
      const maxTime = minTime + p.dur;
      t = maxTime;
      return { minTime, maxTime, ref: p.ref };
    });
  });

export const seriesList: fc.Arbitrary<TestSeries[]> = fc
  .uniqueArray(labelSet, { selector: canonical, maxLength: 12 })
  .chain((sets) => fc.tuple(...sets.map(() => chunkMetas)).map((chunks) => sets.map((labels, i) => ({ labels, chunks: chunks[i] }))));

/** A small fixed index input: three series, a few labels, chunks of every shape. */
export const SMALL_SERIES: TestSeries[] = [
  { labels: [['__name__', 'up'], ['job', 'api']], chunks: [{ minTime: 1000, maxTime: 2000, ref: 8 }] },
  {
    labels: [['__name__', 'up'], ['job', 'node']],
    chunks: [
      { minTime: -5, maxTime: 10, ref: 30 },
      { minTime: 11, maxTime: 11, ref: 2 ** 32 + 8 },
    ],
  },
  { labels: [['room', 'lab'], ['__name__', 'temp']], chunks: [] },
];
