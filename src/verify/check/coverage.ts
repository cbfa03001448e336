// What time a snapshot covers: the union of its blocks' ranges (and of its
// head, for a data dir). A backup can pass every checksum and still be
// incomplete: a hole between blocks (a failed compaction, a lost block), less
// history than the operator keeps, or no head (a snapshot taken with
// skip_head=true ends at the last compaction, up to 1.5 block ranges back).
//
// How a snapshot's head is told from meta.json (tsdb/db.go, Snapshot): with
// skip_head=false Prometheus writes the head as one more block, through
// compactor.Write(dir, head, mint, maxt+1, nil), so it has compaction.level 1
// and a ULID made while the snapshot was taken, that is at or after the time
// in the snapshot dir's name (web/api/v1 names it time.Now().UTC() as
// 20060102T150405Z, then calls Snapshot). Every other block existed before:
// blocks compacted from the head (compactHead) end on a block-range boundary
// at least half a range before that.

import type { HeadSummary } from './head-check.js';
import { FindingSink } from './findings.js';
import { Code } from '../../encoding/finding-codes.js';
import { formatDuration } from '../../report/duration.js';
import { ulidTime } from '../../meta/ulid.js';

export interface CoverageOptions {
  /** The longest hole that is not a coverage-gap (ms); default: the smallest block range, at least MIN_MAX_GAP. */
  maxGap?: number;
  /** coverage-short when the snapshot covers less than this (ms) before its newest sample. */
  expectRange?: number;
  /** coverage-no-head when the snapshot holds no head (a skip_head snapshot, or a data dir with an empty WAL). */
  expectHead?: boolean;
}

/** Prometheus's default block range (--storage.tsdb.min-block-duration): shorter holes are downtime, not lost blocks. */
export const MIN_MAX_GAP = 2 * 3600 * 1000;

/** A block Prometheus serves (not one it deletes on start), as the coverage needs it. */
export interface CoverBlock {
  ulid: string;
  minTime: number;
  maxTime: number;
  /** compaction.level (undefined when meta.json did not parse). */
  level?: number;
}

interface Span {
  start: number;
  /** Exclusive, as a block's maxTime. */
  end: number;
  what: string;
}

const utc = (ms: number): string => {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
};
const at = (ms: number): string => `${ms} (${utc(ms)})`;

/** The default max gap: the smallest block range, at least MIN_MAX_GAP. */
export function defaultMaxGap(blocks: readonly CoverBlock[]): number {
  let min = Infinity;
  for (const b of blocks) min = Math.min(min, b.maxTime - b.minTime);
  return Math.max(MIN_MAX_GAP, Number.isFinite(min) ? min : 0);
}

/** The time in a snapshot dir's name (20261122T144025Z-…), in ms; NaN when it has none. */
export function snapshotTime(name: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(name);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

/** Whether `b` is the head written by a snapshot named `snapshot` (see the top of this file). */
export function isSnapshotHead(b: CoverBlock, snapshot: string): boolean {
  return b.level === 1 && ulidTime(b.ulid) >= snapshotTime(snapshot);
}

/** A stretch of time no block (nor the head) covers, and the spans on each side. */
export interface Hole {
  from: number;
  to: number;
  before: string;
  after: string;
}

function spansOf(blocks: readonly CoverBlock[], head: HeadSummary | undefined): Span[] {
  const spans: Span[] = blocks.map((b) => ({ start: b.minTime, end: b.maxTime, what: `block ${b.ulid}` }));
  if (head && head.minTime !== null && head.maxTime !== null) spans.push({ start: head.minTime, end: head.maxTime + 1, what: 'the head (WAL)' });
  return spans.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** The holes in the union of `spans` (sorted by start) longer than `maxGap`, in time order, and the span reaching furthest. */
function holesIn(spans: readonly Span[], maxGap: number): { holes: Hole[]; reach?: Span } {
  const holes: Hole[] = [];
  let reach: Span | undefined;
  for (const s of spans) {
    if (reach && s.start - reach.end > maxGap) holes.push({ from: reach.end, to: s.start, before: reach.what, after: s.what });
    if (!reach || s.end > reach.end) reach = s;
  }
  return { holes, reach };
}

/** The holes coverage-gap reports, for drawing them (report). */
export function coverageHoles(blocks: readonly CoverBlock[], head: HeadSummary | undefined, maxGap = defaultMaxGap(blocks)): Hole[] {
  return holesIn(spansOf(blocks, head), maxGap).holes;
}

export function checkCoverage(snapshot: string, blocks: readonly CoverBlock[], head: HeadSummary | undefined, opts: CoverageOptions, sink: FindingSink): void {
  const spans = spansOf(blocks, head);
  const maxGap = opts.maxGap ?? defaultMaxGap(blocks);
  const { holes, reach } = holesIn(spans, maxGap);
  for (const h of holes) {
    sink.warn(Code.CoverageGap, `no block covers ${formatDuration(h.to - h.from)} from ${at(h.from)} to ${at(h.to)}, between ${h.before} and ${h.after} (longer than the max gap ${formatDuration(maxGap)})`);
  }

  if (opts.expectRange !== undefined) {
    const want = formatDuration(opts.expectRange);
    if (!reach) sink.error(Code.CoverageShort, `the snapshot holds no samples, not the ${want} expected`);
    else {
      const newest = reach.end - 1;
      const oldest = spans[0]!.start;
      if (newest - oldest < opts.expectRange) {
        sink.error(Code.CoverageShort, `the snapshot covers ${formatDuration(newest - oldest)} (from ${at(oldest)} to its newest sample at ${at(newest)}), less than the ${want} expected`);
      }
    }
  }

  if (opts.expectHead) {
    const why = headMissing(snapshot, blocks, head);
    if (why) sink.error(Code.CoverageNoHead, why);
  }
}

/** Why the snapshot holds no head, or undefined when it holds one. */
function headMissing(snapshot: string, blocks: readonly CoverBlock[], head: HeadSummary | undefined): string | undefined {
  if (head) return head.maxTime === null ? 'the data dir\'s WAL holds no samples: there is no head after its last block' : undefined;
  const last = blocks.reduce<CoverBlock | undefined>((l, b) => (!l || b.maxTime > l.maxTime ? b : l), undefined);
  if (!last) return 'the snapshot holds no block, so no head';
  if (Number.isNaN(snapshotTime(snapshot))) return `the snapshot dir's name holds no time (<datetime>-<hex>), so no block can be told to be the head it was taken with; its newest block is ${last.ulid}`;
  if (isSnapshotHead(last, snapshot)) return undefined;
  return `the snapshot holds no head: its newest block ${last.ulid} (level ${last.level ?? '?'}, made ${utc(ulidTime(last.ulid))}, ending ${at(last.maxTime)}) existed before the snapshot was taken (${utc(snapshotTime(snapshot))}), so the samples after it were left out (a snapshot with skip_head=true)`;
}
