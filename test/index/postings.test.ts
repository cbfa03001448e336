import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { be32At, decbufAt } from '../../src/encoding/decbuf.js';
import { ErrorCode } from '../../src/encoding/errors.js';
import { checkPostingsList, intersect, merge, PostingsOffsetTable, readPostingsList, subtract } from '../../src/index/postings.js';
import { at, ByteWriter, crcSection, flipBit, hex } from '../helpers/bytes.js';
import { expectTsdbError, FAST_MS } from '../helpers/errors.js';

function postingsList(refs: number[], count = refs.length): Uint8Array {
  const c = new ByteWriter().be32(count);
  for (const r of refs) c.be32(r);
  return crcSection(c);
}

describe('readPostingsList on hand-built bytes', () => {
  it('reads #entries big-endian 32-bit refs', () => {
    // At 8: len 12, #entries 2, refs 5 and 0xfffffffe, CRC.
    const buf = at(8, crcSection(hex('00000002  00000005  fffffffe')));
    expect(Array.from(readPostingsList(buf, 8))).toEqual([5, 0xfffffffe]);
    expect(Array.from(readPostingsList(at(3, postingsList([])), 3))).toEqual([]);
  });

  it('checks the CRC unless asked not to', () => {
    const buf = postingsList([1, 2, 3]);
    buf[15] ^= 0x04; // the second ref: 2 -> 6
    expectTsdbError(() => readPostingsList(buf, 0), { code: ErrorCode.BadChecksum });
    expect(Array.from(readPostingsList(buf, 0, false))).toEqual([1, 6, 3]);
  });
});

describe('readPostingsList refuses bad input cleanly', () => {
  it('refuses a list claiming 2^30 entries at once', () => {
    const buf = postingsList([1, 2], 2 ** 30);
    expectTsdbError(() => readPostingsList(buf, 0), { code: ErrorCode.Corrupt, maxMs: FAST_MS, inputLength: buf.length });
    expectTsdbError(() => readPostingsList(postingsList([], 0xffffffff), 0), { code: ErrorCode.Corrupt, maxMs: FAST_MS });
  });

  it('refuses a count that does not match the length, and a section too short for a count', () => {
    expectTsdbError(() => readPostingsList(postingsList([1, 2, 3], 2), 0), { code: ErrorCode.Corrupt });
    expectTsdbError(() => readPostingsList(crcSection(hex('0000')), 0), { code: ErrorCode.ShortBuffer });
  });

  it('refuses every truncation and every single-bit flip', () => {
    const buf = at(4, postingsList([3, 7, 19]));
    for (let n = 4; n < buf.length; n++) expectTsdbError(() => readPostingsList(buf.subarray(0, n), 4), { inputLength: n });
    for (let i = 4; i < buf.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const e = expectTsdbError(() => readPostingsList(flipBit(buf, i, bit), 4), { inputLength: buf.length });
        if (i >= 8) expect(e.code).toBe(ErrorCode.BadChecksum);
      }
    }
  });
});

