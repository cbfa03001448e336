// Walk every byte of an index: each section's CRC, symbol order, series
// order and label order, chunk metas (with Thanos's index-health classes:
// out-of-order, duplicated and outside chunks, out-of-order labels),
// postings, and zero padding. See tsdb/docs/format/index.md.
//
// Every byte must belong to something: the header, a CRC'd section or
// entry that the TOC or an offset table refers to, or the zero padding
// that aligns the next one (under 4 bytes before label indices and
// postings lists; series padding is checked by the series walk). So a
// flipped bit anywhere, padding included, is an error.

import { decbufUvarintAt } from '../../encoding/decbuf.js';
import { isTsdbError } from '../../encoding/errors.js';
import { grown } from '../../encoding/grow.js';
import { IndexReader } from '../../index/reader.js';
import { readSeriesInto, SERIES_ALIGN, SeriesScratch } from '../../index/series.js';
import { TOC_LEN, INDEX_HEADER_LEN } from '../../index/toc.js';
import type { BlockMeta } from '../../meta/meta.js';
import { firstNonZero } from '../../snapshot/pull.js';
import type { FindingSink } from './findings.js';
import { checkLabelIndices, checkPostings, sectionEnd } from './index-postings.js';
import { Ranges, SeriesLabelRefs } from './index-tables.js';
import { Code } from '../../encoding/finding-codes.js';

/** Prometheus pads label indices and postings lists to 4-byte boundaries; nothing else. */
const MAX_PADDING = 3;

const FILE = 'index';

/** What the index says, for the cross-checks with chunks and tombstones. */
export interface IndexFacts {
  /** Series refs (IDs in v2+, offsets in v1), ascending. */
  seriesRefs: Float64Array;
  numSeries: number;
  /** Chunk metas of all series, flattened. */
  chunkRef: Float64Array;
  chunkMinT: Float64Array;
  chunkMaxT: Float64Array;
  /** Offset in the index of the series entry each chunk meta belongs to. */
  chunkSeriesOffset: Float64Array;
  numChunks: number;
}

class Grow {
  n = 0;
  /** The last ref pushed (-1 before any). */
  lastRef = -1;
  ref = new Float64Array(1024);
  minT = new Float64Array(1024);
  maxT = new Float64Array(1024);
  at = new Float64Array(1024);
  push(ref: number, minT: number, maxT: number, at: number): void {
    if (this.n === this.ref.length) {
      const g = <T extends Float64Array>(a: T): T => grown(a, a.length * 2);
      this.ref = g(this.ref);
      this.minT = g(this.minT);
      this.maxT = g(this.maxT);
      this.at = g(this.at);
    }
    this.lastRef = ref;
    this.ref[this.n] = ref;
    this.minT[this.n] = minT;
    this.maxT[this.n] = maxT;
    this.at[this.n++] = at;
  }
}

function zeroFrom(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return i;
  return -1;
}

