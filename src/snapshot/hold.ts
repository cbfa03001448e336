// Bytes that must wait: an archive on stdin can be read once, and tar often
// writes a block's chunk segments before its index, which alone says which
// records a query reads. Such a segment is held in memory while the held
// total stays under a budget, and past it in a temp file (the registry in
// temp.ts removes it whatever happens). Large indexes wait the same way.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { isNoSpace, makeTempDir, noSpaceError, removeTemp } from './temp.js';

/** Held bytes: in memory, or in a temp file. */
export type Held = { buf: Uint8Array } | { file: string; size: number };

export class Holder {
  private inMemory = 0;
  private dir?: string;
  private made = 0;
  /** Bytes written to temp files, for the note on stderr. */
  spilled = 0;

  constructor(
    /** Bytes held in memory at most (over all held members). */
    private readonly budget: number,
    /** Where temp files go (default $TMPDIR). */
    private readonly tmpDir: string | undefined,
  ) {}

  /** Hold a member's data of `size` bytes (as its header says; only bytes read are held). */
  async hold(stream: Readable, size: number, what: string, inMemory = this.inMemory + size <= this.budget): Promise<Held> {
    if (inMemory) {
      const parts: Buffer[] = [];
      let n = 0;
      for await (const c of stream) {
        parts.push(c as Buffer);
        n += (c as Buffer).length;
      }
      this.inMemory += n;
      return { buf: Buffer.concat(parts, n) };
    }
    this.dir ??= makeTempDir(this.tmpDir, 'tsdb-inspect-');
    const file = path.join(this.dir, String(this.made++));
    let n = 0;
    const fd = fs.openSync(file, 'wx');
    try {
      for await (const c of stream) {
        const b = c as Buffer;
        try {
          for (let at = 0; at < b.length; ) at += fs.writeSync(fd, b, at);
        } catch (e) {
          if (isNoSpace(e)) throw noSpaceError(e, this.dir, what, size);
          throw e;
        }
        n += b.length;
      }
    } finally {
      fs.closeSync(fd);
    }
    this.spilled += n;
    return { file, size: n };
  }

  /** Let held bytes go. */
  release(h: Held): void {
    if ('buf' in h) this.inMemory -= h.buf.length;
    else fs.rmSync(h.file, { force: true });
  }

  /** Remove the temp dir. */
  close(): void {
    if (this.dir) removeTemp(this.dir);
    this.dir = undefined;
  }
}

/** Held bytes in order, as chunks (a temp file read in 1 MiB steps). */
export function* heldChunks(h: Held): Generator<Uint8Array> {
  if ('buf' in h) {
    yield h.buf;
    return;
  }
  const fd = fs.openSync(h.file, 'r');
  try {
    const b = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, b, 0, b.length, null);
      if (n === 0) return;
      yield b.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Read the whole stream, or, past `limit` bytes, keep nothing (the size says why). */
export async function readCapped(stream: Readable, limit: number): Promise<Uint8Array | undefined> {
  let parts: Buffer[] | undefined = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > limit) parts = undefined;
    parts?.push(c as Buffer);
  }
  return parts && Buffer.concat(parts, n);
}
