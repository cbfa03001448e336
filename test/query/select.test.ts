// Matching through postings agrees with a naive scan of every series'
// labels (the semantics Prometheus documents: a label that is missing has
// the value ""), and the sorted-list set operations agree with a model.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IndexReader } from '../../src/index/reader.js';
import { intersect, merge, subtract } from '../../src/index/postings.js';
import { newMatcher, type MatchType } from '../../src/query/matchers.js';
import { selectPostings } from '../../src/query/select.js';
import { writeIndex, type TestSeries } from '../helpers/indexWriter.js';

const NAMES = ['__name__', 'job', 'a', 'b'];
const VALUES = ['x', 'y', 'zz', 'ü', 'x y'];
const PATTERNS = ['', 'x', 'x|y', '.*', '.+', 'z.*', '(?i)X', 'ü|zz', '[xy]', 'x y|nope'];

const series: fc.Arbitrary<TestSeries[]> = fc
  .uniqueArray(
    fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES)), { selector: (l) => l[0], minLength: 1, maxLength: 4 }),
    { selector: (ls) => JSON.stringify([...ls].sort()), maxLength: 40 },
  )
  .map((sets) => sets.map((labels) => ({ labels, chunks: [{ minTime: 0, maxTime: 1, ref: 8 }] })));

const matcher = fc.record({
  type: fc.constantFrom<MatchType>('=', '!=', '=~', '!~'),
  name: fc.constantFrom(...NAMES, 'missing'),
  value: fc.constantFrom(...PATTERNS, ...VALUES),
});

describe('selectPostings', () => {
  it('selects exactly the series a naive label scan selects', () => {
    fc.assert(
      fc.property(series, fc.array(matcher, { minLength: 1, maxLength: 4 }), fc.constantFrom<1 | 2>(1, 2), (input, ms, version) => {
        const w = writeIndex(input, { version });
        const ix = new IndexReader(w.bytes);
        const matchers = ms.map((m) => newMatcher(m.type, m.name, m.value));
        const got = [...selectPostings(ix, matchers)];
        const want = w.series
          .filter((s) => {
            const get = (n: string) => {
              for (let i = 0; i < s.labels.length; i += 2) if (s.labels[i] === n) return s.labels[i + 1];
              return '';
            };
            return matchers.every((m) => m.matches(get(m.name)));
          })
          .map((s) => s.ref);
        expect(got).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });
});

const sortedList = fc.uniqueArray(fc.nat(200), { maxLength: 60 }).map((a) => Uint32Array.from(a.sort((x, y) => x - y)));

describe('postings set operations', () => {
  it('intersect, merge and subtract agree with sets', () => {
    fc.assert(
      fc.property(sortedList, sortedList, fc.array(sortedList, { maxLength: 5 }), (a, b, more) => {
        const A = new Set(a);
        const B = new Set(b);
        expect([...intersect(a, b)]).toEqual([...a].filter((x) => B.has(x)));
        expect([...subtract(a, b)]).toEqual([...a].filter((x) => !B.has(x)));
        const all = [a, b, ...more];
        const union = [...new Set(all.flatMap((l) => [...l]))].sort((x, y) => x - y);
        expect([...merge(all)]).toEqual(union);
        expect([...merge([a])]).toEqual([...A]);
      }),
      { numRuns: 500 },
    );
  });
});
