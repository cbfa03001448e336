// Where verify keeps an index until its block is cross-checked: in memory,
// or, past the spill size, in a temp file (the one thing verify writes; its
// dir is always removed). See tsdb/docs/format/index.md for the magic and TOC.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { crc32c } from '../../encoding/crc32c.js';
import { be32At, hex32 } from '../../encoding/decbuf.js';
import { MAGIC_INDEX, TOC_LEN } from '../../index/toc.js';
import type { FindingSink } from '../check/findings.js';
import { Code } from '../../encoding/finding-codes.js';
import { makeTempDir, removeTemp } from '../../snapshot/temp.js';

/** An index larger than this waits in a temp file, not in memory, until its block is checked. */
export const INDEX_SPILL_AT = 256 * 1024 * 1024;
/** The largest Buffer this Node can make: a larger index cannot be checked in memory. */
const MAX_INDEX = Math.min(2 ** 32, Number.MAX_SAFE_INTEGER);

/** An index as read: its bytes or the temp file holding them (neither when it is not an index), and a hash of them. */
export interface KeptIndex {
  buf?: Uint8Array;
  file?: string;
  print: string;
}

export class IndexSpill {
  private tmpDir?: string;
  /** Users of each temp file (a hard link shares it). */
  private readonly users = new Map<string, number>();
  private made = 0;

  constructor(
    private readonly spillAt: number,
    /** Where the temp dir goes (default os.tmpdir()). */
    private readonly parent?: string,
    /** The largest index checked (default and most: the largest Buffer this Node makes). */
    private readonly maxIndex = MAX_INDEX,
  ) {}

  /**
   * Read an index, moving it to a temp file once it passes the spill size. One that
   * does not start with the index magic is reported at once and not kept: a gigabyte
   * of zeros named `index` costs neither memory nor disk.
   */
  async read(stream: Readable, sink: FindingSink, print = true): Promise<KeptIndex> {
    const parts: Buffer[] = [];
    const hash = print ? createHash('sha1') : undefined;
    let n = 0;
    let out: fs.WriteStream | undefined;
    let file: string | undefined;
    let checked = false;
    let bad = false;
    for await (const c of stream) {
      const b = c as Buffer;
      n += b.length;
      if (bad) continue; // read to the end, keeping nothing
      hash?.update(b);
      if (out) {
        if (!out.write(b)) await new Promise<void>((r) => out!.once('drain', () => r()));
        continue;
      }
      parts.push(b);
      if (!checked && n >= 4) {
        checked = true;
        const head = parts.length === 1 ? b : Buffer.concat(parts, n);
        const magic = be32At(head, 0);
        if (magic !== MAGIC_INDEX) {
          sink.error(Code.IndexCorrupt, `index magic is ${hex32(magic)}, want ${hex32(MAGIC_INDEX)}: this is not an index (the rest is not read)`, 'index', 0);
          bad = true;
          parts.length = 0;
          continue;
        }
      }
      if (n > this.spillAt) {
        // In the registry: a signal or an early exit while it spills still removes it.
        this.tmpDir ??= makeTempDir(this.parent, 'tsdb-inspect-verify-');
        file = path.join(this.tmpDir, `${this.made++}-index`);
        this.users.set(file, 1);
        out = fs.createWriteStream(file);
        for (const p of parts.splice(0)) out.write(p);
      }
    }
    if (bad) return { print: 'none' };
    const printed = hash ? hash.digest('hex') : '';
    if (out) {
      await new Promise<void>((resolve, reject) => out!.end((e?: Error | null) => (e ? reject(e) : resolve())));
      return { file, print: printed };
    }
    return { buf: Buffer.concat(parts, n), print: printed };
  }

  /**
   * A spilled index, read back only once its TOC checks out: a large file whose
   * TOC is bad would be read for nothing, and its size is the input's, not ours.
   */
  load(file: string, sink: FindingSink): Uint8Array | undefined {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size > this.maxIndex) {
        sink.error(Code.IndexTooLarge, `index is ${size} bytes; tsdb-inspect checks indexes of up to ${this.maxIndex} bytes (it is not checked)`, 'index', this.maxIndex);
        return undefined;
      }
      const toc = Buffer.alloc(TOC_LEN);
      fs.readSync(fd, toc, 0, TOC_LEN, size - TOC_LEN);
      const want = be32At(toc, TOC_LEN - 4);
      const got = crc32c(toc, 0, TOC_LEN - 4);
      if (want !== got) {
        sink.error(Code.IndexCrc, `index TOC at offset ${size - TOC_LEN}: CRC32C mismatch (stored ${hex32(want)}, computed ${hex32(got)})`, 'index', size - TOC_LEN);
        return undefined;
      }
      const buf = Buffer.allocUnsafe(size);
      for (let at = 0; at < size; ) {
        const n = fs.readSync(fd, buf, at, Math.min(size - at, 1 << 30), at);
        if (n === 0) throw new Error(`spilled index ${file} ended after ${at} of ${size} bytes`);
        at += n;
      }
      return buf;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** One more user of a temp file (a hard link to the index in it). */
  share(file: string): void {
    this.users.set(file, (this.users.get(file) ?? 0) + 1);
  }

  /** One user fewer; the last removes the file. */
  release(file: string): void {
    const n = (this.users.get(file) ?? 1) - 1;
    if (n > 0) this.users.set(file, n);
    else {
      this.users.delete(file);
      fs.rmSync(file, { force: true });
    }
  }

  /** Remove the temp dir and whatever is left in it. */
  cleanup(): void {
    if (this.tmpDir) removeTemp(this.tmpDir);
    this.tmpDir = undefined;
  }
}
