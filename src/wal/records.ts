// WAL record decoders: series, samples, tombstones, exemplars, m-map
// markers, metadata, and (float) histogram samples, after Prometheus's
// tsdb/record/record.go (2.42 and newer: custom-bucket histograms, types 9
// and 10, and the start-timestamp "V2" sample records, types 11 - 13). The
// layouts are in tsdb/docs/format/wal.md; where the doc and the code differ
// the code wins (sample deltas are signed varints, values big-endian bits).
//
// A record's first byte is its type. Decoders read with a sticky-error
// Decbuf, never allocate by a count read from the record (every loop consumes
// bytes or stops at the first short read), and throw TsdbError on a short,
// overlong or malformed record.
//
// Compressed records (see RawRecord.compression) are decompressed first
// (decompress.ts); the histogram inside a histogram record is read by
// histogram-record.ts.

import type { HistogramSample } from '../chunkenc/histogrammeta.js';
import { Decbuf } from '../encoding/decbuf.js';
import { grown } from '../encoding/grow.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { decompressRecord } from './decompress.js';
import { readRecordHistogram } from './histogram-record.js';
import type { RawRecord } from './segment.js';

export const RecordType = {
  Series: 1,
  Samples: 2,
  Tombstones: 3,
  Exemplars: 4,
  MmapMarkers: 5,
  Metadata: 6,
  HistogramSamples: 7,
  FloatHistogramSamples: 8,
  /** Histograms with custom buckets (schema -53); since 3.0. */
  CustomBucketsHistogramSamples: 9,
  CustomBucketsFloatHistogramSamples: 10,
  /** Samples with per-sample start timestamps; since 3.11, behind a flag. */
  SamplesV2: 11,
  HistogramSamplesV2: 12,
  FloatHistogramSamplesV2: 13,
} as const;

const TYPE_NAMES: Record<number, string> = {
  1: 'series',
  2: 'samples',
  3: 'tombstones',
  4: 'exemplars',
  5: 'mmapmarkers',
  6: 'metadata',
  7: 'histogram_samples',
  8: 'float_histogram_samples',
  9: 'custom_buckets_histogram_samples',
  10: 'custom_buckets_float_histogram_samples',
  11: 'samples_v2',
  12: 'histogram_samples_v2',
  13: 'float_histogram_samples_v2',
};

/** Prometheus's name for a record type byte, or `unknown`. */
export function recordTypeName(t: number): string {
  return TYPE_NAMES[t] ?? 'unknown';
}

export interface RefSeries {
  ref: number;
  /** Flattened [name, value, …] in record order (Prometheus writes them sorted). */
  labels: string[];
}

/** Float samples, column-wise. Values are bit-exact (stale markers keep their payload). */
export interface RefSamples {
  n: number;
  ref: Float64Array;
  t: Float64Array;
  v: Float64Array;
  /** Start timestamps (V2 records only; 0 = none). */
  st?: Float64Array;
}

export interface RefTombstone {
  ref: number;
  minTime: number;
  maxTime: number;
}

export interface RefExemplar {
  ref: number;
  t: number;
  v: number;
  labels: string[];
}

export interface RefMmapMarker {
  ref: number;
  /** ChunkDiskMapperRef: file sequence << 32 | offset. */
  mmapRef: number;
}

export interface RefMetadata {
  ref: number;
  /** record.MetricType: 0 unknown, 1 counter, 2 gauge, 3 histogram, 4 gauge histogram, 5 summary, 6 info, 7 stateset. */
  type: number;
  unit: string;
  help: string;
}

export interface RefHistogram {
  ref: number;
  /** Bucket counts are absolute, as the chunk decoders return them (the record stores deltas). */
  h: HistogramSample;
}

