// Gathers a block's files as they arrive, in any order: chunk segments are
// checked while they stream past; meta.json, index and tombstones are
// buffered (bounded by the bytes actually present) until the end, when each
// block is cross-checked.
//
// A hard link in the archive (a second path to one file) is checked as a
// copy of the file it links to: what that file's check found is remembered
// per member path (chunk tables are small; buffers are shared, not copied).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { crc32c } from '../encoding/crc32c.js';
import { be32At, hex32 } from '../encoding/decbuf.js';
import type { Finding } from '../encoding/errors.js';
import { MAGIC_INDEX, TOC_LEN } from '../index/toc.js';
import { FindingSink, MAX_PER_CODE, type Recorded } from './findings.js';
import { checkBlock, type BlockSummary } from './block-check.js';
import type { HeadSummary } from './head-check.js';
import { SegmentScanner, type ChunkTable } from './segment-scan.js';

/** meta.json and tombstones are tiny in any real block. */
const MAX_SMALL_FILE = 64 * 1024 * 1024;
/** An index larger than this waits in a temp file, not in memory, until its block is checked. */
export const INDEX_SPILL_AT = 256 * 1024 * 1024;
/** The largest Buffer this Node can make: a larger index cannot be checked in memory. */
const MAX_INDEX = Math.min(2 ** 32, Number.MAX_SAFE_INTEGER);

interface BlockState {
  snapshot: string;
  name: string;
  sink: FindingSink;
  meta?: Uint8Array;
  index?: Uint8Array;
  /** Temp file holding a large index. */
  indexFile?: string;
  tombstones?: Uint8Array;
  segments: Map<number, ChunkTable>;
}

/** What one block file's check left, for a hard link to it. */
interface Memo {
  rel: string;
  table?: ChunkTable;
  buf?: Uint8Array;
  indexFile?: string;
  recorded: Recorded;
}

export interface SnapshotSummary {
  name: string;
  blocks: BlockSummary[];
  /** For a data dir: the head rebuilt from wal/ and chunks_head/. */
  head?: HeadSummary;
}

export interface CollectorOptions {
  /** Index size from which it waits in a temp file (default INDEX_SPILL_AT). */
  spillAt?: number;
  /** Where that temp file goes (default os.tmpdir()); its dir is always removed. */
  tmpDir?: string;
}

/** What a block-relative path is to the checks: a chunk segment, index, meta.json, tombstones, or nothing. */
function kindOf(rel: string): 'segment' | 'index' | 'meta.json' | 'tombstones' | undefined {
  if (/^chunks\/\d{6}$/.test(rel)) return 'segment';
  return rel === 'index' || rel === 'meta.json' || rel === 'tombstones' ? rel : undefined;
}

/** Segment sequence number from `chunks/000001` (0); 000000 gives -1 and is left to the layout check. */
function segmentSeq(rel: string): number {
  return Number(rel.slice('chunks/'.length)) - 1;
}

async function drain(stream: Readable): Promise<void> {
  stream.resume();
  for await (const _ of stream) void _;
}

/** The whole stream, or undefined (having read it to its end) when it is longer than `limit`. */
async function readAll(stream: Readable, limit: number): Promise<Buffer | undefined> {
  let parts: Buffer[] | undefined = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > limit) parts = undefined;
    parts?.push(c as Buffer);
  }
  return parts && Buffer.concat(parts, n);
}

export class Collector {
  private readonly blocks = new Map<string, BlockState>();
  /** In the order first seen (a Set: an archive may hold 100,000 snapshot dirs). */
  private readonly snapshotNames = new Set<string>();
  private readonly memo = new Map<string, Memo>();
  /** Users of each spilled index file (a hard link shares it). */
  private readonly spillUsers = new Map<string, number>();
  private tmpDir?: string;
  private readonly spillAt: number;

  constructor(
    readonly findings: Finding[],
    private readonly opts: CollectorOptions = {},
  ) {
    this.spillAt = opts.spillAt ?? INDEX_SPILL_AT;
  }

  /** Note a snapshot dir, so empty ones still appear in the result. */
  snapshot(name: string): void {
    this.snapshotNames.add(name);
  }

  private state(snapshot: string, block: string): BlockState {
    const key = snapshot + '/' + block;
    let s = this.blocks.get(key);
    if (!s) {
      this.snapshot(snapshot);
      s = { snapshot, name: block, sink: new FindingSink({ snapshot, block }, this.findings), segments: new Map() };
      this.blocks.set(key, s);
    }
    return s;
  }