describe('PostingsOffsetTable entries', () => {
  // #entries 2, then (n = 2, name, value, offset <uvarint64>) each.
  const table = crcSection(
    hex(`
      00000002
      02  00  00  14              # ("", "") -> 20
      02  03 6a6f62  03 617069  ac02  # ("job", "api") -> 300
    `),
  );

  it('reads the entries with their positions', () => {
    const buf = at(10, table);
    expect(new PostingsOffsetTable(buf, 10).entries()).toEqual([
      { name: '', value: '', offset: 20, entryOffset: 18 },
      { name: 'job', value: 'api', offset: 300, entryOffset: 22 },
    ]);
  });

  it('refuses a key that is not a pair as Corrupt, at the entry', () => {
    const bad = crcSection(hex('00000001  03 00 00 00 14')); // n = 3
    const e = expectTsdbError(() => new PostingsOffsetTable(bad, 0).entries(), { code: ErrorCode.Corrupt });
    expect(e.context.offset).toBe(8);
  });

  it('refuses a huge #entries at once, and entries that run past the table', () => {
    expectTsdbError(() => new PostingsOffsetTable(crcSection(hex('ffffffff 02000014')), 0).entries(), { code: ErrorCode.Corrupt, maxMs: FAST_MS });
    expectTsdbError(() => new PostingsOffsetTable(crcSection(hex('00000002 02000014 02 00 05 61')), 0).entries(), { code: ErrorCode.ShortBuffer });
    expectTsdbError(() => new PostingsOffsetTable(crcSection(hex('00000001 02 00 00 ffffffffffffffffffff')), 0).entries(), { code: ErrorCode.BadVarint });
  });

  it('refuses every truncation and every single-bit flip', () => {
    for (let n = 0; n < table.length; n++) expectTsdbError(() => new PostingsOffsetTable(table.subarray(0, n), 0).entries(), { inputLength: n });
    for (let i = 0; i < table.length; i++) {
      for (let bit = 0; bit < 8; bit++) expectTsdbError(() => new PostingsOffsetTable(flipBit(table, i, bit), 0).entries(), { inputLength: table.length });
    }
  });

  it('reads back any entries (property)', () => {
    const entry = fc.record({ name: fc.string({ unit: 'binary', maxLength: 8 }), value: fc.string({ unit: 'binary', maxLength: 8 }), offset: fc.maxSafeNat() });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
        const c = new ByteWriter().be32(entries.length);
        const positions: number[] = [];
        for (const e of entries) {
          positions.push(4 + c.length); // after the section's length field
          c.uvarint(2).uvarintStr(e.name).uvarintStr(e.value).uvarint(e.offset);
        }
        const got = new PostingsOffsetTable(crcSection(c), 0).entries();
        expect(got).toEqual(entries.map((e, i) => ({ ...e, entryOffset: positions[i] })));
      }),
    );
  });

  it('groups the entries by name, in table order, however the names are ordered (property)', () => {
    // Few names, so that a name comes back after others (v1 tables are not sorted).
    const entry = fc.record({ name: fc.constantFrom('', 'a', 'b', 'job', '日本'), value: fc.string({ unit: 'binary', maxLength: 4 }), offset: fc.nat() });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
        const c = new ByteWriter().be32(entries.length);
        for (const e of entries) c.uvarint(2).uvarintStr(e.name).uvarintStr(e.value).uvarint(e.offset);
        const t = new PostingsOffsetTable(at(7, crcSection(c)), 7);
        expect(t.count).toBe(entries.length);
        expect([...t.names()].sort()).toEqual([...new Set(entries.map((e) => e.name))].sort());
        for (const name of t.names()) {
          const want = entries.flatMap((e, i) => (e.name === name ? [i] : []));
          expect(t.entriesOf(name)).toEqual(want);
          expect(want.map((i) => t.value(i))).toEqual(want.map((i) => entries[i].value));
          expect(want.map((i) => t.listAt[i])).toEqual(want.map((i) => entries[i].offset));
        }
        expect(t.entriesOf('absent')).toBeUndefined();
      }),
    );
  });
});

describe('sorted list operations', () => {
  const u = (...xs: number[]) => Uint32Array.from(xs);
  const sortedSet = fc.uniqueArray(fc.nat(50), { maxLength: 30 }).map((xs) => Uint32Array.from(xs.sort((a, b) => a - b)));

  it('intersect, merge and subtract on small lists', () => {
    expect(Array.from(intersect(u(1, 3, 5, 7), u(3, 4, 5)))).toEqual([3, 5]);
    expect(Array.from(merge([u(1, 5), u(2, 5, 9), u(0)]))).toEqual([0, 1, 2, 5, 9]);
    expect(Array.from(merge([]))).toEqual([]);
    expect(Array.from(subtract(u(1, 2, 3, 4), u(2, 4, 6)))).toEqual([1, 3]);
    // Unsigned order past 2^31.
    expect(Array.from(merge([u(0x80000000), u(1, 0xffffffff)]))).toEqual([1, 0x80000000, 0xffffffff]);
  });

  it('agree with set operations (property)', () => {
    fc.assert(
      fc.property(sortedSet, sortedSet, sortedSet, (a, b, c) => {
        const sa = new Set(a), sb = new Set(b);
        expect(Array.from(intersect(a, b))).toEqual(Array.from(a).filter((x) => sb.has(x)));
        expect(Array.from(subtract(a, b))).toEqual(Array.from(a).filter((x) => !sb.has(x)));
        expect(Array.from(merge([a, b, c]))).toEqual([...new Set([...a, ...b, ...c])].sort((x, y) => x - y));
        expect(Array.from(merge([a]))).toEqual(Array.from(a));
        expect(sa.size).toBe(a.length);
      }),
    );
  });
});

