// verify on a directory in several threads. A block's work splits in two:
// its chunk segments (read, CRC, walk every sample: a few small hot
// functions) and its meta.json and index (parsed and walked: many larger
// functions), then a short cross-check of the two. Worker threads only scan
// segments, so each warms up little code. This thread checks indexes ahead
// of their blocks (block-check.ts, precheckIndex) first, as far as
// PRECHECK_AHEAD_BYTES allows, then scans segments whenever it would
// otherwise wait, so no thread idles at the end. Why this split and not
// whole blocks per thread, as measured: docs/performance.md.
//
// Blocks are checked largest first, one at a time, each exactly as in one
// thread (block-files.ts with its segments scanned elsewhere), so the output
// is the same; segments are scanned at most AHEAD_BYTES ahead, so memory does
// not grow with the number of blocks.

import type { IndexPrecheck } from '../check/block-check.js';
import { checkBlockFiles, precheckFiles, UnreadableFile, type BlockJob } from './block-files.js';
import { kindOf } from '../stream/block-state.js';
import type { BlockOutcome } from '../stream/collect.js';
import { asJobError, ClaimPool, type JobError, type JobResult } from '../../threads/pool.js';
import { scanSegmentFile, type SegmentJob, type SegmentOutcome } from './segment-job.js';
import { ChunkTable } from '../check/segment-scan.js';

/**
 * Segment bytes, of blocks after the one being checked, that may be scanned already: their
 * chunk tables wait in memory (~30 bytes a chunk, a few MiB per 256 MiB of segments).
 */
export const AHEAD_BYTES = 256 * 2 ** 20;

/**
 * Index bytes that may wait checked ahead (with their facts, about as large again). Index
 * checks are the work only this thread does: done early, they leave the segments, which
 * any thread can scan, for the end, so no thread idles then.
 */
export const PRECHECK_AHEAD_BYTES = 24 * 2 ** 20;

/** A worker thread failed on a segment (a bug or a crash): its block gets an internal-error finding. */
export class WorkerFailure extends Error {
  constructor(readonly error: JobError) {
    super(`${error.name}: ${error.message}`);
  }
}

interface Task {
  job: SegmentJob;
  /** Position of its block in the order of checking. */
  at: number;
  /** Its result, until the block's check takes it. */
  result?: JobResult<SegmentOutcome>;
}

/** What `checkSplit` gives back: outcomes in the order of the jobs, or the unreadable file of the first such block. */
export interface SplitResult {
  outcomes: (BlockOutcome | undefined)[];
  unreadable?: UnreadableFile;
  /** Blocks whose segment a worker thread failed on, with why. */
  failed: Map<number, string>;
}

export interface SplitOptions {
  onBytes?(n: number): void;
  /** Whether this thread scans segments too (default true; false leaves every scan to the workers). */
  scanHere?: boolean;
}

/**
 * Check `jobs` (blocks) with `threads` threads: this one and `threads - 1` workers started
 * from `script` that scan chunk segments.
 */
