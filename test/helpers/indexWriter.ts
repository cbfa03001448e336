// TEST ONLY. A small index writer after tsdb/docs/format/index.md and the
// Writer in Prometheus's tsdb/index/index.go (v2.42): header, symbol table,
// 16-byte aligned series with delta-encoded chunk metas, label indices and
// the label offset table, postings (the all-postings list under the key
// ("", "") first) and the postings offset table, then the TOC. Every
// section carries its CRC32C. It writes format v2 as Prometheus does, and
// format v1 (symbols and series referred to by byte offset, no alignment)
// for the v1 paths of the reader.
//
// It favours plainness over speed and keeps a map of what it wrote, so tests
// can check the reader against it, find padding, and re-seal CRCs after
// mutating section contents.

import { crc32c } from '../../src/encoding/crc32c.js';
import { ByteWriter, compareBytes, writeBe32 } from './bytes.js';

export const MAGIC_INDEX = 0xbaaad700;

export interface TestChunkMeta {
  minTime: number;
  maxTime: number;
  ref: number;
}

export interface TestSeries {
  /** Label pairs; names must be unique and non-empty. The writer sorts them. */
  labels: ReadonlyArray<readonly [string, string]>;
  /** Chunk metas in time order: minTime ≤ maxTime, each minTime ≥ the previous maxTime. */
  chunks: readonly TestChunkMeta[];
}

export interface WriteIndexOptions {
  /** Header version byte. 1 selects the v1 layout; 2 (the default) and 3 the v2 layout. */
  version?: 1 | 2 | 3;
  /** More symbols to put in the table (Prometheus's compactor may carry some). */
  extraSymbols?: readonly string[];
  /** Write each name's postings offset entries in reverse value order (v1 does not promise sorted ones). */
  reverseValues?: boolean;
  /**
   * Change the postings (name → value → series refs, "" → "" holding every series) before they
   * are written, to make an index whose postings disagree with its series; label indices follow
   * them. New strings must be in `extraSymbols`.
   */
  editPostings?: (postings: Map<string, Map<string, number[]>>) => void;
  /** false: no label indices nor label offset table, the TOC's entry for it = the postings offset table's (Prometheus 3.7 and later). */
  labelIndices?: boolean;
}

export type SectionKind = 'symbols' | 'series' | 'labelIndex' | 'postings' | 'labelOffsetTable' | 'postingsOffsetTable' | 'toc';

/** A CRC'd piece of the file: `lengthAt` is where its length field starts. */
export interface Section {
  kind: SectionKind;
  lengthAt: number;
  /** First byte covered by the CRC. */
  contentStart: number;
  /** One past the last covered byte; the CRC follows. */
  contentEnd: number;
}

export interface WrittenSeries {
  /** The ref postings use: offset/16 (v2) or the byte offset (v1). */
  ref: number;
  offset: number;
  /** Flattened sorted pairs [name0, value0, …]. */
  labels: string[];
  chunks: TestChunkMeta[];
}

export interface WrittenIndex {
  bytes: Uint8Array;
  version: number;
  /** The symbol table, in order. */
  symbols: string[];
  /** Each symbol's ref as the version defines it. */
  symbolRefs: Map<string, number>;
  /** Series in file order (sorted by label set). */
  series: WrittenSeries[];
  /** name → value → sorted series refs; "" → "" holds every series. */
  postings: Map<string, Map<string, number[]>>;
  /** Label index offset per label name. */
  labelIndexOffsets: Map<string, number>;
  toc: { symbols: number; series: number; labelIndices: number; labelIndicesTable: number; postings: number; postingsTable: number };
  sections: Section[];
  /** Zero padding [start, end) ranges; nothing reads them. */
  padding: Array<[number, number]>;
}

