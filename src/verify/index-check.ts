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

import { be32At, decbufUvarintAt } from '../encoding/decbuf.js';
import { isTsdbError } from '../encoding/errors.js';
import { grown } from '../encoding/grow.js';
import { readLabelIndex, readLabelOffsetTable } from '../index/labelindex.js';
import { checkPostingsList } from '../index/postings.js';
import { compareUtf8, IndexReader } from '../index/reader.js';
import { readSeriesInto, SERIES_ALIGN, SeriesScratch } from '../index/series.js';
import { TOC_LEN, INDEX_HEADER_LEN } from '../index/toc.js';
import type { BlockMeta } from '../meta/meta.js';
import { compareLabels } from '../query/merge.js';
import { firstNonZero } from '../snapshot/pull.js';
import type { FindingSink } from './findings.js';
import { Ranges, SeriesLabelRefs } from './index-tables.js';
import { Code } from '../encoding/finding-codes.js';

/** Prometheus pads label indices and postings lists to 4-byte boundaries; nothing else. */
const MAX_PADDING = 3;


/** End of the CRC'd section at `off`: 4-byte length, content, 4-byte CRC. */
function sectionEnd(buf: Uint8Array, off: number): number {
  return Math.min(buf.length, off + 4 + be32At(buf, off) + 4);
}

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
    sink.caught(e, isTsdbError(e) && e.code === 'ERR_BAD_CHECKSUM' ? Code.IndexCrc : Code.IndexCorrupt, FILE);
    return undefined;
  }
  const toc = ix.toc;
  const errorsBefore = sink.errors;
  // No Prometheus writes format 3 (3.x reads it as 2, for a format still to come; 2.x
  // refuses it): a 3 here is a 2 with one bit flipped, or a layout we cannot vouch for.
  if (ix.version === 3) {
    sink.error(Code.IndexVersion, 'index format version 3 is not written by any Prometheus (2.x refuses it; 3.x reads it as 2 for a future format): the version byte is corrupt', FILE, 4);
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

  // Symbols: sorted and unique (byte order).
  const syms = ix.symbols.strings;
  for (let i = 1; i < syms.length; i++) {
    if (compareUtf8(syms[i - 1], syms[i]) >= 0) {
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

  checkLabelIndices(buf, ix, sink, covered);
  checkPostings(buf, ix, series, sink, covered);
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
  let prev: string[] | undefined;
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
    checkSeries(s, off, meta, prev, sink, facts);
    prev = s.labels;
    off = s.end;
    [cur, last] = [last, cur];
  }
}

function checkSeries(
  s: SeriesScratch,
  off: number,
  meta: BlockMeta | undefined,
  prev: string[] | undefined,
  sink: FindingSink,
  facts: Grow,
): void {
  // Messages are made only for findings: this runs for every series.
  const where = (): string => `index series at offset ${off}`;
  const labels = s.labels;
  if (labels.length === 0) sink.error(Code.IndexEmptyLabels, `${where()} has no labels`, FILE, off);
  for (let i = 0; i < labels.length; i += 2) {
    if (labels[i] === '' || labels[i + 1] === '') sink.error(Code.IndexEmptyLabels, `${where()}: label ${i / 2} has an empty ${labels[i] === '' ? 'name' : 'value'}`, FILE, off);
    if (i > 0 && compareUtf8(labels[i - 2], labels[i]) >= 0) {
      sink.error(Code.IndexOutOfOrderLabels, `${where()}: out-of-order labels: ${JSON.stringify(labels[i])} after ${JSON.stringify(labels[i - 2])}`, FILE, off);
    }
  }
  if (prev && compareLabels(prev, labels) >= 0) {
    sink.error(Code.IndexSeriesOrder, `${where()}: series are not sorted by labels (this series does not sort after the one before it)`, FILE, off);
  }
  const { minTime: mins, maxTime: maxs, ref: refs } = s;
  for (let i = 0; i < s.nChunks; i++) {
    const minT = mins[i]!;
    const maxT = maxs[i]!;
    if (maxT < minT) sink.error(Code.IndexChunkMeta, `${where()}: chunk ${i} has maxt ${maxT} before mint ${minT}`, FILE, off);
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
    facts.push(refs[i]!, minT, maxT, off);
  }
}

function checkLabelIndices(buf: Uint8Array, ix: IndexReader, sink: FindingSink, covered: Ranges): void {
  if (!ix.toc.labelIndicesTable) return;
  covered.add(ix.toc.labelIndicesTable, sectionEnd(buf, ix.toc.labelIndicesTable));
  let table;
  try {
    table = readLabelOffsetTable(buf, ix.toc.labelIndicesTable);
  } catch (e) {
    sink.caught(e, isTsdbError(e) && e.code === 'ERR_BAD_CHECKSUM' ? Code.IndexCrc : Code.IndexLabelOffsetTable, FILE);
    return;
  }
  for (const entry of table) {
    try {
      const li = readLabelIndex(buf, entry.offset);
      covered.add(entry.offset, sectionEnd(buf, entry.offset));
      let prev: string | undefined;
      for (let i = 0; i < li.values.length; i++) {
        const v = ix.symbol(li.values[i]);
        if (v === undefined) {
          sink.error(Code.IndexSymbolRef, `index label index for ${JSON.stringify(entry.name)} at offset ${entry.offset}: value ${i} refers to unknown symbol ${li.values[i]}`, FILE, entry.offset);
          break;
        }
        if (prev !== undefined && li.names === 1 && compareUtf8(prev, v) >= 0) {
          sink.error(Code.IndexLabelIndexOrder, `index label index for ${JSON.stringify(entry.name)} at offset ${entry.offset}: values are not sorted`, FILE, entry.offset);
          break;
        }
        prev = v;
      }
    } catch (e) {
      sink.caught(e, isTsdbError(e) && e.code === 'ERR_BAD_CHECKSUM' ? Code.IndexCrc : Code.IndexLabelIndex, FILE);
    }
  }
}

function checkPostings(buf: Uint8Array, ix: IndexReader, series: SeriesLabelRefs, sink: FindingSink, covered: Ranges): void {
  if (ix.toc.postingsTable) covered.add(ix.toc.postingsTable, sectionEnd(buf, ix.toc.postingsTable));
  const { labelsInPostings, sawAll } = walkPostings(buf, ix, series, sink, covered);
  if (!sawAll && series.n > 0 && ix.version !== 1) sink.error(Code.IndexAllPostings, 'index: there is no all-postings list (key "", "")', FILE, ix.toc.postingsTable);
  const labelsInSeries = series.labels();
  if (labelsInPostings !== labelsInSeries) {
    sink.error(Code.IndexPostingsIncomplete, `index: postings lists hold ${labelsInPostings} label references, but the series hold ${labelsInSeries} labels`, FILE, ix.toc.postingsTable);
  }
}

/**
 * Every postings list, in table order (a function of its own, as walkSeries). Entries are
 * read from the table one at a time and lists checked in place: nothing per entry but its
 * value's string.
 */
function walkPostings(buf: Uint8Array, ix: IndexReader, series: SeriesLabelRefs, sink: FindingSink, covered: Ranges): { labelsInPostings: number; sawAll: boolean } {
  const table = ix.offsetTable;
  let labelsInPostings = 0;
  let sawAll = false;
  if (!table) return { labelsInPostings, sawAll };
  const ordered = ix.version !== 1;
  // Symbols by place (v2+ refs), decoded already for the symbol order check; v1 refs are offsets.
  const seq = ordered ? ix.symbols.strings : undefined;
  let pName = '';
  let pValue = '';
  for (let k = 0; k < table.count; k++) {
    const name = table.name(k);
    const value = table.value(k);
    const offset = table.listAt[k];
    if (k > 0 && ordered && (compareUtf8(pName, name) || compareUtf8(pValue, value)) >= 0) {
      sink.error(Code.IndexPostingsTableOrder, `index postings offset table: entry ${keyOf(name, value)} is not after ${keyOf(pName, pValue)}`, FILE, table.entryOffset(k));
    }
    pName = name;
    pValue = value;
    let count: number;
    try {
      count = checkPostingsList(buf, offset);
      covered.add(offset, sectionEnd(buf, offset));
    } catch (err) {
      sink.caught(err, isTsdbError(err) && err.code === 'ERR_BAD_CHECKSUM' ? Code.IndexCrc : Code.IndexPostings, FILE);
      continue;
    }
    const isAll = name === '' && value === '';
    let prev = 0;
    let from = 0; // refs increase, and so do their series' places
    for (let i = 0, p = offset + 8; i < count; i++, p += 4) {
      const ref = be32At(buf, p);
      if (i > 0 && ref <= prev) {
        sink.error(Code.IndexPostingsOrder, `index postings list ${keyOf(name, value)} at offset ${offset}: refs are not strictly increasing at entry ${i}`, FILE, offset);
        break;
      }
      prev = ref;
      const si = series.find(ref, from);
      if (si >= 0) from = si + 1;
      if (si < 0) {
        sink.error(Code.IndexPostingsRef, `index postings list ${keyOf(name, value)} at offset ${offset}: entry ${i} refers to series ${ref}, which does not exist`, FILE, offset);
        continue;
      }
      if (!isAll && !(seq ? series.hasSeq(si, name, value, seq) : series.has(si, name, value, ix))) {
        sink.error(Code.IndexPostingsLabel, `index postings list ${keyOf(name, value)} at offset ${offset}: series ${ref} does not have that label`, FILE, offset);
      }
    }
    if (isAll) {
      sawAll = true;
      if (count !== series.n) {
        sink.error(Code.IndexAllPostings, `index: the all-postings list has ${count} entries, but the series section holds ${series.n} series`, FILE, offset);
      }
    } else labelsInPostings += count;
  }
  return { labelsInPostings, sawAll };
}

/** A postings key as findings name it: name="value". */
function keyOf(name: string, value: string): string {
  return `${name}=${JSON.stringify(value)}`;
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
