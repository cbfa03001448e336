import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/encoding/errors.js';
import { readLabelIndex, readLabelOffsetTable } from '../../src/index/labelindex.js';
import { at, ByteWriter, crcSection, flipBit, hex } from '../helpers/bytes.js';
import { expectTsdbError, FAST_MS } from '../helpers/errors.js';

describe('readLabelIndex', () => {
  // index.md's example: one name with 4 values: len 24 | #names 1 | #entries 4 | 4 refs | CRC.
  const example = crcSection(hex('00000001 00000004  00000003 00000007 0000000a 0000000b'));

  it('reads index.md\'s example', () => {
    expect(example.subarray(0, 4)).toEqual(Uint8Array.of(0, 0, 0, 24));
    const li = readLabelIndex(at(12, example), 12);
    expect(li.names).toBe(1);
    expect(Array.from(li.values)).toEqual([3, 7, 10, 11]);
  });

  it('refuses a count that does not match the length, a huge count, and #names 0 with entries', () => {
    expectTsdbError(() => readLabelIndex(crcSection(hex('00000001 00000002 00000003')), 0), { code: ErrorCode.Corrupt });
    expectTsdbError(() => readLabelIndex(crcSection(hex('00000001 40000000 00000003')), 0), { code: ErrorCode.Corrupt, maxMs: FAST_MS });
    expectTsdbError(() => readLabelIndex(crcSection(hex('00000000 00000001 00000003')), 0), { code: ErrorCode.Corrupt });
    expectTsdbError(() => readLabelIndex(crcSection(hex('00000001')), 0), { code: ErrorCode.ShortBuffer });
  });

  it('refuses every truncation and every single-bit flip', () => {
    for (let n = 0; n < example.length; n++) expectTsdbError(() => readLabelIndex(example.subarray(0, n), 0), { inputLength: n });
    for (let i = 0; i < example.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const e = expectTsdbError(() => readLabelIndex(flipBit(example, i, bit), 0), { inputLength: example.length });
        if (i >= 4) expect(e.code).toBe(ErrorCode.BadChecksum);
      }
    }
  });

  it('reads back any values (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(0xffffffff), { maxLength: 40 }), (values) => {
        const c = new ByteWriter().be32(1).be32(values.length);
        for (const v of values) c.be32(v);
        expect(Array.from(readLabelIndex(crcSection(c), 0).values)).toEqual(values);
      }),
    );
  });
});

describe('readLabelOffsetTable', () => {
  // #entries 2, then (n = 1, name, offset <uvarint64>) each.
  const table = crcSection(
    hex(`
      00000002
      01  03 6a6f62  c801   # "job" -> 200
      01  02 7570    10     # "up" -> 16
    `),
  );

  it('reads the entries with their positions', () => {
    expect(readLabelOffsetTable(at(4, table), 4)).toEqual([
      { name: 'job', offset: 200, entryOffset: 12 },
      { name: 'up', offset: 16, entryOffset: 19 },
    ]);
  });

  it('refuses a key with other than one name as Corrupt, at the entry', () => {
    const e = expectTsdbError(() => readLabelOffsetTable(crcSection(hex('00000001  02 00 00 10')), 0), { code: ErrorCode.Corrupt });
    expect(e.context.offset).toBe(8);
  });

  it('refuses a huge #entries at once, and entries that run past the table', () => {
    expectTsdbError(() => readLabelOffsetTable(crcSection(hex('80000000 010010')), 0), { code: ErrorCode.Corrupt, maxMs: FAST_MS });
    expectTsdbError(() => readLabelOffsetTable(crcSection(hex('00000001 01 05 6162')), 0), { code: ErrorCode.ShortBuffer });
  });

  it('refuses every truncation and every single-bit flip', () => {
    for (let n = 0; n < table.length; n++) expectTsdbError(() => readLabelOffsetTable(table.subarray(0, n), 0), { inputLength: n });
    for (let i = 0; i < table.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const e = expectTsdbError(() => readLabelOffsetTable(flipBit(table, i, bit), 0), { inputLength: table.length });
        if (i >= 4) expect(e.code).toBe(ErrorCode.BadChecksum);
      }
    }
  });
});
