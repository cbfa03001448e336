import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/encoding/crc32c.js';
import { ErrorCode } from '../../src/encoding/errors.js';
import { INDEX_HEADER_LEN, readTOC, TOC_LEN } from '../../src/index/toc.js';
import { ByteWriter, flipBit } from '../helpers/bytes.js';
import { expectTsdbError } from '../helpers/errors.js';

/** Header, `body` filler bytes, then a TOC of six be64 offsets (as bigint to allow 2^53+) and its CRC32C. */
function withTOC(body: number, offsets: Array<number | bigint>): Uint8Array {
  const w = new ByteWriter().be32(0xbaaad700).byte(2).raw(new Uint8Array(body).fill(0xee));
  const at = w.length;
  for (const o of offsets) w.be64(o);
  return w.be32(crc32c(w.bytes(), at, w.length)).bytes();
}

describe('readTOC on hand-built bytes', () => {
  it('is 52 bytes: six be64 offsets and a CRC32C', () => {
    expect(TOC_LEN).toBe(52);
    expect(INDEX_HEADER_LEN).toBe(5);
  });

  it('reads the six section offsets in order', () => {
    const buf = withTOC(100, [5, 17, 40, 80, 60, 90]);
    expect(buf.length).toBe(5 + 100 + 52);
    expect(readTOC(buf)).toEqual({ symbols: 5, series: 17, labelIndices: 40, labelIndicesTable: 80, postings: 60, postingsTable: 90 });
  });

  it('accepts 0 for a missing section', () => {
    expect(readTOC(withTOC(10, [5, 0, 0, 0, 0, 0]))).toMatchObject({ symbols: 5, series: 0, postingsTable: 0 });
  });
});

describe('readTOC refuses bad input cleanly', () => {
  it('refuses input shorter than a header and a TOC', () => {
    for (const n of [0, 1, 5, 56]) {
      const e = expectTsdbError(() => readTOC(new Uint8Array(n)), { code: ErrorCode.ShortBuffer });
      expect(e.context.offset).toBe(0);
    }
  });

  it('refuses a CRC mismatch as BadChecksum at the TOC, for a flip of any of its bits', () => {
    const buf = withTOC(10, [5, 6, 7, 8, 9, 10]);
    const start = buf.length - 52;
    for (let at = start; at < buf.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const e = expectTsdbError(() => readTOC(flipBit(buf, at, bit)), { code: ErrorCode.BadChecksum, inputLength: buf.length });
        expect(e.context.offset).toBe(start);
      }
    }
  });

  it('refuses offsets inside the header or at or past the TOC as Corrupt', () => {
    for (const bad of [1, 4, 16, 17, 1000]) {
      for (let field = 0; field < 6; field++) {
        const offs = [5, 6, 7, 8, 9, 10];
        offs[field] = bad;
        const buf = withTOC(11, offs); // TOC starts at 16.
        const e = expectTsdbError(() => readTOC(buf), { code: ErrorCode.Corrupt, inputLength: buf.length });
        expect(e.context.offset).toBe(16);
      }
    }
  });

  it('refuses an offset beyond 2^53 as Corrupt', () => {
    expectTsdbError(() => readTOC(withTOC(10, [5, 1n << 60n, 0, 0, 0, 0])), { code: ErrorCode.Corrupt });
  });
});

describe('readTOC property', () => {
  it('reads back any offsets inside the body', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), (body, xs) => {
        const offs = xs.map((x) => (x % 7 === 0 ? 0 : 5 + (x % body)));
        const t = readTOC(withTOC(body, offs));
        expect([t.symbols, t.series, t.labelIndices, t.labelIndicesTable, t.postings, t.postingsTable]).toEqual(offs);
      }),
    );
  });
});
