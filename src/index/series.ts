// One series entry: its label set as symbol refs, then its chunk metas,
// delta-encoded. Entries are 16-byte aligned in format v2+ and the series
// ID is offset/16. See tsdb/docs/format/index.md, "Series".

import { Decbuf, decbufUvarintAt } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

export const SERIES_ALIGN = 16;

const EMPTY = new Uint8Array(0);

/** Where a chunk lives and what time range it covers. */
export interface ChunkMeta {
  /** Time of the first sample (ms). */
  minTime: number;
  /** Time of the last sample (ms). */
  maxTime: number;
  /** Chunk reference: segment sequence << 32 | byte offset in the segment. */
  ref: number;
}

export interface SeriesEntry {
  /** Flattened label pairs: [name0, value0, name1, value1, …]. */
  labels: string[];
  /** Symbol refs of the same, for checks. */
  labelRefs: number[];
  chunks: ChunkMeta[];
  /** Offset just past the entry's CRC. */
  end: number;
}

export function chunkRefSegment(ref: number): number {
  return Math.floor(ref / 0x100000000);
}

export function chunkRefOffset(ref: number): number {
  return ref % 0x100000000;
}

/**
 * Room for one series entry, reused from entry to entry by walks that look at
 * each series once (verify reads every series of every index): labels and
 * chunk metas land in arrays that only grow, so a walk allocates next to nothing.
 */
export class SeriesScratch {
  /** Flattened label pairs; `labels.length` is this entry's. */
  labels: string[] = [];
  labelRefs: number[] = [];
  /** Chunk metas 0 … nChunks - 1. */
  nChunks = 0;
  minTime = new Float64Array(8);
  maxTime = new Float64Array(8);
  ref = new Float64Array(8);
  /** Offset just past the entry's CRC. */
  end = 0;
  /** The entry's reader, reset for each entry. */
  readonly d = new Decbuf(EMPTY);

  /** Room for n chunk metas (n is bounded by the entry's length, checked before). */
  reserve(n: number): void {
    if (n <= this.ref.length) return;
    const size = Math.max(n, this.ref.length * 2);
    this.minTime = new Float64Array(size);
    this.maxTime = new Float64Array(size);
    this.ref = new Float64Array(size);
  }
}

/**
 * Decode the series entry at byte offset `off`. `lookup` resolves symbol refs
 * (as the index version defines them); an unknown ref is an error.
 */
export function readSeries(
  buf: Uint8Array,
  off: number,
  lookup: (ref: number) => string | undefined,
  withChunks = true,
): SeriesEntry {
  const s = readSeriesInto(buf, off, { symbol: lookup }, new SeriesScratch(), withChunks);
  const chunks: ChunkMeta[] = new Array(s.nChunks);
  for (let i = 0; i < s.nChunks; i++) chunks[i] = { minTime: s.minTime[i]!, maxTime: s.maxTime[i]!, ref: s.ref[i]! };
  return { labels: s.labels, labelRefs: s.labelRefs, chunks, end: s.end };
}

/** What resolves symbol refs: an object with a method (an IndexReader), so that hot loops call one known target. */
export interface SymbolSource {
  symbol(ref: number): string | undefined;
}

/** readSeries into `into`, overwriting what it held; returns `into`. */
export function readSeriesInto(
  buf: Uint8Array,
  off: number,
  lookup: SymbolSource,
  into: SeriesScratch,
  withChunks = true,
): SeriesScratch {
  const d = decbufUvarintAt(buf, off, 'index series', true, into.d);
  if (d.err) throw d.err;
  into.end = d.end + 4;
  into.nChunks = 0;

  const nLabels = d.uvarint();
  // Each label is at least two bytes.
  if (nLabels * 2 > d.len) throw corrupt(off, `labels count ${nLabels} exceeds the ${d.len} bytes present`);
  const { labels, labelRefs } = into;
  labels.length = nLabels * 2;
  labelRefs.length = nLabels * 2;
  for (let i = 0; i < nLabels * 2; i++) {
    const ref = d.uvarint32();
    if (d.err) throw d.err;
    const s = lookup.symbol(ref);
    if (s === undefined) throw corrupt(off, `label ${i >> 1} ${i & 1 ? 'value' : 'name'} refers to unknown symbol ${ref}`);
    labels[i] = s;
    labelRefs[i] = ref;
  }
  if (withChunks) {
    const n = d.uvarint();
    // A chunk meta is at least three bytes.
    if (n * 3 > d.len) throw corrupt(off, `chunks count ${n} exceeds the ${d.len} bytes present`);
    if (n > 0) {
      into.reserve(n);
      const { minTime: mins, maxTime: maxs, ref: refs } = into;
      let minTime = d.varint();
      let maxTime = minTime + d.uvarint();
      let ref = d.uvarint();
      mins[0] = minTime;
      maxs[0] = maxTime;
      refs[0] = ref;
      for (let i = 1; i < n; i++) {
        minTime = maxTime + d.uvarint();
        maxTime = minTime + d.uvarint();
        ref += d.varint();
        mins[i] = minTime;
        maxs[i] = maxTime;
        refs[i] = ref;
      }
      into.nChunks = n;
    }
    const e = d.error();
    if (e) throw new TsdbError(e.code, `index series at offset ${off}: chunk metas: ${e.message}`, { offset: off }, { cause: e });
  }
  return into;
}

/** A corrupt series entry (a function, not a closure made for every entry read). */
function corrupt(off: number, msg: string): TsdbError {
  return new TsdbError(ErrorCode.Corrupt, `index series at offset ${off}: ${msg}`, { offset: off });
}
