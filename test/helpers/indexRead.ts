// TEST ONLY. Read an index through every path the readers offer, so that a
// corrupt byte anywhere in a section is touched: open the IndexReader
// (magic, version, TOC, symbol table, postings offset table), read each
// series of the all-postings list, each postings list, the label offset
// table and each label index. Also map which bytes belong to a section.

import { expect } from 'vitest';
import { ErrorCode } from '../../src/encoding/errors.js';
import { readLabelIndex, readLabelOffsetTable } from '../../src/index/labelindex.js';
import { IndexReader } from '../../src/index/reader.js';
import type { ChunkMeta } from '../../src/index/series.js';
import { flipBit, readBe32 } from './bytes.js';
import { outcome } from './errors.js';
import type { WrittenIndex } from './indexWriter.js';

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

/**
 * Flip every bit of an index the test writer wrote (or reproduced), one at a
 * time, and read the result fully. Every flip must fail cleanly, flips in a
 * section's content or CRC as BadChecksum (the CRC is checked before the
 * content is decoded), or else read back exactly what the original holds.
 * Returns the flips that went unnoticed as "byte.bit" strings, sorted.
 */
export function flipEveryBit(buf: Uint8Array, layout: Pick<WrittenIndex, 'sections'>): string[] {
  const base = readIndexFully(buf);
  const inContent = (at: number) => layout.sections.some((s) => at >= s.contentStart && at < s.contentEnd + 4);
  const unnoticed: string[] = [];
  for (let at = 0; at < buf.length; at++) {
    for (let bit = 0; bit < 8; bit++) {
      const where = `flip of bit ${bit} of byte ${at}`;
      const r = outcome(() => readIndexFully(flipBit(buf, at, bit)), buf.length);
      if (r.kind === 'unclean') throw new Error(`${where}: ${r.reason}`, { cause: r.thrown });
      if (r.kind === 'error') {
        if (at >= 5 && inContent(at)) expect(r.error.code, `${where}: ${r.error.message}`).toBe(ErrorCode.BadChecksum);
      } else {
        expect({ ...r.value, version: base.version }, where).toEqual(base);
        unnoticed.push(`${at}.${bit}`);
      }
    }
  }
  return unnoticed.sort();
}

/** The flips that may go unnoticed: all 8 of every padding byte, and the version byte turning 2 into 3. */
export function harmlessFlips(layout: Pick<WrittenIndex, 'padding'>): string[] {
  const bytes = layout.padding.flatMap(([s, e]) => Array.from({ length: e - s }, (_, i) => s + i));
  return ['4.0', ...bytes.flatMap((at) => Array.from({ length: 8 }, (_, bit) => `${at}.${bit}`))].sort();
}
