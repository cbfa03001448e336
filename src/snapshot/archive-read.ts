// The one streaming pass over an archive for the query commands: each member
// goes where its path says (classify.ts) and only what the answer needs is
// kept. meta.json and tombstones in memory, the index too (past the spill
// size in a temp file) unless only meta.json is needed, and of each chunk
// segment its place in the archive (a file can be read again) or, on stdin,
// its bytes held until the block's index says which records are read.

import type { Readable } from 'node:stream';
import type { Finding } from '../encoding/errors.js';
import type { DataDirFiles } from '../wal/head.js';
import { MAX_META_BYTES } from '../block/block.js';
import { StreamedMembers } from './classify.js';
import { stripRel } from './layout.js';
import type { MemberInfo } from './layout-check.js';
import { readArchive } from './stream.js';
import type { Kept } from './archive-source.js';
import { readCapped, type Holder } from './hold.js';

/** What the command reads: meta.json alone (blocks), indexes too (series, labels), or chunks (dump, analyze). */
export type Needs = 'meta' | 'index' | 'chunks';

/** An index larger than this waits in a temp file rather than in memory until it is read. */
export const INDEX_SPILL_AT = 256 * 1024 * 1024;
/** Tombstones are a few bytes per deleted range. */
const MAX_TOMBSTONES = 64 * 1024 * 1024;
const SEGMENT = /^chunks\/\d+$/;

/** WAL and chunks_head files of one data dir, kept for the replay. */
export class MemFiles implements DataDirFiles {
  readonly files = new Map<string, Uint8Array>();
  get paths(): string[] {
    return [...this.files.keys()].sort();
  }
  read(p: string): Uint8Array | undefined {
    return this.files.get(p);
  }
}

export interface ArchiveRead {
  /** Members as tar x leaves them (what a later member replaced left out). */
  members: MemberInfo[];
  /** Each block dir's kept files by block-relative path, by the dir's path in the archive. */
  blocks: Map<string, Map<string, Kept>>;
  /** Each data dir's WAL and chunks_head files, by the dir's path. */
  heads: Map<string, MemFiles>;
  findings: Finding[];
  gzip: boolean;
}

export interface ReadOptions {
  needs: Needs;
  /** Segments are held (stdin: no second pass). */
  hold: boolean;
  holder: Holder;
  file?: { path: string; size: number };
  onProgress?(bytesIn: number): void;
}

export async function readMembers(input: Readable, opts: ReadOptions): Promise<ArchiveRead> {
  const blocks = new Map<string, Map<string, Kept>>();
  const heads = new Map<string, MemFiles>();
  const byPath = new Map<string, Kept>();
  const headBufs = new Map<string, Uint8Array>();
  const members = new StreamedMembers();
  let ordinal = 0;
  /** An error of ours (a full temp dir), not the archive's: it is thrown, not reported as damage. */
  let failure: unknown;

  const place = (name: string, blockDir: string, rel: string, k: Kept | undefined) => {
    let files = blocks.get(blockDir);
    if (!files) blocks.set(blockDir, (files = new Map()));
    if (k) {
      files.set(rel, k);
      byPath.set(name, k);
    } else {
      files.delete(rel);
      byPath.delete(name);
    }
  };

  const keep = async (rel: string, size: number, stream: Readable, name: string): Promise<Kept> => {
    if (rel === 'meta.json') return { size, buf: await readCapped(stream, MAX_META_BYTES) };
    if (rel === 'tombstones') return { size, buf: await readCapped(stream, MAX_TOMBSTONES) };
    if (rel === 'index' && opts.needs !== 'meta') {
      if (size <= INDEX_SPILL_AT) return { size, buf: await readCapped(stream, INDEX_SPILL_AT) };
      const h = await opts.holder.hold(stream, size, `${name}`, false);
      return 'file' in h ? { size: h.size, file: h.file } : { size, buf: h.buf };
    }
    if (SEGMENT.test(rel) && opts.needs === 'chunks') {
      const segment = { ordinal, size, held: opts.hold ? await opts.holder.hold(stream, size, name) : undefined };
      return { size, segment };
    }
    return { size };
  };

  const archive = await readArchive(
    input,
    async (e) => {
      ordinal++;
      const p = members.add(e);
      if (p.kind === 'block' && p.rel !== undefined) {
        const blockDir = stripRel(e.name, p.rel);
        if (e.type === 'directory') return place(e.name, blockDir, p.rel, undefined);
        // A hard link is a second path to an earlier file: the same kept bytes.
        const k = e.type === 'link' ? byPath.get(e.linkTarget ?? '') : await keep(p.rel, e.size, e.stream, e.name).catch((x: unknown) => void (failure ??= x));
        place(e.name, blockDir, p.rel, k);
      } else if (p.kind === 'head' && opts.needs !== 'meta' && e.type !== 'directory') {
        const dataDir = stripRel(e.name, p.rel);
        let m = heads.get(dataDir);
        if (!m) heads.set(dataDir, (m = new MemFiles()));
        const buf = e.type === 'link' ? headBufs.get(e.linkTarget ?? '') : await readCapped(e.stream, Number.MAX_SAFE_INTEGER);
        if (buf) {
          m.files.set(p.rel, buf);
          headBufs.set(e.name, buf);
        }
      } else if (p.kind === 'head' && e.replaced === 'file') heads.get(stripRel(e.name, p.rel))?.files.delete(p.rel);
    },
    { hardLinks: true, file: opts.file, onProgress: opts.onProgress, stop: () => failure !== undefined },
  );
  if (failure !== undefined) throw failure;
  return { members: members.present(), blocks, heads, findings: archive.findings, gzip: archive.gzip };
}
