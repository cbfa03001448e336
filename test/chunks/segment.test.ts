import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChunkRecord, readSegmentHeader, MAGIC_CHUNKS, MAX_CHUNK_LEN, SEGMENT_HEADER_LEN, segmentName } from '../../src/chunks/segment.js';
import { crc32c } from '../../src/encoding/crc32c.js';
import { ErrorCode } from '../../src/encoding/errors.js';
import { parseMeta } from '../../src/meta/meta.js';
import { ByteWriter, flipBit, hex } from '../helpers/bytes.js';
import { expectTsdbError, FAST_MS, outcome } from '../helpers/errors.js';
import { loadFixtures, readBlockFile, segmentFiles, type Fixtures } from '../helpers/fixtures.js';
import { writeSegment } from '../helpers/segmentWriter.js';

/** Read a segment the way the index uses it: the header, then every record it refers to. */
function readAll(buf: Uint8Array, offsets: number[]) {
  const header = readSegmentHeader(buf);
  return { header, records: offsets.map((o) => readChunkRecord(buf, o)) };
}

/** Walk records from the header to the end of the file. */
function walk(buf: Uint8Array) {
  const records = [];
  for (let off = SEGMENT_HEADER_LEN; off < buf.length; ) {
    const r = readChunkRecord(buf, off);
    records.push(r);
    off = r.end;
  }
  return records;
}

describe('chunk segments on hand-built bytes', () => {
  const rec1 = Uint8Array.of(0x01, 0xaa, 0xbb, 0xcc); // encoding XOR, 3 data bytes
  const rec2 = Uint8Array.of(0x02); //                   encoding histogram, no data
  const seg = new ByteWriter()
    .raw(hex('85bd40dd 01 000000')) // 0: magic, version 1, padding
    .byte(3).raw(rec1).be32(crc32c(rec1)) // 8: len 3, encoding, data, CRC
    .byte(0).raw(rec2).be32(crc32c(rec2)) // 17: len 0, encoding, CRC
    .bytes();

  it('reads the header', () => {
    expect(MAGIC_CHUNKS).toBe(0x85bd40dd);
    expect(SEGMENT_HEADER_LEN).toBe(8);
    expect(readSegmentHeader(seg)).toEqual({ version: 1, badPadding: false });
    const padded = seg.slice();
    padded[6] = 1;
    expect(readSegmentHeader(padded).badPadding).toBe(true);
  });

  it('reads records: offset, encoding, a view of the data, and the end', () => {
    const r = readChunkRecord(seg, 8);
    expect(r).toMatchObject({ offset: 8, encoding: 1, end: 17 });
    expect(Array.from(r.data)).toEqual([0xaa, 0xbb, 0xcc]);
    expect(r.data.buffer).toBe(seg.buffer);
    const r2 = readChunkRecord(seg, 17);
    expect(r2).toMatchObject({ offset: 17, encoding: 2, end: 23 });
    expect(r2.data.length).toBe(0);
    expect(r2.end).toBe(seg.length);
    expect(walk(seg).map((x) => x.offset)).toEqual([8, 17]);
  });

  it('skips the CRC check only when asked', () => {
    const bad = seg.slice();
    bad[13] ^= 0x80; // the first byte of record 1's CRC
    expectTsdbError(() => readChunkRecord(bad, 8), { code: ErrorCode.BadChecksum });
    expect(readChunkRecord(bad, 8, false).encoding).toBe(1);
  });

  it('names segment files with six digits', () => {
    expect([1, 42, 999999].map(segmentName)).toEqual(['000001', '000042', '999999']);
  });
});

