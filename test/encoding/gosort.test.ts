// Go's sort.Slice (pdqsort), reproduced: it sorts, and it leaves equal
// elements where Go leaves them. test/golden/analyze.test.ts checks the
// same against promtool on hundreds of tied entries.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goSortSlice } from '../../src/encoding/gosort.js';

describe('goSortSlice', () => {
  it('sorts and permutes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 400 }), (values) => {
        const items = values.map((v, i) => ({ v, i }));
        const out = goSortSlice(items.slice(), (a, b) => a.v > b.v);
        for (let k = 1; k < out.length; k++) if (out[k - 1].v < out[k].v) return false;
        return JSON.stringify(out.map((x) => x.i).sort((a, b) => a - b)) === JSON.stringify(values.map((_, i) => i));
      }),
      { numRuns: 500 },
    );
  });

  it('is an insertion sort, so stable, up to 12 elements', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 12 }), (values) => {
        const items = values.map((v, i) => ({ v, i }));
        const want = items.slice().sort((a, b) => b.v - a.v || a.i - b.i);
        expect(goSortSlice(items.slice(), (a, b) => a.v > b.v)).toEqual(want);
      }),
    );
  });

  it("leaves ties where Go's sort.Slice leaves them", () => {
    // Go's output for one "x" followed by n-1 equal "test" entries, sorted by content.
    const goOrder = (n: number) => {
      const notes = [{ id: -1, c: 'x' }, ...Array.from({ length: n - 1 }, (_, i) => ({ id: i, c: 'test' }))];
      return goSortSlice(notes, (a, b) => a.c < b.c).map((x) => x.id);
    };
    expect(goOrder(11)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1]);
    expect(goOrder(12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1]);
    expect(goOrder(13)).toEqual([5, 0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, -1]);
    expect(goOrder(14)).toEqual([5, 7, 1, 2, 3, 4, 0, 12, 9, 8, 6, 10, 11, -1]);
  });
});
