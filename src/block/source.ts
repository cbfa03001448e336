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
    chunkFiles() {
      try {
        return fs.readdirSync(path.join(dir, 'chunks')).sort();
      } catch {
        return [];
      }
    },
  };
}