describe('checkPostingsList (the walk reads lists in place)', () => {
  /** A postings list read through a Decbuf, field by field: the oracle for the in-place check. */
  function viaDecbuf(buf: Uint8Array, off: number): number[] {
    const d = decbufAt(buf, off, 'index postings list');
    if (d.err) throw d.err;
    const count = d.be32();
    if (d.err) throw d.err;
    if (count * 4 !== d.len) throw new Error(`count ${count} vs ${d.len}`);
    return Array.from({ length: count }, () => d.be32());
  }
  const outcomeOf = (f: () => number[]) => {
    try {
      return { refs: f() };
    } catch (e) {
      return { code: (e as { code?: string }).code ?? 'other', offset: (e as { context?: { offset?: number } }).context?.offset };
    }
  };

  it('accepts and refuses what a Decbuf read accepts and refuses, at the same offset, on real and damaged lists', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: -3, max: 3 }), fc.array(fc.tuple(fc.nat(), fc.nat(7)), { maxLength: 2 }), fc.option(fc.nat()), (refs, skew, flips, cut) => {
        let b = postingsList(refs, Math.max(0, refs.length + skew));
        for (const [i, bit] of flips) b = flipBit(b, i % b.length, bit);
        if (cut !== null) b = b.subarray(0, cut % (b.length + 1));
        const got = outcomeOf(() => {
          const n = checkPostingsList(b, 0);
          return Array.from({ length: n }, (_, i) => be32At(b, 8 + 4 * i));
        });
        const want = outcomeOf(() => viaDecbuf(b, 0));
        if ('refs' in want) expect(got).toEqual(want);
        else {
          expect('refs' in got).toBe(false);
          // The count mismatch is Corrupt here, where the oracle throws a plain Error.
          if (want.code !== 'other') expect(got).toEqual(want);
          else expect(got.code).toBe(ErrorCode.Corrupt);
        }
        expect(outcomeOf(() => Array.from(readPostingsList(b, 0)))).toEqual(got);
      }),
      { numRuns: 1000 },
    );
  });

  it('names a list too short for its count as ShortBuffer at the count', () => {
    const w = crcSection(Uint8Array.of(0, 0));
    const e = expectTsdbError(() => checkPostingsList(w, 0), { code: ErrorCode.ShortBuffer, inputLength: w.length });
    expect(e.message).toMatch(/be32 at offset 4 needs 4 bytes, 2 left/);
    expect(e.context.offset).toBe(4);
  });
});

describe('PostingsOffsetTable walk (short entries read in a loop of their own)', () => {
  type Entry = { parts: number; name: string; value: string; offset: number };
  function tableOf(entries: Entry[], count = entries.length): Uint8Array {
    const c = new ByteWriter().be32(count);
    for (const e of entries) c.uvarint(e.parts).uvarintStr(e.name).uvarintStr(e.value).uvarint(e.offset);
    return c.bytes();
  }
  /** The table walked with a Decbuf only: the oracle. */
  function viaDecbuf(buf: Uint8Array): unknown {
    const d = decbufAt(buf, 0, 'index postings offset table');
    if (d.err) return { code: d.err.code, message: d.err.message };
    const count = d.be32();
    if (count * 4 > d.len) return { code: ErrorCode.Corrupt, message: 'count' };
    const out = [];
    for (let i = 0; i < count; i++) {
      const entryOffset = d.off;
      const n = d.uvarint();
      if (!d.err && n !== 2) return { code: ErrorCode.Corrupt, message: `index postings offset table entry ${i} at offset ${entryOffset}: key has ${n} parts, want 2` };
      const nameLen = d.uvarint();
      const nameStart = d.off;
      d.skip(nameLen);
      const valueLen = d.uvarint();
      const valueStart = d.off;
      d.skip(valueLen);
      const offset = d.uvarint();
      const e = d.error();
      if (e) return { code: e.code, message: `index postings offset table entry ${i}: ${e.message}` };
      const text = (from: number, n: number) => new TextDecoder().decode(buf.subarray(from, from + n));
      out.push({ name: text(nameStart, nameLen), value: text(valueStart, valueLen), offset, entryOffset });
    }
    return out;
  }
  function viaTable(buf: Uint8Array): unknown {
    try {
      return new PostingsOffsetTable(buf, 0).entries();
    } catch (e) {
      const x = e as { code: string; message: string };
      return { code: x.code, message: /exceeds the/.test(x.message) ? 'count' : x.message };
    }
  }

  it('gives the entries and errors of a Decbuf walk, for short and long names, values and offsets, damaged or not', () => {
    const str = fc.oneof(fc.string({ maxLength: 5 }), fc.string({ minLength: 126, maxLength: 200 }));
    const entry = fc.record({
      parts: fc.oneof(fc.constant(2), fc.constant(2), fc.nat(3)),
      name: str,
      value: str,
      offset: fc.oneof(fc.nat(127), fc.nat(), fc.integer({ min: 0, max: 2 ** 52 })),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), fc.integer({ min: -1, max: 1 }), fc.array(fc.tuple(fc.nat(), fc.nat(7)), { maxLength: 2 }), fc.nat(3), (entries, skew, flips, trim) => {
        const content = tableOf(entries, Math.max(0, entries.length + skew));
        for (const [i, bit] of flips) if (content.length > 4) content[4 + (i % (content.length - 4))]! ^= 1 << bit;
        // Trim the end of the content (not the section): the walk itself meets the cut.
        const b = crcSection(content.subarray(0, Math.max(4, content.length - trim)));
        expect(viaTable(b)).toEqual(viaDecbuf(b));
      }),
      { numRuns: 1500 },
    );
  });
});
