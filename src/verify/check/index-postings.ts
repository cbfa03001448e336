// The index's postings and label indices against its series: what queries
// read (selectors go through postings, label-values through the postings
// offset table) must be what the series hold. Every postings list names
// exactly the series that have its label pair, no list is empty, every
// series is in the list of each of its pairs, the all-postings list holds
// every series, and each label index holds exactly the values series have
// for its name. See tsdb/docs/format/index.md, "Postings", "Label Index".

import { compareUtf8 } from '../../encoding/compare.js';
import { be32At } from '../../encoding/decbuf.js';
import { isTsdbError } from '../../encoding/errors.js';
import { Code } from '../../encoding/finding-codes.js';
import { readLabelIndex, readLabelOffsetTable } from '../../index/labelindex.js';
import { checkPostingsList } from '../../index/postings.js';
import type { IndexReader } from '../../index/reader.js';
import type { FindingSink } from './findings.js';
import type { Ranges, SeriesLabelRefs } from './index-tables.js';

const FILE = 'index';

/** End of the CRC'd section at `off`: 4-byte length, content, 4-byte CRC. */
export function sectionEnd(buf: Uint8Array, off: number): number {
  return Math.min(buf.length, off + 4 + be32At(buf, off) + 4);
}

/** Postings against the series; returns whether they hold exactly the series' label pairs. */
export function checkPostings(buf: Uint8Array, ix: IndexReader, series: SeriesLabelRefs, sink: FindingSink, covered: Ranges): boolean {
  if (ix.toc.postingsTable) covered.add(ix.toc.postingsTable, sectionEnd(buf, ix.toc.postingsTable));
  const errorsBefore = sink.errors;
  // How many postings lists (other than all-postings) hold each series with their pair.
  const hits = new Uint32Array(series.n);
  const sawAll = walkPostings(buf, ix, series, hits, sink, covered);
  if (!sawAll && series.n > 0 && ix.version !== 1) sink.error(Code.IndexAllPostings, 'index: there is no all-postings list (key "", "")', FILE, ix.toc.postingsTable);
  // Each series must be in exactly one list per label (a list holds a series once, and keys are unique).
  let missing = 0;
  let first = -1;
  for (let i = 0; i < series.n; i++) {
    if (hits[i] !== series.labelCount(i)) {
      if (first < 0) first = i;
      missing++;
    }
  }
  if (missing > 0) {
    const at = ix.seriesOffset(series.refs[first]!);
    sink.error(
      Code.IndexPostingsIncomplete,
      `index: ${missing} series are not in the postings list of each of their label pairs; the first, at offset ${at}, has ${series.labelCount(first)} labels and is in ${hits[first]} lists`,
      FILE,
      at,
    );
  }
  return sink.errors === errorsBefore;
}

/**
 * Every postings list, in table order (a function of its own, so the JIT compiles just this
 * loop). Entries are read from the table one at a time and lists checked in place: nothing
 * per entry but its key's strings. Returns whether the all-postings list was there.
 */
function walkPostings(buf: Uint8Array, ix: IndexReader, series: SeriesLabelRefs, hits: Uint32Array, sink: FindingSink, covered: Ranges): boolean {
  const table = ix.offsetTable;
  let sawAll = false;
  if (!table) return sawAll;
  const ordered = ix.version !== 1;
  // Symbols by place (v2+ refs), decoded already for the symbol order check; v1 refs are offsets.
  const seq = ordered ? ix.symbols.strings : undefined;
  for (let k = 0; k < table.count; k++) {
    const name = table.name(k);
    const value = table.value(k);
    const offset = table.listAt[k];
    // Go's order is bytewise: compare the bytes, not strings decoded from them.
    if (k > 0 && ordered && table.compareKeys(k - 1, k) >= 0) {
      sink.error(Code.IndexPostingsTableOrder, `index postings offset table: entry ${keyOf(name, value)} is not after ${keyOf(table.name(k - 1), table.value(k - 1))}`, FILE, table.entryOffset(k));
    }
    let count: number;
    try {
      count = checkPostingsList(buf, offset);
      covered.add(offset, sectionEnd(buf, offset));
    } catch (err) {
      sink.caught(err, isTsdbError(err) && err.code === 'ERR_BAD_CHECKSUM' ? Code.IndexCrc : Code.IndexPostings, FILE);
      continue;
    }
    const isAll = name === '' && value === '';
    if (count === 0 && !isAll) {
      // Prometheus writes a list only for a pair some series has; label-values would print this one.
      sink.error(Code.IndexPostingsLabel, `index postings list ${keyOf(name, value)} at offset ${offset} is empty: no series has that label`, FILE, offset);
    }
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
      if (isAll) continue;
      if (seq ? series.hasSeq(si, name, value, seq) : series.has(si, name, value, ix)) hits[si]++;
      else sink.error(Code.IndexPostingsLabel, `index postings list ${keyOf(name, value)} at offset ${offset}: series ${ref} does not have that label`, FILE, offset);
    }
    if (isAll) {
      sawAll = true;
      if (count !== series.n) {
        sink.error(Code.IndexAllPostings, `index: the all-postings list has ${count} entries, but the series section holds ${series.n} series`, FILE, offset);
      }
    }
  }
  return sawAll;
}