export type WalRecord =
  | { type: 'series'; series: RefSeries[] }
  | { type: 'samples'; samples: RefSamples }
  | { type: 'tombstones'; tombstones: RefTombstone[] }
  | { type: 'exemplars'; exemplars: RefExemplar[] }
  | { type: 'mmapmarkers'; markers: RefMmapMarker[] }
  | { type: 'metadata'; metadata: RefMetadata[] }
  | { type: 'histograms'; float: boolean; histograms: RefHistogram[] }
  /** A type this reader does not know (Prometheus skips those too); `typeByte` is undefined for an empty record. */
  | { type: 'unknown'; typeByte: number | undefined };

const TWO_POW_32 = 4294967296;

/** Big-endian uint64 that must be an exact JS number (series refs, chunk refs). */
function be64ref(d: Decbuf, what: string): number {
  const at = d.off;
  const hi = d.be32();
  const lo = d.be32();
  if (hi > 0x1fffff) {
    d.fail(ErrorCode.Unsupported, `${what} 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} at offset ${at} is larger than 2^53`);
    return 0;
  }
  return hi * TWO_POW_32 + lo;
}

function labelsOf(d: Decbuf): string[] {
  const n = d.uvarint();
  const out: string[] = [];
  for (let i = 0; i < n && !d.err; i++) {
    const name = d.uvarintStr();
    const value = d.uvarintStr();
    if (d.err) break;
    out.push(name, value);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Record decoders

/** Decodes an uncompressed record. Throws TsdbError (without a place; see readRecord). */
export function decodeRecord(rec: Uint8Array): WalRecord {
  if (rec.length === 0) return { type: 'unknown', typeByte: undefined };
  const t = rec[0]!;
  const d = new Decbuf(rec, 1);
  let out: WalRecord;
  switch (t) {
    case RecordType.Series:
      out = { type: 'series', series: decodeSeries(d) };
      break;
    case RecordType.Samples:
      out = { type: 'samples', samples: decodeSamples(d) };
      break;
    case RecordType.SamplesV2:
      out = { type: 'samples', samples: decodeSamplesV2(d) };
      break;
    case RecordType.Tombstones:
      out = { type: 'tombstones', tombstones: decodeTombstones(d) };
      break;
    case RecordType.Exemplars:
      out = { type: 'exemplars', exemplars: decodeExemplars(d) };
      break;
    case RecordType.MmapMarkers:
      out = { type: 'mmapmarkers', markers: decodeMmapMarkers(d) };
      break;
    case RecordType.Metadata:
      out = { type: 'metadata', metadata: decodeMetadata(d) };
      break;
    case RecordType.HistogramSamples:
    case RecordType.CustomBucketsHistogramSamples:
      out = { type: 'histograms', float: false, histograms: decodeHistograms(d, false, false) };
      break;
    case RecordType.FloatHistogramSamples:
    case RecordType.CustomBucketsFloatHistogramSamples:
      out = { type: 'histograms', float: true, histograms: decodeHistograms(d, true, false) };
      break;
    case RecordType.HistogramSamplesV2:
      out = { type: 'histograms', float: false, histograms: decodeHistograms(d, false, true) };
      break;
    case RecordType.FloatHistogramSamplesV2:
      out = { type: 'histograms', float: true, histograms: decodeHistograms(d, true, true) };
      break;
    default:
      return { type: 'unknown', typeByte: t };
  }
  const e = d.error();
  if (e) throw new TsdbError(e.code, `${recordTypeName(t)} record: ${e.message}`, { offset: e.context.offset }, { cause: e });
  if (d.len > 0) {
    throw new TsdbError(ErrorCode.Corrupt, `${recordTypeName(t)} record: unexpected ${d.len} bytes left in entry at offset ${d.off}`, { offset: d.off });
  }
  return out;
}

/**
 * Decompresses and decodes a raw record. Errors name the segment and the
 * record's offset (the offset of its first fragment).
 */
export function readRecord(raw: RawRecord): WalRecord {
  const rec = decompressRecord(raw);
  try {
    return decodeRecord(rec);
  } catch (e) {
    if (!(e instanceof TsdbError)) throw e;
    throw new TsdbError(e.code, `wal record at ${raw.segment} offset ${raw.offset}: ${e.message}`, { file: raw.segment, offset: raw.offset }, { cause: e });
  }
}

function decodeSeries(d: Decbuf): RefSeries[] {
  const out: RefSeries[] = [];
  while (d.len > 0 && !d.err) {
    const ref = be64ref(d, 'series ref');
    const labels = labelsOf(d);
    if (d.err) break;
    out.push({ ref, labels });
  }
  return out;
}

/** Growable column storage; sizes come from bytes actually read. */
class Columns {
  n = 0;
  ref: Float64Array;
  t: Float64Array;
  v: Float64Array;
  vw: Uint32Array;
  st: Float64Array | undefined;

  constructor(cap: number, withST: boolean) {
    const c = Math.max(1, cap);
    this.ref = new Float64Array(c);
    this.t = new Float64Array(c);
    this.v = new Float64Array(c);
    this.vw = new Uint32Array(this.v.buffer);
    this.st = withST ? new Float64Array(c) : undefined;
  }

  /** Makes room for one more row. */
  reserve(): void {
    if (this.n < this.ref.length) return;
    const n = this.ref.length * 2;
    this.ref = grown(this.ref, n);
    this.t = grown(this.t, n);
    this.v = grown(this.v, n);
    this.vw = new Uint32Array(this.v.buffer);
    if (this.st) this.st = grown(this.st, n);
  }

  result(): RefSamples {
    const n = this.n;
    const r: RefSamples = { n, ref: this.ref.subarray(0, n), t: this.t.subarray(0, n), v: this.v.subarray(0, n) };
    if (this.st) r.st = this.st.subarray(0, n);
    return r;
  }
}

/** Samples: base ref <be64>, base t <be64>, then (dref <varint>, dt <varint>, value <be64>)… */
function decodeSamples(d: Decbuf): RefSamples {
  // Each sample takes at least 10 bytes: an exact upper bound on the count.
  const cols = new Columns(Math.floor(Math.max(0, d.len - 16) / 10), false);
  if (d.len === 0) return cols.result();
  const baseRef = d.be64int64();
  const baseTime = d.be64int64();
  while (d.len > 0 && !d.err) {
    const dref = d.varint64();
    const dt = d.varint64();
    cols.reserve();
    const i = cols.n;
    d.be64Float64Into(cols.vw, i);
    if (d.err) break;
    cols.ref[i] = baseRef + dref;
    cols.t[i] = baseTime + dt;
    cols.n++;
  }
  return cols.result();
}

/** Start-timestamp marker of the V2 records. */
const ST_NONE = 0;
const ST_SAME = 1;

function readST(d: Decbuf, prevST: number, firstST: number): number {
  const m = d.byte();
  if (m === ST_NONE) return 0;
  if (m === ST_SAME) return prevST;
  return firstST + d.varint64();
}

/**
 * SamplesV2: ref, t, st <varint> and value <be64> for the first sample; then
 * ref delta to the previous sample, t delta to the first, an ST marker (and
 * delta to the first ST) and the value.
 */
function decodeSamplesV2(d: Decbuf): RefSamples {
  const cols = new Columns(Math.floor(d.len / 11), true);
  let firstT = 0;
  let firstST = 0;
  while (d.len > 0 && !d.err) {
    let ref: number;
    let t: number;
    let st: number;
    const i = cols.n;
    if (i === 0) {
      ref = d.varint64();
      firstT = d.varint64();
      t = firstT;
      st = d.varint64();
      firstST = st;
    } else {
      ref = cols.ref[i - 1]! + d.varint64();
      t = firstT + d.varint64();
      st = readST(d, cols.st![i - 1]!, firstST);
    }
    cols.reserve();
    d.be64Float64Into(cols.vw, i);
    if (d.err) break;
    cols.ref[i] = ref;
    cols.t[i] = t;
    cols.st![i] = st;
    cols.n++;
  }
  return cols.result();
}

/** Tombstones: (ref <be64>, mint <varint>, maxt <varint>)… */
function decodeTombstones(d: Decbuf): RefTombstone[] {
  const out: RefTombstone[] = [];
  while (d.len > 0 && !d.err) {
    const ref = be64ref(d, 'series ref');
    const minTime = d.varint64();
    const maxTime = d.varint64();
    if (d.err) break;
    out.push({ ref, minTime, maxTime });
  }
  return out;
}

/** Exemplars: base ref, base t <be64>, then (dref, dt <varint>, value <be64>, labels)… */
function decodeExemplars(d: Decbuf): RefExemplar[] {
  const out: RefExemplar[] = [];
  if (d.len === 0) return out;
  const baseRef = d.be64int64();
  const baseTime = d.be64int64();
  while (d.len > 0 && !d.err) {
    const dref = d.varint64();
    const dt = d.varint64();
    const v = d.be64Float64();
    const labels = labelsOf(d);
    if (d.err) break;
    out.push({ ref: baseRef + dref, t: baseTime + dt, v, labels });
  }
  return out;
}

/** M-map markers (only in the out-of-order WBL): (ref <be64>, mmap ref <be64>)… */
function decodeMmapMarkers(d: Decbuf): RefMmapMarker[] {
  const out: RefMmapMarker[] = [];
  while (d.len > 0 && !d.err) {
    const ref = be64ref(d, 'series ref');
    const mmapRef = be64ref(d, 'chunk ref');
    if (d.err) break;
    out.push({ ref, mmapRef });
  }
  return out;
}

/** Metadata: (ref <uvarint>, type <1b>, n <uvarint>, (name, value <uvarint str>)×n)… */
function decodeMetadata(d: Decbuf): RefMetadata[] {
  const out: RefMetadata[] = [];
  while (d.len > 0 && !d.err) {
    const ref = d.uvarint();
    const type = d.byte();
    const n = d.uvarint();
    let unit = '';
    let help = '';
    for (let i = 0; i < n && !d.err; i++) {
      const name = d.uvarintStr();
      const value = d.uvarintStr();
      if (name === 'UNIT') unit = value;
      else if (name === 'HELP') help = value;
    }
    if (d.err) break;
    out.push({ ref, type, unit, help });
  }
  return out;
}

/**
 * (Float) histogram samples. V1: base ref, base t <be64>, then per sample
 * dref, dt <varint> and the histogram. V2: first ref, t, st <varint>, then the
 * first histogram; later samples ref delta to the previous, t delta to the
 * first, an ST marker, and the histogram.
 */
function decodeHistograms(d: Decbuf, float: boolean, v2: boolean): RefHistogram[] {
  const out: RefHistogram[] = [];
  if (d.len === 0) return out;
  let baseRef = 0;
  let baseTime = 0;
  let firstST = 0;
  if (v2) {
    baseRef = d.varint64();
    baseTime = d.varint64();
    firstST = d.varint64();
  } else {
    baseRef = d.be64int64();
    baseTime = d.be64int64();
  }
  let prevRef = 0;
  let prevST = 0;
  while (d.len > 0 && !d.err) {
    let ref: number;
    let t: number;
    let st: number | undefined;
    if (v2) {
      if (out.length === 0) {
        ref = baseRef;
        t = baseTime;
        st = firstST;
      } else {
        ref = prevRef + d.varint64();
        t = baseTime + d.varint64();
        st = readST(d, prevST, firstST);
      }
    } else {
      ref = baseRef + d.varint64();
      t = baseTime + d.varint64();
    }
    const h = readRecordHistogram(d, t, float);
    if (d.err) break;
    if (st !== undefined) {
      h.st = st;
      prevST = st;
    }
    prevRef = ref;
    out.push({ ref, h });
  }
  return out;
}
