// Where a block's files come from: a directory (here), or the members of
// an archive read as a stream (snapshot/archive-source.ts), which keeps
// meta.json, index and tombstones and only the chunk records a query reads.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

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
  /**
   * For a source that holds chunk records rather than segment files: the segment's 8-byte
   * header and a buffer holding the record at file offset `off` (from file offset `base`
   * on), or undefined when the segment is missing.
   */
  chunkAt?(rel: string, off: number): { header: Uint8Array; buf: Uint8Array; base: number } | undefined;
}

/** What a non-regular file is, or undefined for a regular one. */
function specialKind(st: fs.Stats): string | undefined {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (!st.isFile()) return 'not a regular file';
  return undefined;
}

/**
 * Open a block file for reading, or undefined when it is missing. Opened non-blocking and
 * checked before any read: a FIFO or device named `index` must not hang the command.
 */
function openRegular(file: string, rel: string): number | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const what = specialKind(fs.fstatSync(fd));
  if (what) {
    fs.closeSync(fd);
    throw new TsdbError(ErrorCode.BadInput, `${file} is ${what}, not a regular file: it is not read`, { file: rel });
  }
  return fd;
}

export function dirSource(dir: string): BlockSource {
  return {
    location: dir,
    read(rel) {
      const fd = openRegular(path.join(dir, rel), rel);
      if (fd === undefined) return undefined;
      try {
        return fs.readFileSync(fd);
      } finally {
        fs.closeSync(fd);
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
      const fd = openRegular(path.join(dir, rel), rel);
      if (fd === undefined) return undefined;
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
