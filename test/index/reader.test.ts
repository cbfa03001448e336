import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/encoding/crc32c.js';
import { ErrorCode } from '../../src/encoding/errors.js';
import { compareUtf8 } from '../../src/encoding/compare.js';
import { IndexReader } from '../../src/index/reader.js';
import { ByteWriter, compareBytes, writeBe32 } from '../helpers/bytes.js';
import { expectTsdbError, FAST_MS, outcome } from '../helpers/errors.js';
import { seriesList, SMALL_SERIES } from '../helpers/indexArbitraries.js';
import { flipEveryBit, harmlessFlips, indexCoverage, readIndexFully, type IndexContents } from '../helpers/indexRead.js';
import { resealIndex, writeIndex, type WrittenIndex } from '../helpers/indexWriter.js';

/** What the reader must find in an index the test writer wrote. */
function expectContents(got: IndexContents, w: WrittenIndex): void {
  expect(got.version).toBe(w.version);
  expect(got.symbols).toEqual(w.symbols);
  expect(got.series).toEqual(w.series.map((s) => ({ ref: s.ref, labels: s.labels, chunks: s.chunks })));
  const names = [...w.postings.keys()].filter((n) => n !== '').sort(compareBytes);
  expect(got.labelNames).toEqual(names);
  expect(got.postings).toEqual(w.postings); // Map equality ignores order, so:
  for (const name of names) expect([...got.postings.get(name)!.keys()]).toEqual([...w.postings.get(name)!.keys()].sort(compareBytes));
  expect(got.labelIndices).toEqual(new Map(names.map((n) => [n, [...w.postings.get(n)!.keys()].sort(compareBytes)])));
}

describe('IndexReader on a hand-built empty index', () => {
  // Every field written out; only the CRCs are computed.
  function emptyIndex(): Uint8Array {
    const w = new ByteWriter();
    const empty = crc32c(Uint8Array.of(0, 0, 0, 0)); // CRC of a #count of 0
    w.be32(0xbaaad700).byte(2); //           0: magic, version 2
    w.be32(4).be32(0).be32(empty); //        5: symbol table: len 4, #symbols 0, CRC
    //                                      17: series (none), label indices (none), postings start
    w.raw([0, 0, 0]); //                    17: padding to 4 bytes
    w.be32(4).be32(0).be32(empty); //       20: postings ("", ""): len 4, #entries 0, CRC
    w.be32(4).be32(0).be32(empty); //       32: label offset table: len 4, #entries 0, CRC
    const pot = Uint8Array.of(0, 0, 0, 1, /* n */ 2, /* "" */ 0, /* "" */ 0, /* offset */ 20);
    w.be32(pot.length).raw(pot).be32(crc32c(pot)); // 44: postings offset table: #entries 1, ("", "") -> 20
    const tocAt = w.length; //              60: TOC: symbols, series, label indices, label offset table, postings, postings offset table
    w.be64(5).be64(17).be64(17).be64(32).be64(17).be64(44);
    w.be32(crc32c(w.bytes().subarray(tocAt)));
    return w.bytes();
  }

  it('reads it, and the test writer writes the same bytes', () => {
    const buf = emptyIndex();
    expect(buf.length).toBe(60 + 52);
    const ir = new IndexReader(buf);
    expect(ir.version).toBe(2);
    expect(ir.toc).toEqual({ symbols: 5, series: 17, labelIndices: 17, labelIndicesTable: 32, postings: 17, postingsTable: 44 });
    expect(ir.symbols.strings).toEqual([]);
    expect(ir.postingsTable).toEqual([{ name: '', value: '', offset: 20, entryOffset: 52 }]);
    expect(Array.from(ir.allPostings())).toEqual([]);
    expect(ir.labelNames()).toEqual([]);
    expect(Array.from(writeIndex([]).bytes)).toEqual(Array.from(buf));
  });
});

