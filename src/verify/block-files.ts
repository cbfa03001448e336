// One block's files on disk, read and checked on their own: the unit of work
// of verify on a directory, done in a worker thread (worker.ts) or in this
// one. What comes back is plain data, the same either way.

import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { Collector, type BlockOutcome } from './collect.js';
import { isErrno } from './usage.js';

export interface BlockJob {
  snapshot: string;
  block: string;
  /** Its files, in the order read: block-relative path and path on disk. */
  files: { rel: string; path: string }[];
  /** Index size from which it waits in a temp file, and where (see CollectorOptions). */
  spillAt?: number;
  tmpDir?: string;
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

const PIECE = 1 << 20;

/** A file's bytes in fresh 1 MiB pieces, read in this thread (no round trip through libuv's pool). */
function* piecesOf(fd: number, onBytes?: (n: number) => void): Generator<Buffer> {
  try {
    for (;;) {
      const b = Buffer.allocUnsafe(PIECE);
      const n = fs.readSync(fd, b, 0, PIECE, null);
      if (n === 0) return;
      onBytes?.(n);
      yield n === PIECE ? b : b.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Read and check one block's files; `onBytes` hears of every piece read. A worker thread
 * reads with `blocking` reads: it has nothing else to do, and a read through libuv's
 * thread pool waits for a core that the other workers keep busy.
 */
export async function checkBlockFiles(job: BlockJob, onBytes?: (n: number) => void, blocking = false): Promise<BlockOutcome> {
  const collector = new Collector([], { spillAt: job.spillAt, tmpDir: job.tmpDir });
  try {
    for (const f of job.files) {
      let fd: number;
      try {
        fd = fs.openSync(f.path, 'r');
      } catch (e) {
        throw isErrno(e) ? new UnreadableFile(f.path, e) : e;
      }
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
