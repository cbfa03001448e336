// TEST ONLY. A WAL writer after Prometheus's tsdb/wlog/wlog.go (WL.log,
// flushPage, nextSegment), record encoders after tsdb/record/record.go's
// Encoder, and a chunks_head file writer after tsdb/chunks/head_chunks.go.
// 64-bit fields go through BigInt (ByteWriter), a different route from the
// readers' 32-bit halves. Snappy compression uses @napi-rs/snappy.

import snappy from '@napi-rs/snappy';
import { crc32c } from '../../src/encoding/crc32c.js';
import { ByteWriter } from './bytes.js';

export const PAGE = 32 * 1024;
const HDR = 7;

export interface WalWriterOptions {
  /** Segment size, a multiple of the page size (Prometheus: 128 MiB). Default 4 pages. */
  segmentSize?: number;
  /** Compress records with snappy when that makes them smaller (2.42's default). */
  snappy?: boolean;
  /** Flag every fragment as zstd-compressed (the data is written as given). */
  zstdFlag?: boolean;
  /**
   * Let records run on into the next segment instead of cutting a segment
   * first when a record does not fit (Prometheus's writer never does this;
   * its reader accepts it).
   */
  spanSegments?: boolean;
  /** First segment number (names are 8 digits). */
  firstIndex?: number;
  /** Directory part of the segment names. Default `wal`. */
  dir?: string;
}

export interface WrittenRecord {
  segment: string;
  offset: number;
  compressed: boolean;
}

/** Builds segments in memory the way WL.log lays them out. */
export class WalWriter {
  private readonly segSize: number;
  private readonly opts: WalWriterOptions;
  private readonly done: { name: string; bytes: Uint8Array }[] = [];
  private cur: number[] = [];
  private index: number;
  /** Bytes of the active page used (page.alloc). */
  private alloc = 0;
  readonly written: WrittenRecord[] = [];

  constructor(opts: WalWriterOptions = {}) {
    this.opts = opts;
    this.segSize = opts.segmentSize ?? 4 * PAGE;
    if (this.segSize % PAGE !== 0) throw new Error('segment size must be a multiple of the page size');
    this.index = opts.firstIndex ?? 0;
  }

  private name(i: number): string {
    return `${this.opts.dir ?? 'wal'}/${String(i).padStart(8, '0')}`;
  }

  private donePages(): number {
    return Math.floor(this.cur.length / PAGE);
  }

  /** Pads the active page with zeros to its end (flushPage(clear)). */
  private padPage(): void {
    while (this.cur.length % PAGE !== 0) this.cur.push(0);
    this.alloc = 0;
  }

  /** Closes the active segment (padding its last page) and starts the next one. */
  nextSegment(): void {
    if (this.alloc > 0) this.padPage();
    this.done.push({ name: this.name(this.index), bytes: Uint8Array.from(this.cur) });
    this.cur = [];
    this.alloc = 0;
    this.index++;
  }

  /** Writes one record, splitting it into fragments as WL.log does. */
  log(record: Uint8Array): WrittenRecord {
    if (PAGE - this.alloc < HDR) this.padPage();
    let rec = record;
    let compressed = false;
    if (this.opts.snappy && rec.length > 0) {
      const c = snappy.compressSync(Buffer.from(rec));
      if (c.length < rec.length) {
        rec = new Uint8Array(c.buffer, c.byteOffset, c.length);
        compressed = true;
      }
    }
    if (!this.opts.spanSegments) {
      let left = PAGE - this.alloc - HDR;
      left += (PAGE - HDR) * (this.segSize / PAGE - this.donePages() - 1);
      if (rec.length > left) this.nextSegment();
    }
    const start: WrittenRecord = { segment: this.name(this.index), offset: this.cur.length, compressed };
    for (let i = 0; i === 0 || rec.length > 0; i++) {
      if (this.opts.spanSegments && this.cur.length >= this.segSize) this.nextSegment();
      const l = Math.min(rec.length, PAGE - this.alloc - HDR);
      const part = rec.subarray(0, l);
      let typ = i === 0 && l === rec.length ? 1 : l === rec.length ? 4 : i === 0 ? 2 : 3;
      if (compressed) typ |= 0x08;
      if (this.opts.zstdFlag) typ |= 0x10;
      const crc = crc32c(part);
      this.cur.push(typ, (l >>> 8) & 0xff, l & 0xff, (crc >>> 24) & 0xff, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff);
      for (const b of part) this.cur.push(b);
      this.alloc += l + HDR;
      if (PAGE - this.alloc < HDR) this.padPage();
      rec = rec.subarray(l);
    }
    this.written.push(start);
    return start;
  }