/**
 * Label indices (written by Prometheus up to 3.6) and their offset table: they decode, their
 * values are sorted and, when the postings hold exactly the series' label pairs
 * (`postingsExact`), they are the values the postings name: those the series have.
 */
export function checkLabelIndices(buf: Uint8Array, ix: IndexReader, postingsExact: boolean, sink: FindingSink, covered: Ranges): void {
  const at = ix.toc.labelIndicesTable;
  // Prometheus 3.7 and later write no label indices: the TOC points the label offset table at the postings offset table.
  if (!at || at === ix.toc.postingsTable) return;
  covered.add(at, sectionEnd(buf, at));
  let table;
  try {
    table = readLabelOffsetTable(buf, at);
  } catch (e) {
    sink.caught(e, isTsdbError(e) && e.code === 'ERR_BAD_CHECKSUM' ? Code.IndexCrc : Code.IndexLabelOffsetTable, FILE);
    return;
  }
  const names = new Set(ix.labelNames());
  for (const entry of table) {
    names.delete(entry.name);
    let values: string[] | undefined;
    try {
      values = labelIndexValues(buf, ix, entry.name, entry.offset, sink);
      covered.add(entry.offset, sectionEnd(buf, entry.offset));
    } catch (e) {
      sink.caught(e, isTsdbError(e) && e.code === 'ERR_BAD_CHECKSUM' ? Code.IndexCrc : Code.IndexLabelIndex, FILE);
      continue;
    }
    if (postingsExact && values) compareValues(entry.name, entry.offset, values, ix.labelValues(entry.name), sink);
  }
  if (postingsExact && names.size > 0) {
    const name = [...names].sort(compareUtf8)[0]!;
    sink.error(Code.IndexLabelIndexValues, `index label offset table at offset ${at}: series have label ${JSON.stringify(name)}, but the table has no label index for it (${names.size} names missing)`, FILE, at);
  }
}

/** The values of the label index at `off`, checked for order; undefined when they cannot be compared (not sorted, an unknown symbol, not a one-name index). */
function labelIndexValues(buf: Uint8Array, ix: IndexReader, name: string, off: number, sink: FindingSink): string[] | undefined {
  const li = readLabelIndex(buf, off);
  const out: string[] = [];
  for (let i = 0; i < li.values.length; i++) {
    const v = ix.symbol(li.values[i]);
    if (v === undefined) {
      sink.error(Code.IndexSymbolRef, `index label index for ${JSON.stringify(name)} at offset ${off}: value ${i} refers to unknown symbol ${li.values[i]}`, FILE, off);
      return undefined;
    }
    // Go's order is bytewise: compare the symbols' bytes.
    if (i > 0 && li.names === 1 && ix.compareSymbols(li.values[i - 1], li.values[i]) >= 0) {
      sink.error(Code.IndexLabelIndexOrder, `index label index for ${JSON.stringify(name)} at offset ${off}: values are not sorted`, FILE, off);
      return undefined;
    }
    out.push(v);
  }
  return li.names === 1 ? out : undefined;
}

/** A label index's values against the values the postings hold for its name (both in byte order). */
function compareValues(name: string, off: number, inIndex: string[], inSeries: string[], sink: FindingSink): void {
  const have = new Set(inSeries);
  const extra = inIndex.find((v) => !have.has(v));
  const held = new Set(inIndex);
  const lacking = inSeries.find((v) => !held.has(v));
  if (extra === undefined && lacking === undefined && inIndex.length === inSeries.length) return;
  const what = extra !== undefined ? `holds ${JSON.stringify(extra)}, which no series has` : `lacks ${JSON.stringify(lacking ?? '')}, which series have`;
  sink.error(Code.IndexLabelIndexValues, `index label index for ${JSON.stringify(name)} at offset ${off} ${what} (${inIndex.length} values; series have ${inSeries.length})`, FILE, off);
}

/** A postings key as findings name it: name="value". */
function keyOf(name: string, value: string): string {
  return `${name}=${JSON.stringify(value)}`;
}