  /** One file of a block, given as a stream that this consumes fully. */
  async file(snapshot: string, block: string, rel: string, stream: Readable): Promise<void> {
    const s = this.state(snapshot, block);
    const kind = kindOf(rel);
    if (!kind) return drain(stream);
    const m: Memo = { rel, recorded: { added: [], dropped: new Map() } };
    s.sink.record();
    try {
      if (kind === 'segment') {
        const scanner = new SegmentScanner(rel, s.sink);
        for await (const c of stream) scanner.push(c as Buffer);
        m.table = scanner.end();
        if (segmentSeq(rel) >= 0) s.segments.set(segmentSeq(rel), m.table);
      } else if (rel === 'index') {
        await this.readIndex(s, stream);
        m.buf = s.index;
        m.indexFile = s.indexFile;
      } else {
        const buf = await readAll(stream, MAX_SMALL_FILE);
        if (!buf) s.sink.error(rel === 'meta.json' ? 'meta-parse' : 'tombstones-corrupt', `${rel} is larger than ${MAX_SMALL_FILE} bytes; no real block has one so large`, rel);
        else if (rel === 'meta.json') s.meta = buf;
        else s.tombstones = buf;
        m.buf = buf;
      }
    } finally {
      m.recorded = s.sink.recorded();
    }
    this.memo.set(`${snapshot}/${block}/${rel}`, m);
  }

  /**
   * A hard link: `snapshot/block/rel` is a second path to the earlier member `target`
   * (`snapshots/<snapshot>/<block>/<rel>`). It is checked as a copy of that file.
   */
  link(snapshot: string, block: string, rel: string, target: string): void {
    const kind = kindOf(rel);
    const s = this.state(snapshot, block);
    if (!kind) return; // not a block file: nothing to check
    const key = `${snapshot}/${block}/${rel}`;
    const m = this.memo.get(target.replace(/^snapshots\//, ''));
    if (m && kindOf(m.rel) === kind) {
      // The usual case (the same file of a block shared by two snapshots): its findings and results again.
      s.sink.replay(m.recorded);
      if (kind === 'segment' && m.table && segmentSeq(rel) >= 0) s.segments.set(segmentSeq(rel), m.table.clone());
      else if (kind === 'index') {
        s.index = m.buf;
        if (m.indexFile) {
          s.indexFile = m.indexFile;
          this.spillUsers.set(m.indexFile, (this.spillUsers.get(m.indexFile) ?? 0) + 1);
        }
      } else if (kind === 'meta.json') s.meta = m.buf;
      else if (kind === 'tombstones') s.tombstones = m.buf;
      this.memo.set(key, m);
      return;
    }
    // A link to a different kind of file: its name says what it must be, so check the content as that.
    if (m?.buf) {
      const copy: Memo = { rel, buf: m.buf, recorded: { added: [], dropped: new Map() } };
      s.sink.record();
      if (kind === 'segment') {
        const scanner = new SegmentScanner(rel, s.sink);
        scanner.push(Buffer.from(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength));
        copy.table = scanner.end();
        if (segmentSeq(rel) >= 0) s.segments.set(segmentSeq(rel), copy.table);
      } else if (kind === 'index') s.index = m.buf;
      else if (kind === 'meta.json') s.meta = m.buf;
      else s.tombstones = m.buf;
      copy.recorded = s.sink.recorded();
      this.memo.set(key, copy);
      return;
    }
    const why = m ? `${m.rel}, whose content was not kept` : 'a file that is not part of a block';
    s.sink.error('hard-link', `${rel} is a hard link to \`${target}\`, ${why}: it cannot be checked as ${rel}`, rel);
  }

  /**
   * Buffer an index in memory, moving it to a temp file once it passes the spill size.
   * One that does not start with the index magic is reported at once and not kept:
   * a gigabyte of zeros named `index` costs neither memory nor disk.
   */
  private async readIndex(s: BlockState, stream: Readable): Promise<void> {
    const parts: Buffer[] = [];
    let n = 0;
    let out: fs.WriteStream | undefined;
    let checked = false;
    let bad = false;
    for await (const c of stream) {
      const b = c as Buffer;
      n += b.length;
      if (bad) continue; // read to the end, keeping nothing
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
          s.sink.error('index-corrupt', `index magic is ${hex32(magic)}, want ${hex32(MAGIC_INDEX)}: this is not an index (the rest is not read)`, 'index', 0);
          bad = true;
          parts.length = 0;
          continue;
        }
      }
      if (n > this.spillAt) {
        this.tmpDir ??= fs.mkdtempSync(path.join(this.opts.tmpDir ?? os.tmpdir(), 'tsdb-inspect-verify-'));
        s.indexFile = path.join(this.tmpDir, `${this.blocks.size}-${this.spillUsers.size}-index`);
        this.spillUsers.set(s.indexFile, 1);
        out = fs.createWriteStream(s.indexFile);
        for (const p of parts.splice(0)) out.write(p);
      }
    }
    if (out) await new Promise<void>((resolve, reject) => out!.end((e?: Error | null) => (e ? reject(e) : resolve())));
    else if (!bad) s.index = Buffer.concat(parts, n);
  }

