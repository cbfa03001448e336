import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/encoding/errors.js';
import { chunkRefOffset, chunkRefSegment, readSeries, readSeriesInto, SERIES_ALIGN, SeriesScratch } from '../../src/index/series.js';
import { at, ByteWriter, crcUvarintSection, flipBit, hex } from '../helpers/bytes.js';
import { expectTsdbError, FAST_MS } from '../helpers/errors.js';
import { chunkMetas } from '../helpers/indexArbitraries.js';

const SYMBOLS = ['__name__', 'api', 'job', 'up'];
const lookup = (r: number) => SYMBOLS[r];

describe('readSeries on hand-built bytes', () => {
  // {__name__="up", job="api"} with two chunks, at offset 32 (series ref 2).
  const content = hex(`
    02              # labels count 2
    00 03           # __name__ = up   (symbol refs)
    02 01           # job = api
    02              # chunks count 2
    d0 0f           # c0.mint 1000 <varint>
    e8 07           # c0.maxt - c0.mint = 1000 <uvarint>
    08              # c0.ref 8 <uvarint>
    01              # c1.mint - c0.maxt = 1 <uvarint>
    00              # c1.maxt - c1.mint = 0 <uvarint>
    80 80 80 80 20  # c1.ref - c0.ref = 2^32 <varint>
  `);
  const buf = at(32, crcUvarintSection(content));

  it('reads the label pairs and the delta-encoded chunk metas', () => {
    expect(content.length).toBe(18);
    const s = readSeries(buf, 32, lookup);
    expect(s.labels).toEqual(['__name__', 'up', 'job', 'api']);
    expect(s.labelRefs).toEqual([0, 3, 2, 1]);
    expect(s.chunks).toEqual([
      { minTime: 1000, maxTime: 2000, ref: 8 },
      { minTime: 2001, maxTime: 2001, ref: 2 ** 32 + 8 },
    ]);
    expect(s.end).toBe(32 + 1 + 18 + 4);
    expect(SERIES_ALIGN).toBe(16);
  });

  it('splits a chunk ref into segment and offset', () => {
    const ref = readSeries(buf, 32, lookup).chunks[1].ref;
    expect([chunkRefSegment(ref), chunkRefOffset(ref)]).toEqual([1, 8]);
    expect([chunkRefSegment(8), chunkRefOffset(8)]).toEqual([0, 8]);
  });

  it('skips the chunk metas when asked, even if they are garbage', () => {
    const garbage = crcUvarintSection(hex('01 00 03  ff ff ff'));
    expect(readSeries(garbage, 0, lookup, false)).toEqual({ labels: ['__name__', 'up'], labelRefs: [0, 3], chunks: [], end: garbage.length });
  });

  it('reads negative times and a series without chunks', () => {
    const c = crcUvarintSection(hex('01 02 01  01  09 04 00')); // job=api; 1 chunk: mint -5, maxt -1, ref 0
    expect(readSeries(c, 0, lookup).chunks).toEqual([{ minTime: -5, maxTime: -1, ref: 0 }]);
    expect(readSeries(crcUvarintSection(hex('01 02 01  00')), 0, lookup).chunks).toEqual([]);
  });
});