describe('IndexReader on a small index from the test writer', () => {
  const w = writeIndex(SMALL_SERIES);
  const ir = new IndexReader(w.bytes);

  it('reads symbols, series, label names and values, and postings', () => {
    expect(ir.symbols.strings).toEqual(['__name__', 'api', 'job', 'lab', 'node', 'room', 'temp', 'up']);
    expect(Array.from(ir.allPostings())).toEqual(w.series.map((s) => s.ref));
    expect(w.series.map((s) => s.offset % 16)).toEqual([0, 0, 0]);
    // Series sort by label set: {__name__="temp"} before {__name__="up", …}.
    const [temp, api, node] = Array.from(ir.allPostings(), (r) => ir.series(r));
    expect(api.labels).toEqual(['__name__', 'up', 'job', 'api']);
    expect(api.labelRefs).toEqual([0, 7, 2, 1]);
    expect(node.chunks).toEqual([
      { minTime: -5, maxTime: 10, ref: 30 },
      { minTime: 11, maxTime: 11, ref: 2 ** 32 + 8 },
    ]);
    expect(temp.labels).toEqual(['__name__', 'temp', 'room', 'lab']);
    expect(temp.chunks).toEqual([]);
    expect(ir.series(w.series[2].ref, false)).toMatchObject({ labels: ['__name__', 'up', 'job', 'node'], chunks: [] });
    expect(ir.labelNames()).toEqual(['__name__', 'job', 'room']);
    expect(ir.labelValues('__name__')).toEqual(['temp', 'up']);
    expect(ir.labelValues('nope')).toEqual([]);
    expect(Array.from(ir.postings('__name__', 'up'))).toEqual([w.series[1].ref, w.series[2].ref]);
    expect(Array.from(ir.postings('room', 'lab'))).toEqual([w.series[0].ref]);
    expect(Array.from(ir.postings('job', 'nope'))).toEqual([]);
    expect(Array.from(ir.postings('nope', 'up'))).toEqual([]);
    expect([...ir.postingsForName('job')].map(([v]) => v)).toEqual(['api', 'node']);
    expect(ir.symbol(7)).toBe('up');
    expect(ir.symbol(8)).toBeUndefined();
    expect(ir.seriesOffset(3)).toBe(48);
  });

  it('accepts version 3 with the v2 layout', () => {
    const v3 = writeIndex(SMALL_SERIES, { version: 3 });
    expectContents(readIndexFully(v3.bytes), v3);
  });
});

describe('IndexReader on index format v1', () => {
  const w = writeIndex(SMALL_SERIES, { version: 1, reverseValues: true });

  it('resolves symbols and series by byte offset and sorts an unsorted postings offset table', () => {
    const ir = new IndexReader(w.bytes);
    expect(ir.version).toBe(1);
    expect(w.series.map((s) => s.ref)).toEqual(w.series.map((s) => s.offset));
    expect(Array.from(ir.allPostings())).toEqual(w.series.map((s) => s.offset));
    // v1 refs are the offsets of the symbols' length prefixes: 5 + len + #symbols = 13.
    expect(ir.symbol(13)).toBe('__name__');
    expect(ir.symbol(14)).toBeUndefined();
    expect(ir.seriesOffset(w.series[2].ref)).toBe(w.series[2].offset);
    expect(ir.postingsTable.map((e) => e.value).slice(1, 3)).toEqual(['up', 'temp']); // as written
    expect(ir.labelValues('__name__')).toEqual(['temp', 'up']);
    expectContents(readIndexFully(w.bytes), w);
  });

  // KNOWN BUG (reported): for v1, IndexReader sorts each name's values with
  // JS `<` (UTF-16 code units), not in Go's byte order as the rest of the
  // reader (compareUtf8) and Go's LabelValues do. '\uFFFD' sorts after '🎉' in
  // UTF-16 but before it in UTF-8. Remove `.fails` once fixed.
  it('sorts v1 label values in Go byte order', () => {
    const v1 = writeIndex(
      [
        { labels: [['x', '🎉']], chunks: [] },
        { labels: [['x', '\uFFFD']], chunks: [] },
      ],
      { version: 1 },
    );
    expect(new IndexReader(v1.bytes).labelValues('x')).toEqual(['\uFFFD', '🎉']);
  });
});