export function checkIndex(buf: Uint8Array, meta: BlockMeta | undefined, sink: FindingSink): IndexFacts | undefined {
  let ix: IndexReader;
  try {
    ix = new IndexReader(buf);
  } catch (e) {
    const code = isTsdbError(e) && e.code === 'ERR_BAD_CHECKSUM' ? Code.IndexCrc : isTsdbError(e) && e.code === 'ERR_BAD_VERSION' ? Code.IndexVersion : Code.IndexCorrupt;
    sink.caught(e, code, FILE);
    return undefined;
  }
  const toc = ix.toc;
  const errorsBefore = sink.errors;
  // Format 3 is read as 2 from Prometheus 2.55 on (tsdb/index/index.go: only v1 differs);
  // no Prometheus up to 3.5 writes it, and older versions refuse the block.
  if (ix.version === 3) {
    sink.warn(Code.IndexVersion, 'index format version 3: Prometheus reads it (as version 2) from 2.55 on; older versions refuse the block', FILE, 4);
  }
  const covered = new Ranges();
  covered.add(0, INDEX_HEADER_LEN);
  covered.add(buf.length - TOC_LEN, buf.length);
  if (toc.symbols) covered.add(toc.symbols, sectionEnd(buf, toc.symbols));
  // Section starts in file order, to know where each section ends.
  const starts = [toc.symbols, toc.series, toc.labelIndices, toc.labelIndicesTable, toc.postings, toc.postingsTable, buf.length - 52]
    .filter((x) => x > 0)
    .sort((a, b) => a - b);
  const endOf = (start: number) => starts.find((s) => s > start) ?? buf.length - 52;

  // Symbols: sorted and unique, in Go's order: by their bytes, valid UTF-8 or not.
  const syms = ix.symbols.strings;
  for (let i = 1; i < syms.length; i++) {
    if (ix.compareSymbolsAt(i - 1, i) >= 0) {
      sink.error(Code.IndexSymbolsOrder, `index symbol table: symbol ${i} ${JSON.stringify(syms[i])} is not after ${JSON.stringify(syms[i - 1])} (symbols must be sorted and unique)`, FILE, ix.symbols.offsets[i]);
    }
  }

  // Series: walk the section entry by entry.
  const facts = new Grow();
  const series = new SeriesLabelRefs();
  if (toc.series) {
    const end = endOf(toc.series);
    covered.add(toc.series, end); // the walk checks every byte of it
    walkSeries(buf, ix, toc.series, end, meta, sink, facts, series);
  }

  const postingsExact = checkPostings(buf, ix, series, sink, covered);
  checkLabelIndices(buf, ix, postingsExact, sink, covered);
  // Bytes nothing refers to are only worth naming when the structures read cleanly.
  if (sink.errors === errorsBefore) checkCoverage(buf, covered, sink);

  return {
    seriesRefs: series.refs.subarray(0, series.n),
    numSeries: series.n,
    chunkRef: facts.ref.subarray(0, facts.n),
    chunkMinT: facts.minT.subarray(0, facts.n),
    chunkMaxT: facts.maxT.subarray(0, facts.n),
    chunkSeriesOffset: facts.at.subarray(0, facts.n),
    numChunks: facts.n,
  };
}

/**
 * The series section, entry by entry, from `start` to `end`. Its own function: a loop that
 * the JIT compiles while it runs must not share a function with code after it.
 */
function walkSeries(buf: Uint8Array, ix: IndexReader, start: number, end: number, meta: BlockMeta | undefined, sink: FindingSink, facts: Grow, series: SeriesLabelRefs): void {
  let off = start;
  let prev: number[] | undefined;
  const v1 = ix.version === 1;
  // Two scratches, taking turns: this entry's, and the one before for the order check.
  let cur = new SeriesScratch();
  let last = new SeriesScratch();
  while (off < end) {
    if (!v1 && off % SERIES_ALIGN !== 0) {
      // Entries are 16-byte aligned; the gap must be zeros.
      const next = Math.min(end, off + SERIES_ALIGN - (off % SERIES_ALIGN));
      const bad = zeroFrom(buf, off, next);
      if (bad >= 0) sink.error(Code.IndexPadding, `index series section: non-zero padding byte at offset ${bad}`, FILE, bad);
      off = next;
      if (off >= end) break;
    }
    const nz = zeroFrom(buf, off, end);
    if (nz < 0) break; // only padding left up to the next section
    if (nz !== off) {
      // An aligned position holding zero is padding, and padding only ends a section.
      sink.error(Code.IndexPadding, `index series section: non-zero byte at offset ${nz} after padding`, FILE, nz);
      // Resume at the next possible entry start (always past `off`, so the walk ends).
      off = v1 || nz % SERIES_ALIGN === 0 ? nz : nz + SERIES_ALIGN - (nz % SERIES_ALIGN);
      continue;
    }
    const ref = v1 ? off : off / SERIES_ALIGN;
    let s: SeriesScratch;
    try {
      s = readSeriesInto(buf, off, ix, cur);
    } catch (e) {
      sink.caught(e, isTsdbError(e) && e.code === 'ERR_BAD_CHECKSUM' ? Code.IndexCrc : Code.IndexSeries, FILE);
      // Skip to the next entry if its length is readable; otherwise give up on the section.
      const d = decbufUvarintAt(buf, off, 'index series', false);
      if (d.error()) break;
      off = d.end + 4;
      continue;
    }
    series.push(ref, s.labelRefs);
    checkSeries(s, off, ix, meta, prev, sink, facts);
    prev = s.labelRefs;
    off = s.end;
    [cur, last] = [last, cur];
  }
}

