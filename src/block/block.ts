// A block opened for reading: meta.json, the index, the tombstones and
// chunk segments read on demand, as Prometheus's tsdb/block.go opens them
// together. Every error carries the block and file it came from.

import { readChunkRecord, readSegmentHeader, segmentOrder, type ChunkRecord } from '../chunks/segment.js';
import { ErrorCode, TsdbError, isTsdbError } from '../encoding/errors.js';
import type { VarintResult } from '../encoding/varint.js';
import { IndexReader } from '../index/reader.js';
import { chunkRefOffset, chunkRefSegment } from '../index/series.js';
import { parseMeta, type BlockMeta } from '../meta/meta.js';
import { readTombstones, type Tombstones } from '../tombstones/tombstones.js';
import { SegmentWindow } from './segment-window.js';
import type { BlockSource } from './source.js';

/** Run `fn`, adding block and file to any TsdbError it throws. */
export function withFile<T>(block: string, file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isTsdbError(e)) throw e.withContext({ block, file });
    throw e;
  }
}

/**
 * The largest meta.json read: Prometheus writes a few hundred bytes (a compacted block's list
 * of parents a few KiB), so a larger one is not a meta.json to parse (600 MB of whitespace
 * would exhaust the string limit).
 */
export const MAX_META_BYTES = 1 << 20;

const EMPTY_TOMBSTONES: Tombstones = { entries: [], bySeries: new Map() };
/** Segments larger than this are read through a moving window rather than whole. */
const PAGED_ABOVE = 8 << 20;
/** The window's first size, and its largest. */
const MIN_READ = 64 << 10;
const MAX_READ = 1 << 20;

/** A chunk segment file as the block reads it: whole, or through a window. */
interface Segment {
  file: string;
  whole?: Uint8Array;
  window?: SegmentWindow;
}

export class Block {
  /** The block directory name (normally the ULID). */
  readonly name: string;
  readonly source: BlockSource;
  readonly meta: BlockMeta;
  private indexReader?: IndexReader;
  private tombstoneData?: Tombstones;
  private readonly segments = new Map<number, Segment>();
  /** Segment file names by the position a chunk ref names. */
  private segmentFiles?: string[];
  private readonly vr: VarintResult = { value: 0, next: 0 };

  private readonly pageSize: number;
  private readonly pagedAbove: number;

  /** `pageSize`: the first window size for large segments; `pagedAbove`: what counts as large. */
  constructor(name: string, source: BlockSource, opts: { pageSize?: number; pagedAbove?: number } = {}) {
    this.name = name;
    this.source = source;
    this.pageSize = opts.pageSize ?? MIN_READ;
    this.pagedAbove = opts.pagedAbove ?? PAGED_ABOVE;
    const size = source.size('meta.json');
    if (size !== undefined && size > MAX_META_BYTES) {
      throw new TsdbError(ErrorCode.Corrupt, `block ${name}: meta.json is ${size} bytes, more than the ${MAX_META_BYTES} any Prometheus writes: it is not read`, { block: name, file: 'meta.json', offset: MAX_META_BYTES });
    }
    const raw = source.read('meta.json');
    if (!raw) throw new TsdbError(ErrorCode.Corrupt, `block ${name} has no meta.json`, { block: name, file: 'meta.json' });
    this.meta = withFile(name, 'meta.json', () => parseMeta(raw));
  }

  get index(): IndexReader {
    if (!this.indexReader) {
      const buf = this.source.read('index');
      // A block without its index is damaged data (exit 1, as verify), not a missing input.
      if (!buf) throw new TsdbError(ErrorCode.Corrupt, `block ${this.name} has no index`, { block: this.name, file: 'index' });
      this.indexReader = withFile(this.name, 'index', () => new IndexReader(buf));
    }
    return this.indexReader;
  }

  /** Tombstones; a missing file means none, as in Prometheus. */
  get tombstones(): Tombstones {
    if (!this.tombstoneData) {
      const buf = this.source.read('tombstones');
      this.tombstoneData = buf ? withFile(this.name, 'tombstones', () => readTombstones(buf)) : EMPTY_TOMBSTONES;
    }
    return this.tombstoneData;
  }

  /**
   * The chunk record a chunk ref points at, CRC checked unless `crc` is false
   * (for a reader of the sample count alone, as promtool's analyze reads it).
   */
  chunk(ref: number, crc = true): ChunkRecord {
    const seq = chunkRefSegment(ref);
    if (this.source.chunkAt) return this.heldChunk(seq, chunkRefOffset(ref), crc);
    const s = this.segments.get(seq) ?? this.openSegment(seq);
    try {
      if (s.window) return s.window.record(chunkRefOffset(ref), this.vr, crc);
      return readChunkRecord(s.whole!, chunkRefOffset(ref), crc, this.vr);
    } catch (e) {
      if (isTsdbError(e)) throw e.withContext({ block: this.name, file: s.file });
      throw e;
    }
  }

  /** A chunk record from a source that holds records (an archive read as a stream). */
  private heldChunk(seq: number, off: number, crc: boolean): ChunkRecord {
    const file = this.segmentFile(seq);
    const r = this.source.chunkAt!(file, off);
    if (!r) throw new TsdbError(ErrorCode.Corrupt, `block ${this.name}: chunk segment ${file} is missing`, { block: this.name, file });
    return withFile(this.name, file, () => {
      if (!this.segments.has(seq)) {
        readSegmentHeader(r.header);
        this.segments.set(seq, { file });
      }
      return readChunkRecord(r.buf, off, crc, this.vr, r.base);
    });
  }

  /**
   * The segment file of a chunk ref's segment part: a position among the numeric names in
   * chunks/, in name order (chunks.go NewDirReader): normally 000001 is 0, but Prometheus
   * reads any names so.
   */
  private segmentFile(seq: number): string {
    this.segmentFiles ??= segmentOrder(this.source.chunkFiles());
    const name = this.segmentFiles[seq];
    if (name === undefined) {
      throw new TsdbError(ErrorCode.NotFound, `block ${this.name}: a chunk ref names segment ${seq} (from 0), but chunks/ holds ${this.segmentFiles.length} segment files`, { block: this.name, file: 'chunks' });
    }
    return 'chunks/' + name;
  }

  private openSegment(seq: number): Segment {
    const file = this.segmentFile(seq);
    // (-1: the size is unknown; the whole-file read reports a missing segment.)
    const size = this.source.readRange ? (this.source.size(file) ?? -1) : -1;
    let s: Segment;
    if (size > this.pagedAbove) s = { file, window: new SegmentWindow(this.source, file, size, this.pageSize, Math.max(MAX_READ, this.pageSize)) };
    else {
      const buf = this.source.read(file);
      if (!buf) throw new TsdbError(ErrorCode.Corrupt, `block ${this.name}: chunk segment ${file} is missing`, { block: this.name, file });
      withFile(this.name, file, () => readSegmentHeader(buf));
      // A plain view: records are cut from it, and a Buffer's subarray costs more.
      s = { file, whole: new Uint8Array(buf.buffer, buf.byteOffset, buf.length) };
    }
    this.segments.set(seq, s);
    return s;
  }

  /** Bytes on disk as promtool counts them: chunks + index + tombstones + meta.json. */
  size(): number {
    let n = 0;
    for (const f of this.source.chunkFiles()) n += this.source.size('chunks/' + f) ?? 0;
    for (const f of ['index', 'tombstones', 'meta.json']) n += this.source.size(f) ?? 0;
    return n;
  }

  /** Drop loaded files, to bound memory when walking many blocks. */
  close(): void {
    this.segments.clear();
    this.indexReader = undefined;
  }
}
