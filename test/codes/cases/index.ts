// Cases for the index codes, and for the index's cross-check with the chunks
// (chunk-time-mismatch, first and last sample). Each builds one small block
// (test/helpers/indexWriter.ts, segmentWriter.ts) in a tar and breaks one
// thing in its index: through the writer (refs, postings), or in the bytes
// with the CRCs resealed.

import { writeBe32 } from '../../helpers/bytes.js';
import { resealIndex, writeIndex, type TestSeries, type WriteIndexOptions, type WrittenIndex } from '../../helpers/indexWriter.js';
import { writeSegment } from '../../helpers/segmentWriter.js';
import { writeTombstones } from '../../helpers/tombstonesWriter.js';
import { encodeXOR } from '../../helpers/xorEncoder.js';
import { IndexReader } from '../../../src/index/reader.js';
import { archiveOf, type CaseInput, type CodeCase } from '../case.js';

const SNAP = '20261122T144025Z-2939a76ec4c5dbb6';
const ULID = '01M81V437311AY8K10ZBCVFY88';
const FILE = 'index';

/** A series of the test block: labels, and the sample times of each of its chunks. */
interface S {
  labels: ReadonlyArray<readonly [string, string]>;
  chunks: number[][];
}

/** Three series, one chunk each, at the same times (so swapped refs still match their metas). */
const THREE: S[] = [
  { labels: [['a', '1']], chunks: [[0, 10]] },
  { labels: [['a', '2']], chunks: [[0, 10]] },
  { labels: [['a', '3'], ['b', 'x']], chunks: [[0, 10]] },
];

interface Built {
  w: WrittenIndex;
  index: Uint8Array;
  /** Chunk offsets in chunks/000001, in series order. */
  chunkAt: number[];
}

interface BlockOptions extends WriteIndexOptions {
  /** Change the chunk metas (in series order) before the index is written. */
  metas?: (series: TestSeries[]) => void;
  /** Change the index bytes (a copy); CRCs are resealed after. */
  bytes?: (b: Uint8Array, w: WrittenIndex) => void;
  /** Leave the CRCs as `bytes` left them. */
  noReseal?: boolean;
  minTime?: number;
}

/** The block's parts: its chunks written in series order (as Prometheus writes them), its index. */
function build(series: S[] = THREE, o: BlockOptions = {}): Built & { segment: Uint8Array; meta: string } {
  // Series in index order: sorted by labels as the writer sorts them (the tests' labels sort as listed).
  const chunks = series.flatMap((s) => s.chunks.map((ts) => ({ encoding: 1, data: encodeXOR(ts, ts.map(() => 0n)) })));
  const seg = writeSegment(chunks);
  let k = 0;
  const metas: TestSeries[] = series.map((s) => ({
    labels: s.labels,
    chunks: s.chunks.map((ts) => ({ minTime: ts[0]!, maxTime: ts[ts.length - 1]!, ref: seg.offsets[k++]! })),
  }));
  o.metas?.(metas);
  const w = writeIndex(metas, o);
  let index = w.bytes;
  if (o.bytes) {
    index = w.bytes.slice();
    o.bytes(index, w);
    if (!o.noReseal) resealIndex(index, w.sections);
  }
  const numSamples = series.reduce((n, s) => n + s.chunks.reduce((m, ts) => m + ts.length, 0), 0);
  const numChunks = metas.reduce((n, s) => n + s.chunks.length, 0);
  const meta = JSON.stringify({ ulid: ULID, minTime: o.minTime ?? -1000, maxTime: 100_000, version: 1, stats: { numSeries: series.length, numChunks, numSamples } });
  return { w, index, chunkAt: seg.offsets, segment: seg.bytes, meta };
}

function archive(b: { index: Uint8Array; segment: Uint8Array; meta: string }): CaseInput {
  const dir = `snapshots/${SNAP}/${ULID}/`;
  return archiveOf([
    { name: dir + 'meta.json', data: Buffer.from(b.meta) },
    { name: dir + 'index', data: b.index },
    { name: dir + 'chunks/000001', data: b.segment },
    { name: dir + 'tombstones', data: writeTombstones([]) },
  ]);
}

/** A case on the test block: `at` gives the offset the finding must name. */
function indexCase(code: CodeCase['code'], what: string, o: BlockOptions, at: (b: Built) => number, series: S[] = THREE): CodeCase {
  let built: Built | undefined;
  const get = () => (built ??= build(series, o));
  return {
    code,
    what,
    build: () => archive(build(series, o)),
    expect: {
      severity: 'error',
      snapshot: SNAP,
      block: ULID,
      file: FILE,
      get offset() {
        return at(get());
      },
    },
  };
}

/** The case with a warning expected instead of an error. */
function asWarning(c: CodeCase): CodeCase {
  c.expect.severity = 'warning';
  return c;
}

