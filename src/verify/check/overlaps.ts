// Blocks of one snapshot whose time ranges overlap: Prometheus (2.42 and 3.x)
// loads them and merges them when it reads, but it is unusual in a snapshot.
// Blocks of out-of-order compaction (hint from-out-of-order, Prometheus 3.x)
// overlap in-order ones by design and are left out by the caller, as are
// blocks Prometheus deletes on start (superseded.ts).

import type { BlockSummary } from './block-check.js';
import { MAX_PER_CODE, type FindingSink } from './findings.js';
import { Code } from '../../encoding/finding-codes.js';

/**
 * The first pairs are listed; then only blocks are counted, so a hostile archive of
 * thousands of identical ranges costs one pass, not one per pair. `blocks` is sorted by minTime.
 */
export function checkOverlaps(blocks: readonly BlockSummary[], sink: FindingSink): void {
  const b = blocks.filter((x) => x.minTime !== null && x.maxTime !== null);
  const listed = MAX_PER_CODE - 1; // the last place is for the summary
  let pairs = 0;
  let more = false;
  let overlapping = 0;
  let maxEnd = -Infinity;
  for (let i = 0; i < b.length; i++) {
    if (b[i].minTime! < maxEnd) overlapping++;
    maxEnd = Math.max(maxEnd, b[i].maxTime!);
    for (let j = i + 1; j < b.length && b[j].minTime! < b[i].maxTime!; j++) {
      if (pairs === listed) {
        more = true;
        break;
      }
      pairs++;
      sink.warn(Code.BlocksOverlap, `blocks ${b[i].ulid} [${b[i].minTime}, ${b[i].maxTime}) and ${b[j].ulid} [${b[j].minTime}, ${b[j].maxTime}) overlap in time`);
    }
  }
  if (more) sink.warn(Code.BlocksOverlap, `in all, ${overlapping} blocks overlap an earlier block (pairs after the first ${listed} not listed)`);
}