  /** All segments; the active one ends where its data ends (a partial last page). */
  segments(): { name: string; bytes: Uint8Array }[] {
    return [...this.done, { name: this.name(this.index), bytes: Uint8Array.from(this.cur) }];
  }
}

/** Write all records into segments with the given options. */
export function writeWal(records: readonly Uint8Array[], opts: WalWriterOptions = {}): { segments: { name: string; bytes: Uint8Array }[]; written: WrittenRecord[] } {
  const w = new WalWriter(opts);
  for (const r of records) w.log(r);
  return { segments: w.segments(), written: w.written };
}

// ---------------------------------------------------------------------------
// Record encoders (record.Encoder)

/** A float64 as its 64 bits; a bigint is taken as the bits themselves (NaN payloads). */
export function f64bits(v: number | bigint): bigint {
  if (typeof v === 'bigint') return v;
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return dv.getBigUint64(0);
}

export interface TestSample {
  ref: number;
  t: number;
  /** A number, or the value's bits. */
  v: number | bigint;
  st?: number;
}

export function encodeSeries(series: readonly { ref: number; labels: readonly string[] }[]): Uint8Array {
  const w = new ByteWriter().byte(1);
  for (const s of series) {
    w.be64(s.ref).uvarint(s.labels.length / 2);
    for (const l of s.labels) w.uvarintStr(l);
  }
  return w.bytes();
}

export function encodeSamples(samples: readonly TestSample[]): Uint8Array {
  const w = new ByteWriter().byte(2);
  if (samples.length === 0) return w.bytes();
  const first = samples[0]!;
  w.be64(BigInt(first.ref)).be64(BigInt.asUintN(64, BigInt(first.t)));
  for (const s of samples) w.varint(s.ref - first.ref).varint(BigInt(s.t) - BigInt(first.t)).be64(f64bits(s.v));
  return w.bytes();
}

/** SamplesV2 (type 11): per-sample deltas and start-timestamp markers. */
export function encodeSamplesV2(samples: readonly TestSample[]): Uint8Array {
  const w = new ByteWriter().byte(11);
  if (samples.length === 0) return w.bytes();
  const first = samples[0]!;
  w.varint(first.ref).varint(first.t).varint(first.st ?? 0).be64(f64bits(first.v));
  for (let i = 1; i < samples.length; i++) {
    const s = samples[i]!;
    const prev = samples[i - 1]!;
    w.varint(s.ref - prev.ref).varint(BigInt(s.t) - BigInt(first.t));
    putST(w, s.st ?? 0, first.st ?? 0, prev.st ?? 0);
    w.be64(f64bits(s.v));
  }
  return w.bytes();
}

function putST(w: ByteWriter, st: number, firstST: number, prevST: number): void {
  if (st === 0) w.byte(0);
  else if (st === prevST) w.byte(1);
  else w.byte(2).varint(BigInt(st) - BigInt(firstST));
}

export function encodeTombstones(stones: readonly { ref: number; minTime: number | bigint; maxTime: number | bigint }[]): Uint8Array {
  const w = new ByteWriter().byte(3);
  for (const s of stones) w.be64(s.ref).varint(s.minTime).varint(s.maxTime);
  return w.bytes();
}

export function encodeExemplars(ex: readonly { ref: number; t: number; v: number; labels: readonly string[] }[]): Uint8Array {
  const w = new ByteWriter().byte(4);
  if (ex.length === 0) return w.bytes();
  const first = ex[0]!;
  w.be64(first.ref).be64(BigInt.asUintN(64, BigInt(first.t)));
  for (const e of ex) {
    w.varint(e.ref - first.ref).varint(e.t - first.t).be64(f64bits(e.v)).uvarint(e.labels.length / 2);
    for (const l of e.labels) w.uvarintStr(l);
  }
  return w.bytes();
}

export function encodeMmapMarkers(markers: readonly { ref: number; mmapRef: number }[]): Uint8Array {
  const w = new ByteWriter().byte(5);
  for (const m of markers) w.be64(m.ref).be64(m.mmapRef);
  return w.bytes();
}