function checkSeries(
  s: SeriesScratch,
  off: number,
  ix: IndexReader,
  meta: BlockMeta | undefined,
  prev: readonly number[] | undefined,
  sink: FindingSink,
  facts: Grow,
): void {
  // Messages are made only for findings: this runs for every series.
  const where = (): string => `index series at offset ${off}`;
  const { labels, labelRefs } = s;
  if (labels.length === 0) sink.error(Code.IndexEmptyLabels, `${where()} has no labels`, FILE, off);
  for (let i = 0; i < labels.length; i += 2) {
    if (labels[i] === '' || labels[i + 1] === '') sink.error(Code.IndexEmptyLabels, `${where()}: label ${i / 2} has an empty ${labels[i] === '' ? 'name' : 'value'}`, FILE, off);
    // Go's order is bytewise: compare the symbols' bytes, not strings decoded from them.
    if (i > 0 && ix.compareSymbols(labelRefs[i - 2]!, labelRefs[i]!) >= 0) {
      sink.error(Code.IndexOutOfOrderLabels, `${where()}: out-of-order labels: ${JSON.stringify(labels[i])} after ${JSON.stringify(labels[i - 2])}`, FILE, off);
    }
  }
  if (prev && compareLabelRefs(ix, prev, labelRefs) >= 0) {
    sink.error(Code.IndexSeriesOrder, `${where()}: series are not sorted by labels (this series does not sort after the one before it)`, FILE, off);
  }
  const { minTime: mins, maxTime: maxs, ref: refs } = s;
  let refsInOrder = true;
  for (let i = 0; i < s.nChunks; i++) {
    const minT = mins[i]!;
    const maxT = maxs[i]!;
    const ref = refs[i]!;
    if (i > 0) {
      const pMin = mins[i - 1]!;
      const pMax = maxs[i - 1]!;
      if (minT === pMin && maxT === pMax) {
        sink.error(Code.IndexDuplicatedChunks, `${where()}: duplicated chunks: chunk ${i} repeats the time range [${minT}, ${maxT}] of chunk ${i - 1}`, FILE, off);
      } else if (minT <= pMax) {
        sink.error(Code.IndexOutOfOrderChunks, `${where()}: out-of-order chunks: chunk ${i} [${minT}, ${maxT}] overlaps or precedes chunk ${i - 1} [${pMin}, ${pMax}]`, FILE, off);
      }
    }
    if (meta && (minT < meta.minTime || maxT >= meta.maxTime)) {
      sink.error(Code.IndexOutsideChunks, `${where()}: outside chunks: chunk ${i} [${minT}, ${maxT}] is not within the block's range [${meta.minTime}, ${meta.maxTime})`, FILE, off);
    }
    // Prometheus writes a block's chunks series by series in index order (tsdb/compact.go
    // populateBlock), so refs (segment << 32 | offset) increase across the whole walk.
    if (ref <= facts.lastRef && refsInOrder) {
      refsInOrder = false;
      sink.error(Code.IndexChunkRefOrder, `${where()}: chunk ${i} has ref ${ref}, not after the ref ${facts.lastRef} before it (Prometheus writes chunks in series order)`, FILE, off);
    }
    facts.push(ref, minT, maxT, off);
  }
}

/** Go's labels.Compare of two series' label symbol refs, by the symbols' bytes. */
function compareLabelRefs(ix: IndexReader, a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    const c = ix.compareSymbols(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** The gaps between what the index refers to: short zero padding, nothing else. */
function checkCoverage(buf: Uint8Array, covered: Ranges, sink: FindingSink): void {
  let at = 0;
  for (const i of covered.sorted()) {
    const start = covered.startOf(i);
    if (start > at) gap(buf, at, start, sink);
    at = Math.max(at, covered.endOf(i));
  }
  if (at < buf.length) gap(buf, at, buf.length, sink);
}

function gap(buf: Uint8Array, from: number, to: number, sink: FindingSink): void {
  const nz = firstNonZero(buf.subarray(from, to));
  if (nz >= 0) {
    sink.error(Code.IndexPadding, `index: non-zero byte at offset ${from + nz} in the ${to - from} bytes at [${from}, ${to}) that no section or table refers to (only zero padding may be there)`, FILE, from + nz);
  } else if (to - from > MAX_PADDING) {
    sink.error(Code.IndexUnreferenced, `index: ${to - from} zero bytes at [${from}, ${to}) belong to no section or table; Prometheus pads by at most ${MAX_PADDING}`, FILE, from);
  }
}
