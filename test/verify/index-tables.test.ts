// The flat tables of the index walk answer as the arrays and maps they replace.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ranges, SeriesLabelRefs } from '../../src/verify/check/index-tables.js';

describe('Ranges', () => {
  it('sorts ranges by start, ties in the order added, past its first capacity', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1000), fc.nat(1000)), { maxLength: 300 }), (pairs) => {
        const r = new Ranges();
        for (const [s, e] of pairs) r.add(s, e);
        const seen: [number, number][] = [];
        for (const i of r.sorted()) seen.push([r.startOf(i), r.endOf(i)]);
        expect(seen).toEqual([...pairs].sort((a, b) => a[0] - b[0]));
      }),
      { seed: 1 },
    );
  });
});

describe('SeriesLabelRefs', () => {
  it('finds series by ref and their labels by symbol, past its first capacities', () => {
    const symbols = ['', '__name__', 'job', 'a', 'b', 'api', 'instance'];
    const symbol = (r: number) => symbols[r];
    const t = new SeriesLabelRefs();
    const want = new Map<number, number[]>();
    for (let i = 0; i < 3000; i++) {
      const refs = i % 3 === 0 ? [1, 3, 2, 5] : i % 3 === 1 ? [1, 4] : [1, 4, 6, 3, 2, 5, 2, 3];
      t.push(i * 16 + 7, refs);
      want.set(i * 16 + 7, refs);
    }
    expect(t.n).toBe(3000);
    expect(t.find(6)).toBe(-1);
    expect(t.find(16 * 2999 + 7)).toBe(2999);
    const k = t.find(16 * 1001 + 7); // refs [1, 4, 6, 3, 2, 5, 2, 3]: the first label of a name decides
    const has = (name: string, value: string) => t.has(k, name, value, { symbol });
    expect([has('__name__', 'b'), has('instance', 'a'), has('job', 'api'), has('job', 'a'), has('x', 'a')]).toEqual([true, true, true, false, false]);
    // By place in the symbol strings (v2+ refs), the same answers, for every series.
    for (let i = 0; i < t.n; i += 7) {
      for (const [n, v] of [['__name__', 'b'], ['instance', 'a'], ['job', 'api'], ['job', 'a'], ['x', 'a'], ['', '']]) {
        expect(t.hasSeq(i, n!, v!, symbols)).toBe(t.has(i, n!, v!, { symbol }));
      }
    }
    expect(Array.from(t.refs.subarray(0, t.n))).toEqual([...want.keys()]);
  });
});

describe('SeriesLabelRefs.find from a place', () => {
  it('finds a ref at or after `from` as a search of the whole table does, when no series before `from` has it', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(1e6), { maxLength: 50 }), fc.array(fc.tuple(fc.nat(60), fc.nat(1e6)), { maxLength: 40 }), (raw, asks) => {
        const refs = raw.sort((a, b) => a - b);
        const t = new SeriesLabelRefs();
        for (const r of refs) t.push(r, [1, 2]);
        for (const [pos, other] of asks) {
          // A ref in the table (or not), asked from any place up to its own.
          const ref = pos < refs.length ? refs[pos]! : other;
          const at = refs.indexOf(ref);
          const from = at >= 0 ? other % (at + 1) : other % (refs.length + 1);
          expect(t.find(ref, from)).toBe(at);
        }
      }),
      { numRuns: 300 },
    );
  });
});
