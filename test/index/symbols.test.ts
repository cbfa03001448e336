import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decbufAt } from '../../src/encoding/decbuf.js';
import { ErrorCode } from '../../src/encoding/errors.js';
import { SymbolTable } from '../../src/index/symbols.js';
import { at, ByteWriter, compareBytes, crcSection, flipBit } from '../helpers/bytes.js';
import { expectTsdbError, FAST_MS } from '../helpers/errors.js';

function symbolTable(strings: string[], count = strings.length): Uint8Array {
  const c = new ByteWriter().be32(count);
  for (const s of strings) c.uvarintStr(s);
  return crcSection(c);
}

describe('SymbolTable on hand-built bytes', () => {
  // At offset 5: len <4b> = 10, #symbols <4b> = 3,
  //   13: 00        ""
  //   14: 01 61     "a"
  //   16: 02 c3 bc  "ü"
  // CRC32C <4b>.
  const buf = at(5, symbolTable(['', 'a', 'ü']));

  it('reads the strings and the offset of each length prefix', () => {
    expect(buf.length).toBe(5 + 4 + 10 + 4);
    const s = new SymbolTable(buf, 5).all();
    expect(s.strings).toEqual(['', 'a', 'ü']);
    expect(Array.from(s.offsets)).toEqual([13, 14, 16]);
    expect(s.sectionOffset).toBe(5);
  });

  it('resolves v2+ refs by sequence number and v1 refs by byte offset', () => {
    const t = new SymbolTable(buf, 5);
    expect([0, 1, 2].map((r) => t.lookup(r, 2))).toEqual(['', 'a', 'ü']);
    expect(t.lookup(1, 3)).toBe('a');
    expect(t.lookup(3, 2)).toBeUndefined();
    expect([13, 14, 16].map((r) => t.lookup(r, 1))).toEqual(['', 'a', 'ü']);
    // Offsets inside a string or outside the table resolve to nothing.
    for (const r of [0, 12, 15, 17, 1000]) expect(t.lookup(r, 1)).toBeUndefined();
  });
});

describe('SymbolTable refuses bad input cleanly', () => {
  it('refuses a table claiming 2^31 symbols in 20 bytes at once', () => {
    const buf = at(5, crcSection(new ByteWriter().be32(2 ** 31).raw(new Uint8Array(8))));
    expect(buf.length).toBe(5 + 20);
    expectTsdbError(() => new SymbolTable(buf, 5), { code: ErrorCode.Corrupt, maxMs: FAST_MS, inputLength: buf.length });
    const all = at(5, crcSection(new ByteWriter().be32(0xffffffff)));
    expectTsdbError(() => new SymbolTable(all, 5), { code: ErrorCode.Corrupt, maxMs: FAST_MS });
  });

  it('refuses a string that runs past the table as ShortBuffer, naming the symbol', () => {
    // #symbols 2: "a", then a length of 5 with 1 byte left.
    const buf = at(5, crcSection(new ByteWriter().be32(2).uvarintStr('a').uvarint(5).byte(0x62)));
    const e = expectTsdbError(() => new SymbolTable(buf, 5), { code: ErrorCode.ShortBuffer, inputLength: buf.length });
    expect(e.message).toContain('symbol 1 of 2');
  });

  it('refuses a string length of 2^60 without allocating', () => {
    const buf = at(5, crcSection(new ByteWriter().be32(1).uvarint(2n ** 60n)));
    expectTsdbError(() => new SymbolTable(buf, 5), { code: ErrorCode.ShortBuffer, maxMs: FAST_MS });
  });

  it('refuses a bad CRC, a length past the end, and a table offset past the end', () => {
    const buf = at(5, symbolTable(['a', 'b']));
    const crcBad = buf.slice();
    crcBad[buf.length - 1] ^= 1;
    expectTsdbError(() => new SymbolTable(crcBad, 5), { code: ErrorCode.BadChecksum, inputLength: buf.length });
    expectTsdbError(() => new SymbolTable(buf.subarray(0, buf.length - 1), 5), { code: ErrorCode.ShortBuffer });
    expectTsdbError(() => new SymbolTable(buf, buf.length - 2), { code: ErrorCode.ShortBuffer });
  });

  it('refuses every truncation and every single-bit flip', () => {
    const buf = at(5, symbolTable(['__name__', 'job', 'up', '日本']));
    // Cut anywhere from the table's start (the table at 5 is what is read).
    for (let n = 5; n < buf.length; n++) expectTsdbError(() => new SymbolTable(buf.subarray(0, n), 5), { inputLength: n });
    for (let i = 5; i < buf.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const e = expectTsdbError(() => new SymbolTable(flipBit(buf, i, bit), 5), { inputLength: buf.length });
        if (i >= 9) expect(e.code).toBe(ErrorCode.BadChecksum); // content and CRC, not the length field
      }
    }
  });
});

