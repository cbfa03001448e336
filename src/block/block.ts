// A block opened for reading: meta.json, the index, the tombstones and
// lazily loaded chunk segments, as Prometheus's tsdb/block.go opens them
// together. Every error carries the block and file it came from.

import { MAX_CHUNK_LEN, SEGMENT_HEADER_LEN, readChunkRecord, readSegmentHeader, segmentName, type ChunkRecord } from '../chunks/segment.js';
import { ErrorCode, TsdbError, isTsdbError } from '../encoding/errors.js';
import type { VarintResult } from '../encoding/varint.js';
import { IndexReader } from '../index/reader.js';
import { chunkRefOffset, chunkRefSegment } from '../index/series.js';
import { parseMeta, type BlockMeta } from '../meta/meta.js';
import { readTombstones, type Tombstones } from '../tombstones/tombstones.js';
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

const EMPTY_TOMBSTONES: Tombstones = { entries: [], bySeries: new Map() };
/** Segments larger than this are read in pages rather than whole. */
const PAGED_ABOVE = 8 << 20;
const PAGE = 1 << 20;
/** Pages kept at once (then the cache starts over): bounds memory on huge blocks. */
const MAX_PAGES = 256;

export class Block {
  /** The block directory name (normally the ULID). */
  readonly name: string;
  readonly source: BlockSource;
  readonly meta: BlockMeta;
  private indexReader?: IndexReader;
  private tombstoneData?: Tombstones;
  private readonly segments = new Map<number, Uint8Array>();
  /** Pages of large segments read on demand: a selective query touches few of them. */
  private readonly pages = new Map<string, Uint8Array>();
  private readonly segmentSizes = new Map<number, number>();
  private readonly vr: VarintResult = { value: 0, next: 0 };

  private readonly pageSize: number;
  private readonly pagedAbove: number;

  constructor(name: string, source: BlockSource, opts: { pageSize?: number; pagedAbove?: number } = {}) {
    this.name = name;
    this.source = source;
    this.pageSize = opts.pageSize ?? PAGE;
    this.pagedAbove = opts.pagedAbove ?? PAGED_ABOVE;
    const raw = source.read('meta.json');
    if (!raw) throw new TsdbError(ErrorCode.NotFound, `block ${name} has no meta.json`, { block: name, file: 'meta.json' });
    this.meta = withFile(name, 'meta.json', () => parseMeta(raw));
  }

  get index(): IndexReader {
    if (!this.indexReader) {
      const buf = this.source.read('index');
      if (!buf) throw new TsdbError(ErrorCode.NotFound, `block ${this.name} has no index`, { block: this.name, file: 'index' });
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

  private segment(seq: number): Uint8Array {
    let buf = this.segments.get(seq);
    if (!buf) {
      // Chunk refs count segments from 0; files are numbered from 000001.
      const file = 'chunks/' + segmentName(seq + 1);
      buf = this.source.read(file);
      if (!buf) throw new TsdbError(ErrorCode.NotFound, `block ${this.name}: chunk segment ${file} is missing`, { block: this.name, file });
      const b = buf;
      withFile(this.name, file, () => readSegmentHeader(b));
      this.segments.set(seq, buf);
    }
    return buf;
  }

  /** The chunk record a chunk ref points at, CRC checked. */
  chunk(ref: number): ChunkRecord {
    const seq = chunkRefSegment(ref);
    const file = 'chunks/' + segmentName(seq + 1);
    let size = this.segmentSizes.get(seq);
    if (size === undefined && this.source.readRange && !this.segments.has(seq)) {
      size = this.source.size(file) ?? -1;
      this.segmentSizes.set(seq, size);
    }
    if (size !== undefined && size > this.pagedAbove) return this.pagedChunk(file, size, chunkRefOffset(ref));
    // (-1: the size is unknown; the whole-file path reports a missing segment.)
    const buf = this.segment(seq);
    return withFile(this.name, file, () => readChunkRecord(buf, chunkRefOffset(ref), true, this.vr));
  }

  /**
   * A chunk of a large segment, read through 1 MiB pages: the record is read from
   * the page holding it (plus the next ones when it crosses a page boundary), with
   * file offsets kept, so errors still name the offset in the file.
   */
  private pagedChunk(file: string, size: number, off: number): ChunkRecord {
    return withFile(this.name, file, () => {
      if (!this.pages.has(file + ':header')) {
        readSegmentHeader(this.source.readRange!(file, 0, SEGMENT_HEADER_LEN) ?? new Uint8Array(0));
        this.pages.set(file + ':header', new Uint8Array(0));
      }
      if (off >= size) return readChunkRecord(new Uint8Array(0), off, true, this.vr, size);
      const first = Math.floor(off / this.pageSize);
      let window = this.page(file, first);
      const base = first * this.pageSize;
      for (;;) {
        try {
          return readChunkRecord(window, off, true, this.vr, base);
        } catch (e) {
          // A record that runs past the window: add the next page, if the file goes on.
          const end = base + window.length;
          if (!(isTsdbError(e) && e.code === ErrorCode.ShortBuffer) || end >= size || window.length > MAX_CHUNK_LEN + this.pageSize) throw e;
          const next = this.page(file, Math.floor(end / this.pageSize));
          if (next.length === 0) throw e; // the file is shorter than its size said
          const w = new Uint8Array(window.length + next.length);
          w.set(window);
          w.set(next, window.length);
          window = w;
        }
      }
    });
  }

  private page(file: string, i: number): Uint8Array {
    const key = file + ':' + i;
    let p = this.pages.get(key);
    if (!p) {
      p = this.source.readRange!(file, i * this.pageSize, this.pageSize);
      if (!p) throw new TsdbError(ErrorCode.NotFound, `block ${this.name}: chunk segment ${file} is missing`, { block: this.name, file });
      if (this.pages.size > MAX_PAGES) this.pages.clear();
      this.pages.set(key, p);
    }
    return p;
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
    this.pages.clear();
    this.indexReader = undefined;
  }
}