export function encodeMetadata(meta: readonly { ref: number; type: number; unit: string; help: string }[]): Uint8Array {
  const w = new ByteWriter().byte(6);
  for (const m of meta) w.uvarint(m.ref).byte(m.type).uvarint(2).uvarintStr('UNIT').uvarintStr(m.unit).uvarintStr('HELP').uvarintStr(m.help);
  return w.bytes();
}

export interface TestWalHistogram {
  ref: number;
  t: number;
  st?: number;
  counterResetHint: number;
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number | bigint;
  positiveSpans: { offset: number; length: number }[];
  negativeSpans: { offset: number; length: number }[];
  /** Absolute counts; the integer encoder writes deltas. */
  positiveBuckets: number[];
  negativeBuckets: number[];
  customValues?: number[];
}

function putHistogram(w: ByteWriter, h: TestWalHistogram, float: boolean): void {
  w.byte(h.counterResetHint).varint(h.schema).be64(f64bits(h.zeroThreshold));
  if (float) w.be64(f64bits(h.zeroCount)).be64(f64bits(h.count));
  else w.uvarint(h.zeroCount).uvarint(h.count);
  w.be64(f64bits(h.sum));
  for (const spans of [h.positiveSpans, h.negativeSpans]) {
    w.uvarint(spans.length);
    for (const s of spans) w.varint(s.offset).uvarint(s.length);
  }
  for (const buckets of [h.positiveBuckets, h.negativeBuckets]) {
    w.uvarint(buckets.length);
    let prev = 0;
    for (const b of buckets) {
      if (float) w.be64(f64bits(b));
      else w.varint(b - prev);
      prev = b;
    }
  }
  if (h.schema === -53) {
    const cv = h.customValues ?? [];
    w.uvarint(cv.length);
    for (const c of cv) w.be64(f64bits(c));
  }
}

/** Histogram records: V1 types 7 / 8 (9 / 10 when `customBuckets`), V2 types 12 / 13. */
export function encodeHistograms(hs: readonly TestWalHistogram[], float: boolean, opts: { v2?: boolean; customBuckets?: boolean } = {}): Uint8Array {
  const type = opts.v2 ? (float ? 13 : 12) : opts.customBuckets ? (float ? 10 : 9) : float ? 8 : 7;
  const w = new ByteWriter().byte(type);
  if (hs.length === 0) return w.bytes();
  const first = hs[0]!;
  if (opts.v2) {
    w.varint(first.ref).varint(first.t).varint(first.st ?? 0);
    hs.forEach((h, i) => {
      if (i > 0) {
        const prev = hs[i - 1]!;
        w.varint(h.ref - prev.ref).varint(h.t - first.t);
        putST(w, h.st ?? 0, first.st ?? 0, prev.st ?? 0);
      }
      putHistogram(w, h, float);
    });
  } else {
    w.be64(first.ref).be64(BigInt.asUintN(64, BigInt(first.t)));
    for (const h of hs) {
      w.varint(h.ref - first.ref).varint(h.t - first.t);
      putHistogram(w, h, float);
    }
  }
  return w.bytes();
}

// ---------------------------------------------------------------------------
// chunks_head files

export const MAGIC_HEAD_CHUNKS = 0x0130bc91;

export interface TestHeadChunk {
  seriesRef: number;
  minTime: number;
  maxTime: number;
  encoding: number;
  data: Uint8Array;
}

/**
 * A head chunk file: header, chunks, then zeros up to `preallocate` bytes
 * (Prometheus preallocates 128 KiB on Linux). Returns the bytes and each
 * chunk's offset.
 */
export function writeHeadChunkFile(chunks: readonly TestHeadChunk[], opts: { preallocate?: number; version?: number } = {}): { bytes: Uint8Array; offsets: number[] } {
  const w = new ByteWriter().be32(MAGIC_HEAD_CHUNKS).byte(opts.version ?? 1).raw([0, 0, 0]);
  const offsets: number[] = [];
  for (const c of chunks) {
    offsets.push(w.length);
    const rec = new ByteWriter()
      .be64(c.seriesRef)
      .be64(BigInt.asUintN(64, BigInt(c.minTime)))
      .be64(BigInt.asUintN(64, BigInt(c.maxTime)))
      .byte(c.encoding)
      .uvarint(c.data.length)
      .raw(c.data)
      .bytes();
    w.raw(rec).be32(crc32c(rec));
  }
  const out = w.bytes();
  const size = Math.max(out.length, opts.preallocate ?? 0);
  const bytes = new Uint8Array(size);
  bytes.set(out);
  return { bytes, offsets };
}