export async function checkSplit(jobs: { job: BlockJob; bytes: number }[], threads: number, script: URL, opts: SplitOptions = {}): Promise<SplitResult> {
  const { onBytes, scanHere = true } = opts;
  const order = jobs.map((_, i) => i).sort((a, b) => jobs[b]!.bytes - jobs[a]!.bytes || a - b);
  const tasks: Task[] = [];
  const taskOf = new Map<string, number>();
  // Bytes of the blocks before each position, for the window of scans ahead.
  const before = [0];
  order.forEach((i, at) => {
    const { snapshot, block, files } = jobs[i]!.job;
    before.push(before[at]! + jobs[i]!.bytes);
    for (const f of files) {
      if (kindOf(f.rel) !== 'segment' || taskOf.has(`${i}/${f.rel}`)) continue;
      taskOf.set(`${i}/${f.rel}`, tasks.length);
      tasks.push({ job: { snapshot, block, rel: f.rel, path: f.path }, at });
    }
  });

  let checking = 0; // position of the block being checked
  const pool = new ClaimPool<SegmentJob, SegmentOutcome>(
    script,
    threads - 1,
    tasks.map((t) => t.job),
    {
      ready: (id) => {
        const at = tasks[id]!.at;
        return at <= checking + 1 || before[at]! - before[checking + 1]! < AHEAD_BYTES;
      },
      onResult: (id, r) => (tasks[id]!.result = r),
      onNote: (n) => onBytes?.(n as number),
    },
  );

  /** Scan a task here; an unreadable file is its result, anything else a bug that ends verify. */
  const runHere = (t: Task) => {
    try {
      t.result = { ok: true, value: scanSegmentFile(t.job, onBytes) };
    } catch (e) {
      if (!(e instanceof UnreadableFile)) throw e;
      t.result = { ok: false, error: asJobError(e) };
    }
  };

  // Indexes checked ahead (meta.json and index), by position: this thread's own work, done
  // while workers scan segments; the next block's always, further ones while their index
  // bytes stay under PRECHECK_AHEAD_BYTES.
  const prechecks = new Map<number, IndexPrecheck | undefined>();
  let ahead = 0;
  let aheadBytes = 0;
  const precheckNext = (): boolean => {
    if (ahead >= order.length || (ahead > checking + 1 && aheadBytes >= PRECHECK_AHEAD_BYTES)) return false;
    const p = precheckFiles(jobs[order[ahead]!]!.job);
    aheadBytes += p?.indexRaw?.length ?? 0;
    prechecks.set(ahead, p);
    ahead++;
    return true;
  };

  /**
   * A segment of the block being checked. Until a worker is done with it: an index check
   * ahead (only this thread does those), else the segment itself if no worker started it,
   * else a segment no worker started, else wait.
   */
  const scanned = async (k: number, f: { rel: string }) => {
    const id = taskOf.get(`${k}/${f.rel}`)!;
    const t = tasks[id]!;
    for (;;) {
      pool.pump();
      if (t.result) break;
      if (precheckNext()) continue;
      if (scanHere && pool.claim(id)) runHere(t);
      else {
        const other = scanHere ? pool.spare() : -1;
        if (other >= 0 && pool.claim(other)) runHere(tasks[other]!);
        else if (other < 0) await pool.wait();
      }
    }
    const r = t.result;
    t.result = undefined;
    if (r.ok) return { table: ChunkTable.from(r.value.table), recorded: r.value.recorded };
    if (r.error.name === 'UnreadableFile') throw new UnreadableFile(r.error.path ?? t.job.path, Object.assign(new Error(r.error.message), { code: r.error.code }));
    throw new WorkerFailure(r.error);
  };

  const out: SplitResult = { outcomes: new Array(jobs.length), failed: new Map() };
  let firstUnreadable = -1; // walk index of the first block with an unreadable file
  try {
    for (; checking < order.length; checking++) {
      const k = order[checking]!;
      pool.pump(); // the window moved
      while (ahead <= checking) precheckNext();
      const prechecked = prechecks.get(checking);
      prechecks.delete(checking);
      aheadBytes -= prechecked?.indexRaw?.length ?? 0;
      // As in one thread, the usage error is that of the first block (in the walk) with an unreadable file.
      try {
        out.outcomes[k] = await checkBlockFiles(jobs[k]!.job, onBytes, { scanned: (f) => scanned(k, f), blocking: true, prechecked });
      } catch (e) {
        if (e instanceof UnreadableFile) {
          if (firstUnreadable < 0 || k < firstUnreadable) [firstUnreadable, out.unreadable] = [k, e];
        } else if (e instanceof WorkerFailure) out.failed.set(k, e.message);
        else throw e;
      }
    }
  } finally {
    pool.close();
  }
  return out;
}
