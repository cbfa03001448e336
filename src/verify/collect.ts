// Gathers a block's files as they arrive, in any order: chunk segments are
// checked while they stream past; meta.json, index and tombstones are
// buffered (bounded by the bytes actually present) until the end, when each
// block is cross-checked.

import type { Readable } from 'node:stream';
import type { Finding } from '../encoding/errors.js';
import { FindingSink } from './findings.js';
import { checkBlock, type BlockSummary } from './block-check.js';
import { SegmentScanner, type ChunkTable } from './segment-scan.js';

/** meta.json and tombstones are tiny in any real block. */
const MAX_SMALL_FILE = 64 * 1024 * 1024;

interface BlockState {
  snapshot: string;
  name: string;
  sink: FindingSink;
  meta?: Uint8Array;
  index?: Uint8Array;
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

  constructor(readonly findings: Finding[]) {}

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
      s.index = await readAll(stream, Number.MAX_SAFE_INTEGER);
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

  /** Cross-check every block and return the per-snapshot summaries. */
  finish(): SnapshotSummary[] {
    const out = new Map<string, SnapshotSummary>();
    for (const name of this.snapshotNames) out.set(name, { name, blocks: [] });
    for (const s of this.blocks.values()) {
      const summary = checkBlock({ name: s.name, meta: s.meta, index: s.index, tombstones: s.tombstones, segments: s.segments }, s.sink);
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