/** Offset of the postings list of name=value. */
const listAt = (b: Built, name: string, value: string): number => new IndexReader(b.w.bytes).postingsTable.find((e) => e.name === name && e.value === value)!.offset;
/** Offset of the postings offset table entry of name=value. */
const entryAt = (b: Built, name: string, value: string): number => new IndexReader(b.w.bytes).postingsTable.find((e) => e.name === name && e.value === value)!.entryOffset;
/** Offset of the first byte of series i's content (after its length). */
const contentOf = (w: WrittenIndex, i: number): number => w.sections.find((s) => s.kind === 'series' && s.lengthAt === w.series[i]!.offset)!.contentStart;
const symRef = (w: WrittenIndex, s: string): number => w.symbolRefs.get(s)!;
/** Offset of a symbol's length prefix in the symbol table. */
const symAt = (w: WrittenIndex, s: string): number => new IndexReader(w.bytes).symbols.offsets[symRef(w, s)]!;
const sectionOf = (w: WrittenIndex, kind: string): { lengthAt: number; contentStart: number; contentEnd: number } => w.sections.find((s) => s.kind === kind)!;
const tocAt = (b: Built): number => b.index.length - 52;

export const cases: CodeCase[] = [
  {
    code: 'index-too-large',
    what: 'an index larger than the (lowered) limit',
    build: () => ({ ...archive(build()), options: { spillAt: 64, maxIndexBytes: 128 } }),
    expect: { severity: 'error', snapshot: SNAP, block: ULID, file: FILE, offset: 128 },
  },
  indexCase('index-corrupt', 'the index magic is wrong', { bytes: (b) => (b[0] = 0xbb), noReseal: true }, () => 0),
  indexCase('index-version', 'index format version 9', { bytes: (b) => (b[4] = 9), noReseal: true }, () => 4),
  asWarning(indexCase('index-version', 'index format version 3, which Prometheus reads from 2.55 on and older versions refuse', { bytes: (b) => (b[4] = 3), noReseal: true }, () => 4)),
  indexCase('index-crc', 'a symbol table byte flipped', { bytes: (b, w) => (b[sectionOf(w, 'symbols').contentStart + 6]! ^= 1), noReseal: true }, (b) => sectionOf(b.w, 'symbols').lengthAt),
  indexCase('index-padding', 'a non-zero byte in the padding between series', { bytes: (b, w) => (b[w.padding.find(([s]) => s > w.series[0]!.offset)![0]] = 1), noReseal: true }, (b) => b.w.padding.find(([s]) => s > b.w.series[0]!.offset)![0]),
  {
    code: 'index-unreferenced',
    what: '8 zero bytes before the TOC that nothing refers to',
    build: () => {
      const b = build();
      const at = tocAt(b);
      return archive({ ...b, index: Buffer.concat([b.index.subarray(0, at), new Uint8Array(8), b.index.subarray(at)]) });
    },
    expect: { severity: 'error', snapshot: SNAP, block: ULID, file: FILE, offset: tocAt(build()) },
  },
  indexCase('index-symbols-order', 'symbol "2" spelled "1": a repeated symbol', { bytes: (b, w) => (b[symAt(w, '2') + 1] = 0x31) }, (b) => symAt(b.w, '2')),
  indexCase('index-symbol-ref', 'a label index value refers to symbol 999', { bytes: (b, w) => writeBe32(b, w.labelIndexOffsets.get('a')! + 12, 999) }, (b) => b.w.labelIndexOffsets.get('a')!),
  indexCase('index-series', 'a series claims 100 labels', { bytes: (b, w) => (b[contentOf(w, 0)] = 100) }, (b) => b.w.series[0]!.offset),
  indexCase(
    'index-series-order',
    'the first two series hold each other\'s value',
    { bytes: (b, w) => ((b[contentOf(w, 0) + 2] = symRef(w, '2')), (b[contentOf(w, 1) + 2] = symRef(w, '1'))) },
    (b) => b.w.series[1]!.offset,
  ),
  indexCase('index-empty-labels', 'a series with an empty label value', {}, (b) => b.w.series[0]!.offset, [{ labels: [['a', '']], chunks: [[0, 10]] }]),
  indexCase(
    'index-out-of-order-labels',
    'a series\' two labels swapped',
    { bytes: (b, w) => b.set([symRef(w, 'b'), symRef(w, 'x'), symRef(w, 'a'), symRef(w, '3')], contentOf(w, 2) + 1) },
    (b) => b.w.series[2]!.offset,
  ),
  indexCase('index-out-of-order-chunks', 'a chunk starts where the one before ends', {}, (b) => b.w.series[0]!.offset, [{ labels: [['a', '1']], chunks: [[0, 10], [10, 20]] }]),
  indexCase('index-duplicated-chunks', 'two one-sample chunks at the same time', {}, (b) => b.w.series[0]!.offset, [{ labels: [['a', '1']], chunks: [[5], [5]] }]),
  indexCase('index-outside-chunks', 'a chunk before the block\'s minTime', { minTime: 5 }, (b) => b.w.series[0]!.offset),
  indexCase(
    'index-chunk-ref-order',
    'two series\' chunk refs swapped (both chunks span the same times)',
    { metas: (s) => ([s[0]!.chunks[0]!.ref, s[1]!.chunks[0]!.ref] = [s[1]!.chunks[0]!.ref, s[0]!.chunks[0]!.ref]) },
    (b) => b.w.series[1]!.offset,
  ),
  indexCase('index-chunk-ref-shared', 'a series points at the chunk of the series before it', { metas: (s) => (s[1]!.chunks[0]!.ref = s[0]!.chunks[0]!.ref) }, (b) => b.w.series[1]!.offset),
  indexCase('index-chunk-ref', 'a chunk ref one byte into a chunk', { metas: (s) => (s[1]!.chunks[0]!.ref += 1) }, (b) => b.w.series[1]!.offset),
  indexCase('index-label-index', 'a label index with #names 0', { bytes: (b, w) => writeBe32(b, w.labelIndexOffsets.get('a')! + 4, 0) }, (b) => b.w.labelIndexOffsets.get('a')!),
  indexCase(
    'index-label-index-order',
    'a label index\'s first two values swapped',
    { bytes: (b, w) => (writeBe32(b, w.labelIndexOffsets.get('a')! + 12, symRef(w, '2')), writeBe32(b, w.labelIndexOffsets.get('a')! + 16, symRef(w, '1'))) },
    (b) => b.w.labelIndexOffsets.get('a')!,
  ),
  indexCase('index-label-offset-table', 'a label offset table entry with 2 names', { bytes: (b, w) => (b[w.toc.labelIndicesTable + 8] = 2) }, (b) => b.w.toc.labelIndicesTable + 8),
  indexCase(
    'index-label-index-values',
    'a label index holds a value no series has',
    { extraSymbols: ['4'], bytes: (b, w) => writeBe32(b, w.labelIndexOffsets.get('a')! + 20, symRef(w, '4')) },
    (b) => b.w.labelIndexOffsets.get('a')!,
  ),
  indexCase('index-label-index-values', 'the label offset table lists "a" but not "b"', { bytes: (b, w) => writeBe32(b, w.toc.labelIndicesTable + 4, 1) }, (b) => b.w.toc.labelIndicesTable),
  indexCase('index-postings', 'a postings list whose count does not match its length', { bytes: (b, w) => writeBe32(b, listAt({ w, index: b, chunkAt: [] }, 'a', '1') + 4, 7) }, (b) => listAt(b, 'a', '1')),
  indexCase(
    'index-postings-table-order',
    'two postings offset table entries out of order',
    { bytes: (b, w) => ((b[entryAt({ w, index: b, chunkAt: [] }, 'a', '1') + 4] = 0x32), (b[entryAt({ w, index: b, chunkAt: [] }, 'a', '2') + 4] = 0x31)) },
    (b) => entryAt(b, 'a', '2'),
  ),
  indexCase('index-postings-order', 'the all-postings list not sorted', { editPostings: (p) => p.get('')!.get('')!.reverse() }, (b) => listAt(b, '', '')),
  indexCase('index-postings-ref', 'a postings list names series 999', { editPostings: (p) => p.get('a')!.get('3')!.push(999) }, (b) => listAt(b, 'a', '3')),
  indexCase('index-postings-label', 'a="1" lists a series with a="2"', { editPostings: (p) => p.get('a')!.get('1')!.push(p.get('a')!.get('2')![0]!) }, (b) => listAt(b, 'a', '1')),
  indexCase('index-postings-label', 'an empty postings list for a="4", a value no series has', { extraSymbols: ['4'], editPostings: (p) => p.get('a')!.set('4', []) }, (b) => listAt(b, 'a', '4')),
  indexCase('index-postings-incomplete', 'the series with b="x" is missing from its list', { editPostings: (p) => p.get('b')!.get('x')!.pop() }, (b) => b.w.series[2]!.offset),
  indexCase('index-all-postings', 'the all-postings list misses a series', { editPostings: (p) => p.get('')!.get('')!.pop() }, (b) => listAt(b, '', '')),
  indexCase('index-all-postings', 'no all-postings list', { editPostings: (p) => p.delete('') }, (b) => b.w.toc.postingsTable),
  chunkCase('the index says a chunk starts 1 ms after its first sample', (s) => (s[1]!.chunks[0]!.minTime += 1)),
  chunkCase('the index says a chunk ends 1 ms before its last sample', (s) => (s[1]!.chunks[0]!.maxTime -= 1)),
];

/** chunk-time-mismatch on the second series' chunk, its meta changed by `metas`. */
function chunkCase(what: string, metas: BlockOptions['metas']): CodeCase {
  return {
    code: 'chunk-time-mismatch',
    what,
    build: () => archive(build(THREE, { metas })),
    expect: { severity: 'error', snapshot: SNAP, block: ULID, file: 'chunks/000001', offset: build().chunkAt[1]! },
  };
}
