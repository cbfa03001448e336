// One block's files on disk, read and checked on their own: the unit of work
// of verify on a directory. What comes back is plain data.

import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { kindOf } from '../stream/block-state.js';
import { precheckIndex, type IndexPrecheck } from '../check/block-check.js';
import { Collector, INDEX_SPILL_AT, MAX_KEPT_META, type BlockOutcome } from '../stream/collect.js';
import type { Recorded } from '../check/findings.js';
import type { ChunkTable } from '../check/segment-scan.js';
import { openBlockFile, PIECE, piecesOf, UnreadableFile } from './segment-job.js';
import { isErrno } from '../usage.js';

export { UnreadableFile };

export interface BlockJob {
  snapshot: string;
  block: string;
  /** Its files, in the order read: block-relative path and path on disk. */
  files: { rel: string; path: string }[];
  /** Index size from which it waits in a temp file, and where (see CollectorOptions). */
  spillAt?: number;
  tmpDir?: string;
}

/** The largest index checked ahead (split.ts holds indexes checked ahead up to PRECHECK_AHEAD_BYTES, and the next block's always; the block's check reads it again and compares). */
export const PRECHECK_MAX = 32 * 2 ** 20;

/**
 * The block's meta.json and index read from disk and checked ahead of the rest. None if
 * either is too large or unreadable, or the check throws: the block's check then reads
 * and checks them as usual, and reports what is wrong.
 */
export function precheckFiles(job: BlockJob): IndexPrecheck | undefined {
  const read = (rel: string, limit: number): Uint8Array | undefined => {
    const f = job.files.find((x) => x.rel === rel);
    if (!f) return undefined;
    if (fs.statSync(f.path).size > limit) throw new Error(`${rel} is too large to check ahead`);
    return fs.readFileSync(f.path);
  };
  try {
    return precheckIndex(job.block, read('meta.json', MAX_KEPT_META), read('index', Math.min(PRECHECK_MAX, job.spillAt ?? INDEX_SPILL_AT)));
  } catch {
    return undefined;
  }
}

/** A chunk segment of the block scanned elsewhere: its table and findings. */
export type Scanned = (f: { rel: string; path: string }) => Promise<{ table: ChunkTable; recorded: Recorded }>;

/**
 * Read and check one block's files; `onBytes` hears of every piece read. With `scanned`,
 * its chunk segments come from there (another thread may have scanned them already) and
 * the rest is read here; the outcome is the same.
 */
export async function checkBlockFiles(
  job: BlockJob,
  onBytes?: (n: number) => void,
  how: { scanned?: Scanned; blocking?: boolean; prechecked?: IndexPrecheck } = {},
): Promise<BlockOutcome> {
  const { scanned, blocking, prechecked } = how;
  const collector = new Collector([], { spillAt: job.spillAt, tmpDir: job.tmpDir, prechecked, prints: false });
  try {
    for (const f of job.files) {
      if (scanned && kindOf(f.rel) === 'segment') {
        const s = await scanned(f);
        collector.scanned(job.snapshot, job.block, f.rel, s.table, s.recorded);
        continue;
      }
      const fd = openBlockFile(f.path);
      // Blocking reads when other threads are busy: a read through libuv's thread pool waits for a core.
      let stream: Readable;
      if (blocking) stream = Readable.from(piecesOf(fd, onBytes), { objectMode: false });
      else {
        stream = fs.createReadStream(f.path, { fd, highWaterMark: PIECE });
        if (onBytes) stream.on('data', (c) => onBytes(c.length));
      }
      try {
        await collector.file(job.snapshot, job.block, f.rel, stream);
      } catch (e) {
        throw isErrno(e) ? new UnreadableFile(f.path, e) : e;
      }
    }
    return collector.outcome();
  } finally {
    collector.cleanup();
  }
}