describe('IndexReader round trip (property)', () => {
  it('reads back exactly the series, symbols, label names, values and postings written (v2)', () => {
    fc.assert(
      fc.property(seriesList, (series) => {
        const w = writeIndex(series);
        expectContents(readIndexFully(w.bytes), w);
        const ir = new IndexReader(w.bytes);
        for (const [name, byValue] of w.postings) {
          if (name !== '') expect(ir.labelValues(name)).toEqual([...byValue.keys()].sort(compareBytes));
          for (const [value, refs] of byValue) expect(Array.from(ir.postings(name, value))).toEqual(refs);
        }
        for (const [s, ref] of w.symbolRefs) expect(ir.symbol(ref)).toBe(s);
      }),
      { numRuns: 200 },
    );
  });

  it('reads back the same from format v1 with an unsorted postings offset table', () => {
    fc.assert(
      fc.property(seriesList, (series) => {
        const w = writeIndex(series, { version: 1, reverseValues: true });
        const got = readIndexFully(w.bytes);
        expect(got.series).toEqual(w.series.map((s) => ({ ref: s.offset, labels: s.labels, chunks: s.chunks })));
        expect(got.symbols).toEqual(w.symbols);
        expect(got.postings).toEqual(w.postings); // Map equality ignores order (see the v1 order test above).
        const ir = new IndexReader(w.bytes);
        for (const [s, ref] of w.symbolRefs) expect(ir.symbol(ref)).toBe(s);
      }),
      { numRuns: 100 },
    );
  });

  it('compareUtf8 is Go\'s byte order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(compareBytes(a, b)));
      }),
    );
  });
});

describe('IndexReader refuses tiny garbage cleanly', () => {
  const good = writeIndex(SMALL_SERIES).bytes;

  it('refuses empty, 1-byte and header-only input as ShortBuffer', () => {
    for (const b of [new Uint8Array(0), Uint8Array.of(0xba), good.subarray(0, 4), good.subarray(0, 5)]) {
      const e = expectTsdbError(() => new IndexReader(b), { code: ErrorCode.ShortBuffer, inputLength: b.length });
      expect(e.context.offset).toBe(0);
    }
  });

  it('refuses a wrong magic as BadMagic and unknown versions as BadVersion', () => {
    const magic = good.slice();
    magic[0] = 0xba; magic[1] = 0xaa; magic[2] = 0xd7; magic[3] = 0x01;
    expect(expectTsdbError(() => new IndexReader(magic), { code: ErrorCode.BadMagic }).context.offset).toBe(0);
    for (const v of [0, 4, 0x82, 255]) {
      const b = good.slice();
      b[4] = v;
      expect(expectTsdbError(() => new IndexReader(b), { code: ErrorCode.BadVersion }).context.offset).toBe(4);
    }
  });

  it('refuses every truncation', () => {
    for (let n = 0; n < good.length; n++) {
      expectTsdbError(() => readIndexFully(good.subarray(0, n)), { inputLength: n });
    }
  });

  it('refuses random bytes behind a valid header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
        const b = Uint8Array.from([0xba, 0xaa, 0xd7, 0x00, 0x02, ...tail]);
        const r = outcome(() => readIndexFully(b), b.length);
        expect(r.kind).toBe('error');
      }),
    );
  });
});

describe('IndexReader detects single-bit flips', () => {
  it('notices every flip outside padding in a small index; content and CRC flips as BadChecksum', () => {
    const w = writeIndex(SMALL_SERIES);
    // Only the zero padding (before series, before label indices) and the
    // version byte turning 2 into 3, which reads the same, go unnoticed.
    expect(w.padding.length).toBeGreaterThan(0);
    expect(flipEveryBit(w.bytes, w)).toEqual(harmlessFlips(w));
  });

  it('finds the padding the writer left as the only bytes outside every section', () => {
    fc.assert(
      fc.property(seriesList, (series) => {
        const w = writeIndex(series);
        const mask = indexCoverage(w.bytes);
        const uncovered = [...mask.keys()].filter((i) => !mask[i]);
        expect(uncovered).toEqual(w.padding.flatMap(([s, e]) => Array.from({ length: e - s }, (_, i) => s + i)));
      }),
      { numRuns: 50 },
    );
  });
});

