// The block members verify checks, written as they stream past (verify's
// BlockTee): each file's bytes go to its block's tmp dir on their way to the
// checks, so what is written is exactly what is checked. Only the chosen
// snapshot's blocks are written, and only the files a block holds.

import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import type { BlockMember, BlockTee } from '../verify/verify.js';
import { BlockWriter, isBlockFile, isBlockName, writeAll } from './block-writer.js';

const key = (m: BlockMember) => `${m.snapshot}/${m.block}/${m.rel}`;

export class RestoreTee implements BlockTee {
  /** What stopped the restore (nothing is restored then). */
  failure?: unknown;
  /** Blocks that cannot be restored as checked, with why. */
  readonly broken = new Map<string, string>();
  /** Files written, by snapshot/block/rel, for hard links to them. */
  private readonly written = new Map<string, string>();

  /**
   * `snapshot`: the one to restore; `fixed`: chosen by the user or the survey (otherwise the first
   * seen, and another is an error). `carried`: files of other snapshots that a hard link of this
   * one names (by snapshot/block/rel), with where the first such link goes: written there.
   */
  constructor(
    private readonly writer: BlockWriter,
    public snapshot: string | undefined,
    private readonly fixed: boolean,
    private readonly carried = new Map<string, BlockMember>(),
  ) {}

  /** Whether the member is written: a block file of a ULID dir of the chosen snapshot. */
  private mine(m: BlockMember): boolean {
    if (this.failure !== undefined || !isBlockFile(m.rel)) return false;
    this.snapshot ??= m.snapshot;
    if (m.snapshot !== this.snapshot) {
      if (!this.fixed) {
        this.failure = new TsdbError(ErrorCode.BadInput, `the archive holds more than one snapshot (${this.snapshot}, ${m.snapshot}, …): name the one to restore with --snapshot; nothing was changed`);
      }
      return false;
    }
    return isBlockName(m.block);
  }

  file(m: BlockMember, stream: Readable): Readable {
    const to = this.mine(m) ? m : this.failure === undefined ? this.carried.get(key(m)) : undefined;
    if (!to) return stream;
    let fd: number;
    try {
      fd = this.writer.create(to.block, to.rel);
    } catch (e) {
      this.failure = e;
      return stream;
    }
    this.written.set(key(m), this.writer.pathOf(to.block, to.rel)!);
    return Readable.from(this.copy(fd, stream), { objectMode: false });
  }

  /** `src`'s chunks, each written to `fd` first; the file is fsynced at the end, as Prometheus's writers do. */
  private async *copy(fd: number, src: Readable): AsyncGenerator<Buffer> {
    let ok = true;
    try {
      for await (const c of src) {
        if (ok) ok = this.attempt(() => writeAll(fd, c as Buffer));
        yield c as Buffer;
      }
      if (ok) this.attempt(() => fs.fsyncSync(fd));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** A write that fails (a full disk) stops the restore; the checks read on to the member's end. */
  private attempt(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      this.failure ??= e;
      return false;
    }
  }

  link(m: BlockMember, target: BlockMember | undefined): void {
    if (!this.mine(m)) return;
    const from = target && this.written.get(key(target));
    if (!from) {
      const what = target ? `${target.snapshot}/${target.block}/${target.rel}` : 'a file that is not part of a block';
      this.broken.set(m.block, `${m.rel} is a hard link to ${what}, which restore did not keep (from stdin it cannot know ahead which files of other snapshots a link will name): restore from the archive file, or extract it`);
      return;
    }
    const at = this.writer.pathOf(m.block, m.rel)!;
    if (target) this.carried.delete(key(target)); // a later copy of the target is not what this link holds
    // A carried file is already where its first link goes.
    if (from === at || this.attempt(() => this.writer.link(m.block, m.rel, from))) this.written.set(key(m), at);
  }

  removed(m: BlockMember): void {
    if (!this.mine(m)) return;
    this.attempt(() => this.writer.remove(m.block, m.rel));
    this.written.delete(key(m));
  }

  stop(): boolean {
    return this.failure !== undefined;
  }
}
