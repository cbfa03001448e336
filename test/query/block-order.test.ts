// Block order for the merge: promtool's (by ULID, then sort.Slice by minTime)
// and the server's (sort.Slice by maxTime descending first). The 20 blocks are
// laid out as in test/golden/block-order.test.ts, where these orders give the
// samples promtool 2.42 and a 2.42 server return.

import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/block/block.js';
import { promtoolBlockOrder, serverBlockOrder } from '../../src/query/block-order.js';
import type { Head } from '../../src/wal/head.js';

const blocks = [...Array(20).keys()].map((k) => ({ name: 'B' + String(k).padStart(2, '0'), meta: { minTime: (k * 7) % 3, maxTime: ((k * 7) % 3) + 2 + (k % 3) } }) as unknown as Block);
const head = { stats: () => ({}) } as unknown as Head;
const order = (xs: (Block | Head)[]) => xs.map((b) => ('meta' in b ? Number(b.name.slice(1)) : 'head'));

describe('block order', () => {
  it('promtool: blocks of equal minTime leave sort.Slice out of ULID order', () => {
    expect(order(promtoolBlockOrder([head, ...[...blocks].reverse()]))).toEqual([9, 18, 15, 3, 12, 0, 6, 10, 7, 4, 13, 16, 1, 19, 8, 5, 11, 14, 2, 17, 'head']);
  });

  it('server: sorted by maxTime (newest first) before minTime', () => {
    expect(order(serverBlockOrder(blocks))).toEqual([12, 6, 18, 9, 0, 15, 3, 7, 19, 1, 4, 13, 16, 10, 8, 5, 11, 14, 2, 17]);
  });

  it('up to 12 blocks the sort is an insertion sort: ties stay in ULID order', () => {
    expect(order(promtoolBlockOrder(blocks.slice(0, 12)))).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11].sort((a, b) => ((a * 7) % 3) - ((b * 7) % 3) || a - b));
  });
});
