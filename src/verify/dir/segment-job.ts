// One chunk segment file read and scanned on its own (segment-scan.ts): the
// part of a block's check that needs nothing else of the block, and most of
// its work. verify on a directory hands these to a worker thread, or does
// them here, while this thread checks indexes (split.ts); the result is
// plain data that the block's Collector takes as if it had read the file.

import * as fs from 'node:fs';
import { FindingSink, type Recorded } from '../check/findings.js';
import { SegmentScanner, type ChunkTableData } from '../check/segment-scan.js';
import { isErrno } from '../usage.js';

export interface SegmentJob {
  snapshot: string;
  block: string;
  /** Block-relative path (chunks/000001) and path on disk. */
  rel: string;
  path: string;
}

export interface SegmentOutcome {
  table: ChunkTableData;
  /** What the scan found, for the block's sink to replay in file order. */
  recorded: Recorded;
}

/** A block file that could not be opened or read: the caller makes it a usage error. */
export class UnreadableFile extends Error {
  override readonly name = 'UnreadableFile';
  constructor(
    readonly path: string,
    readonly errno: NodeJS.ErrnoException,
  ) {
    super(errno.message);
  }

  /** The errno code (ENOENT, EACCES, …), as a worker thread passes it on. */
  get code(): string | undefined {
    return this.errno.code;
  }
}

export const PIECE = 1 << 20;

/**
 * A file's bytes in 1 MiB pieces, read with blocking reads. Each piece is a fresh buffer
 * (its reader may keep views of it), unless `free` says an earlier one may be read into
 * again: a fresh buffer for every piece cost a page fault per 4 KiB and kept the GC busy.
 */
export function* piecesOf(fd: number, onBytes?: (n: number) => void, free?: (b: Buffer) => boolean): Generator<Buffer> {
  const own: Buffer[] = [];
  try {
    for (;;) {
      let b = free ? own.find(free) : undefined;
      if (!b) {
        b = Buffer.allocUnsafe(PIECE);
        if (free) own.push(b);
      }
      const n = fs.readSync(fd, b, 0, PIECE, null);
      if (n === 0) return;
      onBytes?.(n);
      yield n === PIECE ? b : b.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Open a block file; an error is an UnreadableFile. */
export function openBlockFile(file: string): number {
  try {
    return fs.openSync(file, 'r');
  } catch (e) {
    throw isErrno(e) ? new UnreadableFile(file, e) : e;
  }
}

/** Read and scan one segment file, in this thread, to its end. */
export function scanSegmentFile(job: SegmentJob, onBytes?: (n: number) => void): SegmentOutcome {
  const sink = new FindingSink({ snapshot: job.snapshot, block: job.block });
  sink.record();
  const scanner = new SegmentScanner(job.rel, sink);
  try {
    // Two buffers serve most segments: one the scanner reads, one it may still hold a record's start in.
    for (const piece of piecesOf(openBlockFile(job.path), onBytes, (b) => !scanner.holds(b.buffer))) scanner.push(piece);
  } catch (e) {
    throw isErrno(e) ? new UnreadableFile(job.path, e) : e;
  }
  return { table: scanner.end().data(), recorded: sink.recorded() };
}

/** The buffers of an outcome, to move rather than copy to another thread. */
export function outcomeBuffers(o: SegmentOutcome): ArrayBuffer[] {
  const t = o.table;
  return [t.offset, t.minT, t.maxT, t.samples, t.size, t.bad].map((a) => a.buffer as ArrayBuffer);
}
