// A block opened for reading: meta.json, the index, the tombstones and
// lazily loaded chunk segments, as Prometheus's tsdb/block.go opens them
// together. Every error carries the block and file it came from.

import { readChunkRecord, readSegmentHeader, segmentName, type ChunkRecord } from '../chunks/segment.js';
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

export class Block {
  /** The block directory name (normally the ULID). */
  readonly name: string;
  readonly source: BlockSource;
  readonly meta: BlockMeta;
  private indexReader?: IndexReader;
  private tombstoneData?: Tombstones;
  private readonly segments = new Map<number, Uint8Array>();
  private readonly vr: VarintResult = { value: 0, next: 0 };

  constructor(name: string, source: BlockSource) {
    this.name = name;
    this.source = source;
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
    const buf = this.segment(seq);
    return withFile(this.name, 'chunks/' + segmentName(seq + 1), () => readChunkRecord(buf, chunkRefOffset(ref), true, this.vr));
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