  /**
   * A spilled index, read back only once its TOC checks out: a large file whose
   * TOC is bad would be read for nothing, and its size is the input's, not ours.
   */
  private loadSpilled(s: BlockState, file: string): Uint8Array | undefined {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size > MAX_INDEX) {
        s.sink.error('index-too-large', `index is ${size} bytes; tsdb-inspect checks indexes of up to ${MAX_INDEX} bytes (it is not checked)`, 'index');
        return undefined;
      }
      const toc = Buffer.alloc(TOC_LEN);
      fs.readSync(fd, toc, 0, TOC_LEN, size - TOC_LEN);
      const want = be32At(toc, TOC_LEN - 4);
      const got = crc32c(toc, 0, TOC_LEN - 4);
      if (want !== got) {
        s.sink.error('index-crc', `index TOC at offset ${size - TOC_LEN}: CRC32C mismatch (stored ${hex32(want)}, computed ${hex32(got)})`, 'index', size - TOC_LEN);
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

  private releaseSpilled(file: string): void {
    const n = (this.spillUsers.get(file) ?? 1) - 1;
    if (n > 0) this.spillUsers.set(file, n);
    else {
      this.spillUsers.delete(file);
      fs.rmSync(file, { force: true });
    }
  }

  /** Remove temp files. */
  cleanup(): void {
    if (this.tmpDir) fs.rmSync(this.tmpDir, { recursive: true, force: true });
    this.tmpDir = undefined;
  }

  /** Cross-check every block and return the per-snapshot summaries. */
  finish(): SnapshotSummary[] {
    this.memo.clear();
    const out = new Map<string, SnapshotSummary>();
    for (const name of this.snapshotNames) out.set(name, { name, blocks: [] });
    for (const s of this.blocks.values()) {
      let summary: BlockSummary;
      try {
        const index = s.indexFile ? this.loadSpilled(s, s.indexFile) : s.index;
        summary = checkBlock({ name: s.name, meta: s.meta, index, tombstones: s.tombstones, segments: s.segments }, s.sink);
      } catch (e) {
        // A bug must not hide the other blocks: it becomes this block's finding.
        s.sink.caught(e, 'internal-error');
        summary = { ulid: s.name, minTime: null, maxTime: null, numSeries: 0, numChunks: 0, numSamples: 0, numTombstones: 0, ok: false };
      }
      if (s.indexFile) this.releaseSpilled(s.indexFile);
      s.sink.close();
      out.get(s.snapshot)!.blocks.push(summary);
      // Let the buffers go as soon as the block is done.
      s.index = s.meta = s.tombstones = undefined;
      s.segments.clear();
    }
    for (const snap of out.values()) {
      snap.blocks.sort((a, b) => (a.minTime ?? 0) - (b.minTime ?? 0) || (a.ulid < b.ulid ? -1 : 1));
      checkOverlaps(snap, new FindingSink({ snapshot: snap.name }, this.findings));
    }
    this.cleanup();
    return [...out.values()];
  }
}

/**
 * Blocks of one snapshot whose time ranges overlap (Prometheus merges them, but it is
 * unusual in a snapshot). The first pairs are listed; then only blocks are counted, so
 * a hostile archive of thousands of identical ranges costs one pass, not one per pair.
 */
function checkOverlaps(snap: SnapshotSummary, sink: FindingSink): void {
  const b = snap.blocks.filter((x) => x.minTime !== null && x.maxTime !== null);
  const listed = MAX_PER_CODE - 1; // the last place is for the summary
  let pairs = 0;
  let more = false;
  let overlapping = 0;
  let maxEnd = -Infinity;
  for (let i = 0; i < b.length; i++) {
    if (b[i].minTime! < maxEnd) overlapping++;
    maxEnd = Math.max(maxEnd, b[i].maxTime!);
    for (let j = i + 1; j < b.length && b[j].minTime! < b[i].maxTime!; j++) {
      if (pairs === listed) {
        more = true;
        break;
      }
      pairs++;
      sink.warn('blocks-overlap', `blocks ${b[i].ulid} [${b[i].minTime}, ${b[i].maxTime}) and ${b[j].ulid} [${b[j].minTime}, ${b[j].maxTime}) overlap in time`);
    }
  }
  if (more) sink.warn('blocks-overlap', `in all, ${overlapping} blocks overlap an earlier block (pairs after the first ${listed} not listed)`);
}