/** Go's labels.Compare over sorted pairs. */
export function compareLabelSets(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareBytes(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Flatten label pairs sorted by name. */
export function sortedLabels(labels: ReadonlyArray<readonly [string, string]>): string[] {
  const pairs = [...labels].sort((x, y) => compareBytes(x[0], y[0]));
  for (let i = 1; i < pairs.length; i++) {
    if (pairs[i][0] === pairs[i - 1][0]) throw new Error(`duplicate label name ${pairs[i][0]}`);
  }
  return pairs.flat();
}

export function writeIndex(input: readonly TestSeries[], opts: WriteIndexOptions = {}): WrittenIndex {
  const version = opts.version ?? 2;
  const v1 = version === 1;
  const w = new ByteWriter();
  const sections: Section[] = [];
  const padding: Array<[number, number]> = [];
  const pad = (align: number) => {
    const p = w.pad(align);
    if (p[1] > p[0]) padding.push(p);
  };
  // A section with a 4-byte length: write the content with `body`, then
  // fill in the length and append the CRC over the content.
  const section = (kind: SectionKind, body: () => void): number => {
    const lengthAt = w.length;
    w.be32(0);
    const contentStart = w.length;
    body();
    const contentEnd = w.length;
    w.putBe32At(lengthAt, contentEnd - contentStart);
    w.be32(crc32c(w.bytes(contentStart, contentEnd)));
    sections.push({ kind, lengthAt, contentStart, contentEnd });
    return lengthAt;
  };

  const series = input
    .map((s) => ({ labels: sortedLabels(s.labels), chunks: s.chunks.map((c) => ({ ...c })) }))
    .sort((a, b) => compareLabelSets(a.labels, b.labels));
  for (let i = 1; i < series.length; i++) {
    if (compareLabelSets(series[i - 1].labels, series[i].labels) === 0) throw new Error(`duplicate series ${series[i].labels}`);
  }

  // Header: magic(0xBAAAD700) <4b>, version <1b>.
  w.be32(MAGIC_INDEX).byte(version);

  // Symbol table: len <4b>, #symbols <4b>, then len(str) <uvarint> str <bytes> each.
  const symbolSet = new Set<string>(opts.extraSymbols ?? []);
  for (const s of series) for (const l of s.labels) symbolSet.add(l);
  const symbols = [...symbolSet].sort(compareBytes);
  const symbolRefs = new Map<string, number>();
  const tocSymbols = section('symbols', () => {
    w.be32(symbols.length);
    symbols.forEach((s, i) => {
      symbolRefs.set(s, v1 ? w.length : i);
      w.uvarintStr(s);
    });
  });
  const symRef = (s: string) => symbolRefs.get(s)!;

  // Series: len <uvarint>, labels count, (name ref, value ref)…, chunks count,
  // chunk metas (first: mint <varint>, maxt-mint <uvarint>, ref <uvarint>;
  // then: mint-prev maxt <uvarint>, maxt-mint <uvarint>, ref delta <varint>), CRC.
  const tocSeries = w.length;
  const written: WrittenSeries[] = [];
  for (const s of series) {
    if (!v1) pad(16);
    const offset = w.length;
    const c = new ByteWriter();
    c.uvarint(s.labels.length / 2);
    for (const l of s.labels) c.uvarint(symRef(l));
    c.uvarint(s.chunks.length);
    let prevMaxt = 0n;
    let prevRef = 0n;
    s.chunks.forEach((m, i) => {
      const mint = BigInt(m.minTime);
      const maxt = BigInt(m.maxTime);
      const ref = BigInt(m.ref);
      if (i === 0) {
        c.varint(mint).uvarint(maxt - mint).uvarint(ref);
      } else {
        c.uvarint(mint - prevMaxt).uvarint(maxt - mint).varint(ref - prevRef);
      }
      prevMaxt = maxt;
      prevRef = ref;
    });
    const content = c.bytes();
    w.uvarint(content.length);
    const contentStart = w.length;
    w.raw(content).be32(crc32c(content));
    sections.push({ kind: 'series', lengthAt: offset, contentStart, contentEnd: contentStart + content.length });
    written.push({ ref: v1 ? offset : offset / 16, offset, labels: s.labels, chunks: s.chunks });
  }

  // Postings per label pair, and which values each name has.
  const postings = new Map<string, Map<string, number[]>>();
  postings.set('', new Map([['', written.map((s) => s.ref)]]));
  for (const s of written) {
    for (let i = 0; i < s.labels.length; i += 2) {
      const [name, value] = [s.labels[i], s.labels[i + 1]];
      if (!postings.has(name)) postings.set(name, new Map());
      const byValue = postings.get(name)!;
      if (!byValue.has(value)) byValue.set(value, []);
      byValue.get(value)!.push(s.ref);
    }
  }
  opts.editPostings?.(postings);
  const names = [...postings.keys()].filter((n) => n !== '').sort(compareBytes);
  const valuesOf = (name: string) => [...postings.get(name)!.keys()].sort(compareBytes);

  // Label indices, one per name, 4-byte aligned: len <4b>, #names=1 <4b>,
  // #entries <4b>, ref(value) <4b>…, CRC.
  const tocLabelIndices = w.length;
  const labelIndexOffsets = new Map<string, number>();
  for (const name of opts.labelIndices === false ? [] : names) {
    pad(4);
    const values = valuesOf(name);
    labelIndexOffsets.set(
      name,
      section('labelIndex', () => {
        w.be32(1).be32(values.length);
        for (const v of values) w.be32(symRef(v));
      }),
    );
  }

  // Postings, 4-byte aligned: len <4b>, #entries <4b>, ref(series) <4b>…, CRC.
  const tocPostings = w.length;
  pad(4);
  const postingsOffsets: Array<{ name: string; value: string; offset: number }> = [];
  for (const name of postings.has('') ? ['', ...names] : names) {
    for (const value of name === '' ? [...postings.get('')!.keys()] : valuesOf(name)) {
      const refs = postings.get(name)!.get(value)!;
      const offset = section('postings', () => {
        w.be32(refs.length);
        for (const r of refs) w.be32(r);
      });
      postingsOffsets.push({ name, value, offset });
    }
  }

  // Label offset table: len <4b>, #entries <4b>, (n=1, name, offset <uvarint64>)…, CRC.
  const labelOffsetTable = (): number => section('labelOffsetTable', () => {
    w.be32(names.length);
    for (const name of names) w.uvarint(1).uvarintStr(name).uvarint(labelIndexOffsets.get(name)!);
  });

  // Postings offset table: len <4b>, #entries <4b>, (n=2, name, value, offset <uvarint64>)…, CRC.
  let table = postingsOffsets;
  if (opts.reverseValues) {
    table = [postingsOffsets[0], ...names.flatMap((n) => postingsOffsets.filter((p) => p.name === n).reverse())];
  }
  const tocLabelIndicesTable = opts.labelIndices === false ? w.length : labelOffsetTable();
  const tocPostingsTable = section('postingsOffsetTable', () => {
    w.be32(table.length);
    for (const p of table) w.uvarint(2).uvarintStr(p.name).uvarintStr(p.value).uvarint(p.offset);
  });

  // TOC: six offsets <8b each>, CRC over them.
  const toc = {
    symbols: tocSymbols,
    series: tocSeries,
    labelIndices: tocLabelIndices,
    labelIndicesTable: tocLabelIndicesTable,
    postings: tocPostings,
    postingsTable: tocPostingsTable,
  };
  const tocStart = w.length;
  w.be64(toc.symbols).be64(toc.series).be64(toc.labelIndices).be64(toc.labelIndicesTable).be64(toc.postings).be64(toc.postingsTable);
  w.be32(crc32c(w.bytes(tocStart, w.length)));
  sections.push({ kind: 'toc', lengthAt: tocStart, contentStart: tocStart, contentEnd: tocStart + 48 });

  return {
    bytes: w.bytes(),
    version,
    symbols,
    symbolRefs,
    series: written,
    postings,
    labelIndexOffsets,
    toc,
    sections,
    padding,
  };
}

/** Recompute every section's CRC in place (after a test changed section contents). */
export function resealIndex(buf: Uint8Array, sections: readonly Section[]): Uint8Array {
  for (const s of sections) writeBe32(buf, s.contentEnd, crc32c(buf, s.contentStart, s.contentEnd));
  return buf;
}
