// Blocks written into a Prometheus data dir as Prometheus writes one
// (tsdb/compact.go, LeveledCompactor.write): its files into
// <data-dir>/<ULID>.tmp-for-creation/, each fsynced, then the dir fsynced and
// renamed to <data-dir>/<ULID> (tsdb/fileutil Replace → Rename, which fsyncs the
// parent). Prometheus removes `<ULID>.tmp-for-creation` dirs when it opens the
// data dir (tsdb/db.go, isTmpDir), so an interrupted restore leaves no half
// block; the temp registry (snapshot/temp.ts) removes them on exit and signals.
//
// Nothing outside the data dir is written: the only paths are a ULID dir of the
// data dir, its `chunks/`, and the four kinds of block file, all made here
// (mkdir fails on an existing dir; files are opened O_EXCL|O_NOFOLLOW, so never
// through a link). A block whose ULID is taken is never replaced.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { forgetTemp, registerTemp, removeTemp } from '../snapshot/temp.js';
import { kindOf } from '../verify/stream/block-state.js';

export const TMP_SUFFIX = '.tmp-for-creation';

/** A block dir name Prometheus opens (ulid.ParseStrict), in the canonical upper case. */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function isBlockName(name: string): boolean {
  return ULID.test(name);
}

/** A file a block holds and restore writes: meta.json, index, tombstones, chunks/<segment>. */
export function isBlockFile(rel: string): boolean {
  return kindOf(rel) !== undefined;
}

const CREATE = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

export class BlockWriter {
  /** Tmp dirs made, by ULID. */
  private readonly tmp = new Map<string, string>();

  constructor(readonly dataDir: string) {}

  /** The ULIDs of `names` the data dir already holds (as a block or a tmp dir of one). */
  taken(names: Iterable<string>): string[] {
    const out: string[] = [];
    for (const n of names) {
      if (this.tmp.has(n)) continue;
      if (exists(path.join(this.dataDir, n)) || exists(path.join(this.dataDir, n + TMP_SUFFIX))) out.push(n);
    }
    return out;
  }

  has(ulid: string): boolean {
    return this.tmp.has(ulid);
  }

  /** Make the block's tmp dir (once); throws, naming it, when the data dir holds the block. */
  open(ulid: string): string {
    let dir = this.tmp.get(ulid);
    if (dir) return dir;
    if (!isBlockName(ulid)) throw new Error(`${ulid} is not a block ULID`);
    const [t] = this.taken([ulid]);
    if (t) throw takenError(this.dataDir, [t]);
    dir = path.join(this.dataDir, ulid + TMP_SUFFIX);
    fs.mkdirSync(dir); // fails if it exists: never a dir made by someone else
    registerTemp(dir);
    this.tmp.set(ulid, dir);
    return dir;
  }

  /** Where `rel` of a block goes, its dirs made; a copy written before is removed (tar x replaces it too). */
  private place(ulid: string, rel: string): string {
    if (!isBlockFile(rel)) throw new Error(`${rel} is not a block file`);
    const dir = this.open(ulid);
    const p = path.join(dir, rel);
    if (rel.startsWith('chunks/')) fs.mkdirSync(path.join(dir, 'chunks'), { recursive: true });
    fs.rmSync(p, { force: true });
    return p;
  }

  /** A new file `rel` in the block's tmp dir, open for writing. */
  create(ulid: string, rel: string): number {
    return fs.openSync(this.place(ulid, rel), CREATE, 0o644);
  }

  /** `rel` of a block as a hard link to a file written here before (`from`, a path that `pathOf` gave). */
  link(ulid: string, rel: string, from: string): void {
    fs.linkSync(from, this.place(ulid, rel));
  }

  /** Where `rel` of a block was written. */
  pathOf(ulid: string, rel: string): string | undefined {
    const dir = this.tmp.get(ulid);
    return dir && path.join(dir, rel);
  }

  /** Remove `rel` of a block (tar x removes it: a directory comes in its place). */
  remove(ulid: string, rel: string): void {
    const p = this.pathOf(ulid, rel);
    if (p && isBlockFile(rel)) fs.rmSync(p, { force: true });
  }

  /** Every block written here. */
  blocks(): string[] {
    return [...this.tmp.keys()];
  }

  /**
   * Put the blocks in place: first all checked free (an error naming the taken ones, nothing
   * renamed), then each tmp dir (and its chunks/) fsynced and renamed, then the data dir fsynced.
   */
  commit(ulids: readonly string[]): void {
    const taken = ulids.filter((u) => exists(path.join(this.dataDir, u)));
    if (taken.length) throw takenError(this.dataDir, taken);
    for (const u of ulids) {
      const dir = this.tmp.get(u)!;
      if (exists(path.join(dir, 'chunks'))) fsyncPath(path.join(dir, 'chunks'));
      fsyncPath(dir);
    }
    for (const u of ulids) {
      const dir = this.tmp.get(u)!;
      // rename(2) would replace an empty dir of that name: looked for just above (Node has no RENAME_NOREPLACE).
      fs.renameSync(dir, path.join(this.dataDir, u));
      forgetTemp(dir);
      this.tmp.delete(u);
    }
    fsyncPath(this.dataDir);
  }

  /** Remove every tmp dir left (blocks not restored). */
  discard(): void {
    for (const dir of this.tmp.values()) removeTemp(dir);
    this.tmp.clear();
  }
}

/** Write all of `b` to `fd`. */
export function writeAll(fd: number, b: Uint8Array): void {
  for (let off = 0; off < b.length; ) off += fs.writeSync(fd, b, off, b.length - off);
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function takenError(dataDir: string, ulids: readonly string[]): TsdbError {
  return new TsdbError(ErrorCode.BadInput, `${dataDir} already holds block ${ulids.join(', ')} (or a ${TMP_SUFFIX} dir of it): restore never replaces a block, and nothing was changed`);
}
