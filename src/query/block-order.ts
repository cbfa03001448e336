// The order in which Prometheus queries blocks, which decides how samples of
// overlapping blocks merge (the merge takes series and, on equal timestamps,
// samples in that order). Both sort with Go's sort.Slice, which is not stable:
// above 12 blocks, blocks of equal minTime leave the sort in an order that
// depends on the whole list, so we run the same sort on the same input.
//
// - promtool (DBReadOnly.Blocks, tsdb/db.go): the block dirs as os.ReadDir
//   lists them (by name, so by ULID), sorted by minTime.
// - The server (DB.reloadBlocks): the same list, first sorted by maxTime,
//   newest first, by the retention check (deletableBlocks), then by minTime.
// A replayed head is queried after the blocks.

import type { Block } from '../block/block.js';
import { goSortSlice } from '../encoding/gosort.js';
import type { Head } from '../wal/head.js';

function split(sources: readonly (Block | Head)[]): { blocks: Block[]; heads: Head[] } {
  const blocks: Block[] = [];
  const heads: Head[] = [];
  for (const s of sources) {
    if ('meta' in s) blocks.push(s);
    else heads.push(s);
  }
  blocks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { blocks, heads };
}

const byMinTime = (a: Block, b: Block) => a.meta.minTime < b.meta.minTime;

/** The blocks in promtool tsdb dump's order. */
export function promtoolBlockOrder(sources: readonly (Block | Head)[]): (Block | Head)[] {
  const { blocks, heads } = split(sources);
  return [...goSortSlice(blocks, byMinTime), ...heads];
}

/** The blocks in a Prometheus server's order (db.blocks after a reload). */
export function serverBlockOrder(sources: readonly (Block | Head)[]): (Block | Head)[] {
  const { blocks, heads } = split(sources);
  goSortSlice(blocks, (a, b) => a.meta.maxTime > b.meta.maxTime);
  return [...goSortSlice(blocks, byMinTime), ...heads];
}
