// Where a block's files come from. A directory today; the streaming
// archive reader supplies the same interface from buffered members.

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface BlockSource {
  /** Where the block is, for messages. */
  readonly location: string;
  /** The whole file at a block-relative path (`index`, `chunks/000001`), or undefined when missing. */
  read(rel: string): Uint8Array | undefined;
  /** File size in bytes, or undefined when missing. */
  size(rel: string): number | undefined;
  /** File names under `chunks/`, sorted. */
  chunkFiles(): string[];
  /** Up to `length` bytes of a file from `offset` (fewer at its end), when the source can read ranges. */
  readRange?(rel: string, offset: number, length: number): Uint8Array | undefined;
}

export function dirSource(dir: string): BlockSource {
  return {
    location: dir,
    read(rel) {
      try {
        return fs.readFileSync(path.join(dir, rel));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    size(rel) {
      try {
        return fs.statSync(path.join(dir, rel)).size;
      } catch {
        return undefined;
      }
    },
    readRange(rel, offset, length) {
      let fd: number;
      try {
        fd = fs.openSync(path.join(dir, rel), 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
      try {
        const buf = Buffer.allocUnsafe(length);
        const n = fs.readSync(fd, buf, 0, length, offset);
        return buf.subarray(0, n);
      } finally {
        fs.closeSync(fd);
      }
    },
    chunkFiles() {
      try {
        return fs.readdirSync(path.join(dir, 'chunks')).sort();
      } catch {
        return [];
      }
    },
  };
}