describe('IndexReader on structurally bad content with valid CRCs', () => {
  it('refuses a symbol table claiming 2^31 symbols at once', () => {
    const w = writeIndex(SMALL_SERIES);
    const b = w.bytes.slice();
    writeBe32(b, w.toc.symbols + 4, 2 ** 31);
    resealIndex(b, w.sections);
    expectTsdbError(() => new IndexReader(b), { code: ErrorCode.Corrupt, maxMs: FAST_MS, inputLength: b.length });
  });

  it('refuses a postings list pointing at a series ref that is no series', () => {
    const w = writeIndex(SMALL_SERIES);
    const b = w.bytes.slice();
    const all = w.sections.find((s) => s.kind === 'postings')!;
    writeBe32(b, all.contentStart + 4, 1); // first ref of the all-postings list -> offset 16: inside the symbol table
    resealIndex(b, w.sections);
    expectTsdbError(() => readIndexFully(b), { inputLength: b.length });
  });

  it('never fails other than with a clean TsdbError on random content under valid CRCs', () => {
    fc.assert(
      fc.property(
        seriesList,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (series, edits) => {
          const w = writeIndex(series);
          const b = w.bytes.slice();
          const covered = w.sections.flatMap((s) => Array.from({ length: s.contentEnd - s.contentStart }, (_, i) => s.contentStart + i));
          for (const [i, v] of edits) b[covered[i % covered.length]] = v;
          resealIndex(b, w.sections);
          // No input length: a pointer past the end is reported at the pointer (see below).
          const r = outcome(() => readIndexFully(b));
          expect(r.kind === 'unclean' ? r.reason : 'clean').toBe('clean');
        },
      ),
      { numRuns: 500 },
    );
  });

  // A series ref past the end of the file in the all-postings list.
  function seriesRefPastEnd(): Uint8Array {
    const w = writeIndex(SMALL_SERIES);
    const b = w.bytes.slice();
    const all = w.sections.find((s) => s.kind === 'postings')!;
    writeBe32(b, all.contentStart + 4, 0x0fffffff); // series ref -> offset 0xffffff0
    return resealIndex(b, w.sections);
  }

  // The all-postings offset in the postings offset table of the 112-byte
  // empty index: #entries <4b>, n = 2, "", "", offset <uvarint> 20 -> 127.
  function postingsOffsetPastEnd(): Uint8Array {
    const w = writeIndex([]);
    const b = w.bytes.slice();
    const table = w.sections.find((s) => s.kind === 'postingsOffsetTable')!;
    if (b[table.contentStart + 7] !== 20 || b.length !== 112) throw new Error('unexpected layout');
    b[table.contentStart + 7] = 127;
    return resealIndex(b, w.sections);
  }

  it('refuses pointers past the end of the file as ShortBuffer', () => {
    expectTsdbError(() => readIndexFully(seriesRefPastEnd()), { code: ErrorCode.ShortBuffer });
    expectTsdbError(() => readIndexFully(postingsOffsetPastEnd()), { code: ErrorCode.ShortBuffer });
  });

  // KNOWN BUG (reported): a pointer that leads past the end of the file (a
  // series ref in a postings list, a postings or label index offset in a
  // table, all under valid CRCs) is reported with context.offset set to the
  // pointer itself, outside the file, not to where the pointer is stored.
  // Remove `.fails` once fixed.
  it('reports a series ref past the end at an offset inside the file', () => {
    const b = seriesRefPastEnd();
    expectTsdbError(() => readIndexFully(b), { inputLength: b.length });
  });

  it('reports a postings offset past the end at an offset inside the file', () => {
    const b = postingsOffsetPastEnd();
    expectTsdbError(() => readIndexFully(b), { inputLength: b.length });
  });
});
