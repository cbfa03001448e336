// TEST ONLY. Read an index through every path the readers offer, so that a
// corrupt byte anywhere in a section is touched: open the IndexReader
// (magic, version, TOC, symbol table, postings offset table), read each
// series of the all-postings list, each postings list, the label offset
// table and each label index. Also map which bytes belong to a section.

import { readLabelIndex, readLabelOffsetTable } from '../../src/index/labelindex.js';
import { IndexReader } from '../../src/index/reader.js';
import type { ChunkMeta } from '../../src/index/series.js';
import { readBe32 } from './bytes.js';

export interface ReadSeries {
  ref: number;
  labels: string[];
  chunks: ChunkMeta[];
}

export interface IndexContents {
  version: number;
  symbols: string[];
  series: ReadSeries[];
  labelNames: string[];
  /** name → value → refs, from the postings offset table and the lists it points to. */
  postings: Map<string, Map<string, number[]>>;
  /** name → values, from the label offset table and the label indices (symbol refs resolved). */
  labelIndices: Map<string, Array<string | undefined>>;
}

export function readIndexFully(buf: Uint8Array): IndexContents {
  const ir = new IndexReader(buf);
  const series = Array.from(ir.allPostings(), (ref) => {
    const s = ir.series(ref);
    return { ref, labels: s.labels, chunks: s.chunks };
  });
  const postings = new Map<string, Map<string, number[]>>();
  for (const name of ['', ...ir.labelNames()]) {
    const byValue = new Map<string, number[]>();
    for (const [value, offset] of ir.postingsForName(name)) byValue.set(value, Array.from(ir.readPostingsAt(offset)));
    postings.set(name, byValue);
  }
  const labelIndices = new Map<string, Array<string | undefined>>();
  if (ir.toc.labelIndicesTable !== 0) {
    for (const e of readLabelOffsetTable(buf, ir.toc.labelIndicesTable)) {
      const li = readLabelIndex(buf, e.offset);
      labelIndices.set(e.name, Array.from(li.values, (r) => ir.symbol(r)));
    }
  }
  return { version: ir.version, symbols: ir.symbols.strings, series, labelNames: ir.labelNames(), postings, labelIndices };
}

/**
 * Which bytes of a valid index lie in the header, a section (length field,
 * content, CRC) or the TOC, found by following the file's own pointers.
 * Whatever is left is padding.
 */
export function indexCoverage(buf: Uint8Array): Uint8Array {
  const ir = new IndexReader(buf);
  const mask = new Uint8Array(buf.length);
  const mark = (start: number, end: number) => mask.fill(1, start, end);
  const mark4 = (off: number) => mark(off, off + 4 + readBe32(buf, off) + 4);
  mark(0, 5);
  mark(buf.length - 52, buf.length);
  mark4(ir.toc.symbols);
  for (const ref of ir.allPostings()) mark(ir.seriesOffset(ref), ir.series(ref).end);
  if (ir.toc.labelIndicesTable !== 0) {
    mark4(ir.toc.labelIndicesTable);
    for (const e of readLabelOffsetTable(buf, ir.toc.labelIndicesTable)) mark4(e.offset);
  }
  if (ir.toc.postingsTable !== 0) {
    mark4(ir.toc.postingsTable);
    for (const e of ir.postingsTable) mark4(e.offset);
  }
  return mask;
}