describe('chunk segments refuse garbage cleanly', () => {
  const { bytes: seg, offsets } = writeSegment([
    { encoding: 1, data: hex('0001 00 0000000000000000 00') },
    { encoding: 2, data: Uint8Array.from({ length: 130 }, (_, i) => i) }, // 2-byte length
    { encoding: 3, data: hex('ff') },
  ]);

  it('refuses short headers, a wrong magic and unknown versions', () => {
    for (const n of [0, 1, 7]) expectTsdbError(() => readSegmentHeader(seg.subarray(0, n)), { code: ErrorCode.ShortBuffer });
    const magic = seg.slice();
    magic[3] = 0xde;
    expectTsdbError(() => readSegmentHeader(magic), { code: ErrorCode.BadMagic });
    for (const v of [0, 2, 255]) {
      const b = seg.slice();
      b[4] = v;
      expect(expectTsdbError(() => readSegmentHeader(b), { code: ErrorCode.BadVersion }).context.offset).toBe(4);
    }
  });

  it('refuses record offsets inside the header or past the end', () => {
    for (const off of [0, 7, seg.length, seg.length + 10]) expectTsdbError(() => readChunkRecord(seg, off), { code: ErrorCode.Corrupt });
  });

  it('refuses a 2^60 length, a length above 512 MiB and an 11-byte length at once', () => {
    const rec = (len: bigint) => Uint8Array.from([...hex('85bd40dd01000000'), ...new ByteWriter().uvarint(len).bytes(), 1, 0, 0, 0, 0]);
    expectTsdbError(() => readChunkRecord(rec(2n ** 60n), 8), { code: ErrorCode.ShortBuffer, maxMs: FAST_MS });
    expectTsdbError(() => readChunkRecord(rec(BigInt(MAX_CHUNK_LEN) + 1n), 8), { code: ErrorCode.ShortBuffer, maxMs: FAST_MS });
    const eleven = Uint8Array.from([...hex('85bd40dd01000000'), ...new Uint8Array(11).fill(0x80), 1]);
    expectTsdbError(() => readChunkRecord(eleven, 8), { code: ErrorCode.BadVarint, maxMs: FAST_MS });
  });

  it('refuses every truncation; a record cut after its length as ShortBuffer, not as a bad CRC', () => {
    for (let n = 0; n < seg.length; n++) expectTsdbError(() => readAll(seg.subarray(0, n), offsets), { inputLength: n });
    const last = offsets[offsets.length - 1];
    for (let n = last + 1; n < seg.length; n++) {
      expectTsdbError(() => readChunkRecord(seg.subarray(0, n), last), { code: ErrorCode.ShortBuffer, inputLength: n });
    }
  });

  it('notices every single-bit flip: padding as badPadding, record bytes past the length as BadChecksum', () => {
    for (let i = 0; i < seg.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const b = flipBit(seg, i, bit);
        if (i >= 5 && i < 8) {
          expect(readAll(b, offsets).header.badPadding).toBe(true);
          continue;
        }
        const e = expectTsdbError(() => readAll(b, offsets), { inputLength: b.length });
        const lengthBytes = offsets.flatMap((o, k) => (k === 1 ? [o, o + 1] : [o]));
        if (i >= 8 && !lengthBytes.includes(i)) expect(e.code, `bit ${bit} of byte ${i}`).toBe(ErrorCode.BadChecksum);
      }
    }
  });
});

describe('chunk segment property', () => {
  const chunk = fc.record({ encoding: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 300 }) });

  it('reads back any chunks, at their refs and by walking the file', () => {
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 10 }), (chunks) => {
        const { bytes, offsets } = writeSegment(chunks);
        const { header, records } = readAll(bytes, offsets);
        expect(header).toEqual({ version: 1, badPadding: false });
        expect(records.map((r) => ({ encoding: r.encoding, data: Uint8Array.from(r.data) }))).toEqual(chunks);
        expect(walk(bytes).map((r) => r.offset)).toEqual(offsets);
      }),
    );
  });

  it('never fails other than with a clean TsdbError on random records after a valid header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(50), (tail, off) => {
        const b = Uint8Array.from([...hex('85bd40dd01000000'), ...tail]);
        // A ref past the end is reported at the ref, so the offset is not bounded here.
        const r = outcome(() => readChunkRecord(b, off), off < b.length ? b.length : undefined);
        expect(r.kind === 'unclean' ? r.reason : 'clean').toBe('clean');
      }),
    );
  });
});

describe('chunk segments of the real fixtures (golden corpus)', () => {
  let fx: Fixtures;
  beforeAll(async () => {
    fx = await loadFixtures();
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('hold valid headers and back-to-back records with good CRCs, as many as meta.json counts chunks', () => {
    expect(fx.blocks.length).toBe(13);
    for (const block of fx.blocks) {
      const meta = parseMeta(readBlockFile(block, 'meta.json'));
      let records = 0;
      for (const file of segmentFiles(block)) {
        const buf = readBlockFile(block, file);
        expect(readSegmentHeader(buf), `${block.name}/${file}`).toEqual({ version: 1, badPadding: false });
        const rs = walk(buf);
        expect(rs.length).toBeGreaterThan(0);
        expect(rs[rs.length - 1].end).toBe(buf.length);
        for (const r of rs) {
          expect([1, 2, 3], `${block.name}/${file} @${r.offset}`).toContain(r.encoding);
          expect(r.data.length).toBeGreaterThan(2);
        }
        records += rs.length;
      }
      expect(records, block.name).toBe(meta.stats.numChunks);
    }
  });
});