describe('readSeries refuses bad input cleanly', () => {
  const entry = (w: ByteWriter) => crcUvarintSection(w);

  it('refuses an unknown symbol ref and a ref beyond 32 bits as Corrupt', () => {
    const e = expectTsdbError(() => readSeries(entry(new ByteWriter().raw([1, 0, 9, 0])), 0, lookup), { code: ErrorCode.Corrupt });
    expect(e.message).toContain('label 0 value refers to unknown symbol 9');
    expectTsdbError(() => readSeries(entry(new ByteWriter().uvarint(1).uvarint(2 ** 32).uvarint(0).uvarint(0)), 0, lookup), { code: ErrorCode.Corrupt });
  });

  it('refuses a labels count that cannot fit (two bytes a label) as Corrupt', () => {
    // 3 labels claimed, 5 bytes left: 0 3 2 1 0.
    const e = expectTsdbError(() => readSeries(entry(new ByteWriter().raw([3, 0, 3, 2, 1, 0])), 0, lookup), { code: ErrorCode.Corrupt });
    expect(e.message).toContain('labels count 3');
    // 2 chunks claimed, 5 bytes left (three bytes a chunk meta).
    expectTsdbError(() => readSeries(entry(new ByteWriter().raw([1, 0, 3, 2, 0, 0, 8, 1, 0])), 0, lookup), { code: ErrorCode.Corrupt });
  });

  it('refuses huge labels and chunks counts at once', () => {
    for (const n of [2n ** 31n, 2n ** 62n, (1n << 64n) - 1n]) {
      expectTsdbError(() => readSeries(entry(new ByteWriter().uvarint(n).raw([0, 0, 0, 0])), 0, lookup), { code: ErrorCode.Corrupt, maxMs: FAST_MS });
      expectTsdbError(() => readSeries(entry(new ByteWriter().raw([1, 0, 3]).uvarint(n).raw([0, 0, 0])), 0, lookup), { code: ErrorCode.Corrupt, maxMs: FAST_MS });
    }
  });

  it('refuses chunk metas that run past the entry as ShortBuffer', () => {
    // 2 chunks: one full meta, then 01 and half a uvarint.
    const b = entry(new ByteWriter().raw([1, 0, 3, 2, 0, 0, 8, 1, 0x80, 0x80]));
    const e = expectTsdbError(() => readSeries(b, 0, lookup), { code: ErrorCode.ShortBuffer, inputLength: b.length });
    expect(e.context.offset).toBe(0);
  });

  it('refuses a bad length varint, a length past the end and a bad CRC', () => {
    expectTsdbError(() => readSeries(new Uint8Array(16).fill(0xff), 0, lookup), { code: ErrorCode.BadVarint });
    expectTsdbError(() => readSeries(Uint8Array.from([...new ByteWriter().uvarint(2n ** 63n).bytes(), 1, 2, 3, 4]), 0, lookup), { code: ErrorCode.ShortBuffer, maxMs: FAST_MS });
    const b = entry(new ByteWriter().raw([1, 0, 3, 0]));
    b[b.length - 1] ^= 0x10;
    expectTsdbError(() => readSeries(b, 0, lookup), { code: ErrorCode.BadChecksum });
  });

  it('refuses every truncation and every single-bit flip', () => {
    const b = at(16, crcUvarintSection(new ByteWriter().raw([2, 0, 3, 2, 1, 1]).varint(-70000).uvarint(300).uvarint(8)));
    for (let n = 16; n < b.length; n++) expectTsdbError(() => readSeries(b.subarray(0, n), 16, lookup), { inputLength: n });
    for (let i = 16; i < b.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const e = expectTsdbError(() => readSeries(flipBit(b, i, bit), 16, lookup), { inputLength: b.length });
        if (i > 16) expect(e.code).toBe(ErrorCode.BadChecksum); // past the 1-byte length
      }
    }
  });
});

/** A series entry (length, body, CRC) with these label refs and chunk metas. */
function encodeSeries(labelRefs: number[], chunks: { minTime: number; maxTime: number; ref: number }[]): Uint8Array {
  const c = new ByteWriter().uvarint(labelRefs.length / 2);
  for (const r of labelRefs) c.uvarint(r);
  c.uvarint(chunks.length);
  chunks.forEach((m, i) => {
    if (i === 0) c.varint(m.minTime).uvarint(m.maxTime - m.minTime).uvarint(m.ref);
    else c.uvarint(m.minTime - chunks[i - 1].maxTime).uvarint(m.maxTime - m.minTime).varint(BigInt(m.ref) - BigInt(chunks[i - 1].ref));
  });
  return crcUvarintSection(c);
}

describe('readSeries property', () => {
  it('reads back any label refs and chunk metas', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(2 ** 32 - 1), { maxLength: 10 }), chunkMetas, (refs, chunks) => {
        const labelRefs = refs.length % 2 ? refs.slice(1) : refs;
        const s = readSeries(encodeSeries(labelRefs, chunks), 0, (r) => `s${r}`);
        expect(s.labelRefs).toEqual(labelRefs);
        expect(s.labels).toEqual(labelRefs.map((r) => `s${r}`));
        expect(s.chunks).toEqual(chunks);
      }),
    );
  });
});

describe('readSeriesInto, reusing one scratch', () => {
  it('reads a run of entries as readSeries does, whatever the entry before held', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(fc.nat(2 ** 32 - 1), { maxLength: 12 }), chunkMetas), { minLength: 1, maxLength: 8 }), (entries) => {
        const scratch = new SeriesScratch();
        for (const [refs, chunks] of entries) {
          const buf = encodeSeries(refs.length % 2 ? refs.slice(1) : refs, chunks);
          const lookup = (r: number) => `s${r}`;
          const want = readSeries(buf, 0, lookup);
          const got = readSeriesInto(buf, 0, { symbol: lookup }, scratch);
          expect(got).toBe(scratch);
          expect([...got.labels]).toEqual(want.labels);
          expect([...got.labelRefs]).toEqual(want.labelRefs);
          expect(got.end).toBe(want.end);
          const metas = Array.from({ length: got.nChunks }, (_, i) => ({ minTime: got.minTime[i], maxTime: got.maxTime[i], ref: got.ref[i] }));
          expect(metas).toEqual(want.chunks);
        }
      }),
    );
  });
});