describe('SymbolTable property', () => {
  it('reads back any sorted unique strings with their v1 offsets', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 20 }), fc.nat(20), (xs, pre) => {
        const strings = xs.sort(compareBytes);
        const buf = at(pre, symbolTable(strings));
        const t = new SymbolTable(buf, pre);
        const s = t.all();
        expect(s.strings).toEqual(strings);
        let off = pre + 8;
        strings.forEach((str, i) => {
          expect(s.offsets[i]).toBe(off);
          expect(t.lookup(off, 1)).toBe(str);
          expect(t.lookup(i, 2)).toBe(str);
          off += new ByteWriter().uvarintStr(str).length;
        });
      }),
    );
  });
});

describe('SymbolTable', () => {
  it('resolves every ref as the decoded table does, decoding on demand (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'grapheme', maxLength: 6 }), { maxLength: 20 }), fc.nat(20), fc.array(fc.nat(120)), (xs, pre, refs) => {
        const buf = at(pre, symbolTable(xs.sort(compareBytes)));
        const t = new SymbolTable(buf, pre);
        expect(t.count).toBe(xs.length);
        // The oracle: v2+ refs are positions, v1 refs the offsets of length prefixes.
        const offsets: number[] = [];
        let off = pre + 8;
        for (const x of xs) {
          offsets.push(off);
          off += new ByteWriter().uvarintStr(x).length;
        }
        // Refs in any order, in range or not, and v1 offsets inside a string.
        for (const r of [...refs, ...refs.map((r) => r + pre)]) {
          expect(t.lookup(r, 2)).toBe(xs[r]);
          const i = offsets.indexOf(r);
          expect(t.lookup(r, 1)).toBe(i < 0 ? undefined : xs[i]);
        }
        expect(t.all().strings).toEqual(xs);
      }),
    );
  });
});

describe('SymbolTable walk (one-byte lengths walked in a loop of their own)', () => {
  /** The table walked with a Decbuf only: the oracle. */
  function viaDecbuf(buf: Uint8Array, off: number): { offsets: number[] } | { code: string; message: string } {
    const d = decbufAt(buf, off, 'index symbol table');
    if (d.err) return { code: d.err.code, message: d.err.message };
    const count = d.be32();
    if (count > d.len) return { code: ErrorCode.Corrupt, message: 'count' };
    const offsets: number[] = [];
    for (let i = 0; i < count; i++) {
      offsets.push(d.off);
      d.skip(d.uvarint());
      const e = d.error();
      if (e) return { code: e.code, message: `index symbol table: symbol ${i} of ${count}: ${e.message}` };
    }
    return { offsets };
  }
  function viaTable(buf: Uint8Array, off: number): { offsets: number[] } | { code: string; message: string } {
    try {
      return { offsets: Array.from(new SymbolTable(buf, off).offsets) };
    } catch (e) {
      const x = e as { code: string; message: string };
      return { code: x.code, message: x.code === ErrorCode.Corrupt && /exceeds/.test(x.message) ? 'count' : x.message };
    }
  }

  it('gives the offsets and errors of a Decbuf walk, on tables with short and long symbols, damaged or not', () => {
    const sym = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ minLength: 120, maxLength: 300 }));
    fc.assert(
      fc.property(fc.array(sym, { maxLength: 12 }), fc.integer({ min: -2, max: 2 }), fc.array(fc.tuple(fc.nat(), fc.nat(7)), { maxLength: 2 }), fc.option(fc.nat()), (strings, skew, flips, cut) => {
        // The CRC is recomputed after the damage, so the walk itself meets it.
        const raw = symbolTable(strings, Math.max(0, strings.length + skew));
        const content = raw.slice(4, raw.length - 4);
        for (const [i, bit] of flips) if (content.length > 4) content[4 + (i % (content.length - 4))]! ^= 1 << bit;
        let b = crcSection(content);
        if (cut !== null) b = b.subarray(0, cut % (b.length + 1));
        expect(viaTable(b, 0)).toEqual(viaDecbuf(b, 0));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a last symbol that runs one, two or three bytes past the table, as the Decbuf walk does', () => {
    for (const over of [1, 2, 3]) {
      for (const last of ['ab', 'x'.repeat(130)]) {
        const raw = symbolTable(['a', 'bc', last]);
        const content = raw.slice(4, raw.length - 4);
        // The last symbol's length prefix (one byte, or the first of two): `over` more than there is.
        const at = content.length - last.length - (last.length >= 128 ? 2 : 1);
        content[at] = content[at]! + over;
        const b = crcSection(content);
        const want = viaDecbuf(b, 0);
        expect(want).toMatchObject({ code: ErrorCode.ShortBuffer });
        expect(viaTable(b, 0)).toEqual(want);
      }
    }
  });
});
