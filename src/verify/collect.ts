// Gathers a block's files as they arrive, in any order: chunk segments are
// checked while they stream past; meta.json, index and tombstones are
// buffered (bounded by the bytes actually present) until the end, when each
// block is cross-checked.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { Finding } from '../encoding/errors.js';
import { FindingSink } from './findings.js';
import { checkBlock, type BlockSummary } from './block-check.js';
import { SegmentScanner, type ChunkTable } from './segment-scan.js';

/** meta.json and tombstones are tiny in any real block. */
const MAX_SMALL_FILE = 64 * 1024 * 1024;
/** An index larger than this waits in a temp file, not in memory, until its block is checked. */
export const INDEX_SPILL_AT = 256 * 1024 * 1024;

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

export interface SnapshotSummary {
  name: string;
  blocks: BlockSummary[];
}

async function readAll(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > limit) {
      stream.resume();
      for await (const _ of stream) void _;
      return undefined;
    }
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts, n);
}

export class Collector {
  private readonly blocks = new Map<string, BlockState>();
  private readonly snapshotNames: string[] = [];
  private tmpDir?: string;
  private spillAt: number;

  constructor(
    readonly findings: Finding[],
    opts: { spillAt?: number } = {},
  ) {
    this.spillAt = opts.spillAt ?? INDEX_SPILL_AT;
  }

  /** Note a snapshot dir, so empty ones still appear in the result. */
  snapshot(name: string): void {
    if (!this.snapshotNames.includes(name)) this.snapshotNames.push(name);
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
    const seg = /^chunks\/(\d{6})$/.exec(rel);
    if (seg) {
      const seq = Number(seg[1]) - 1;
      const scanner = new SegmentScanner(rel, s.sink);
      for await (const c of stream) scanner.push(c as Buffer);
      if (seq >= 0) s.segments.set(seq, scanner.end());
      return;
    }
    if (rel === 'index') {
      await this.readIndex(s, stream);
      return;
    }
    if (rel === 'meta.json' || rel === 'tombstones') {
      const buf = await readAll(stream, MAX_SMALL_FILE);
      if (!buf) s.sink.error(rel === 'meta.json' ? 'meta-parse' : 'tombstones-corrupt', `${rel} is larger than ${MAX_SMALL_FILE} bytes; no real block has one so large`, rel);
      else if (rel === 'meta.json') s.meta = buf;
      else s.tombstones = buf;
      return;
    }
    stream.resume();
    for await (const _ of stream) void _;
  }

  /** Buffer an index in memory, moving it to a temp file once it passes the spill size. */
  private async readIndex(s: BlockState, stream: Readable): Promise<void> {
    const parts: Buffer[] = [];
    let n = 0;
    let out: fs.WriteStream | undefined;
    for await (const c of stream) {
      const b = c as Buffer;
      n += b.length;
      if (out) {
        if (!out.write(b)) await new Promise<void>((r) => out!.once('drain', () => r()));
        continue;
      }
      parts.push(b);
      if (n > this.spillAt) {
        this.tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-inspect-verify-'));
        s.indexFile = path.join(this.tmpDir, `${this.blocks.size}-index`);
        out = fs.createWriteStream(s.indexFile);
        for (const p of parts.splice(0)) out.write(p);
      }
    }
    if (out) await new Promise<void>((resolve, reject) => out!.end((e?: Error | null) => (e ? reject(e) : resolve())));
    else s.index = Buffer.concat(parts, n);
  }

  /** Remove temp files. */
  cleanup(): void {
    if (this.tmpDir) fs.rmSync(this.tmpDir, { recursive: true, force: true });
    this.tmpDir = undefined;
  }

  /** Cross-check every block and return the per-snapshot summaries. */
  finish(): SnapshotSummary[] {
    const out = new Map<string, SnapshotSummary>();
    for (const name of this.snapshotNames) out.set(name, { name, blocks: [] });
    for (const s of this.blocks.values()) {
      const index = s.indexFile ? fs.readFileSync(s.indexFile) : s.index;
      const summary = checkBlock({ name: s.name, meta: s.meta, index, tombstones: s.tombstones, segments: s.segments }, s.sink);
      if (s.indexFile) fs.rmSync(s.indexFile, { force: true });
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

/** Blocks of one snapshot whose time ranges overlap (Prometheus merges them, but it is unusual in a snapshot). */
function checkOverlaps(snap: SnapshotSummary, sink: FindingSink): void {
  const b = snap.blocks.filter((x) => x.minTime !== null && x.maxTime !== null);
  for (let i = 0; i < b.length; i++) {
    for (let j = i + 1; j < b.length && b[j].minTime! < b[i].maxTime!; j++) {
      sink.warn('blocks-overlap', `blocks ${b[i].ulid} [${b[i].minTime}, ${b[i].maxTime}) and ${b[j].ulid} [${b[j].minTime}, ${b[j].maxTime}) overlap in time`);
    }
  }
}
