import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/encoding/crc32c.js';
import { be32At, Decbuf, decbufAt, decbufUvarintAt, decodeUtf8, decodeUtf8At, hex32, sectionError } from '../../src/encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../../src/encoding/errors.js';
import { ByteWriter, crcSection, hex, utf8Bytes, varintBytes } from '../helpers/bytes.js';
import { expectTsdbError, FAST_MS, outcome } from '../helpers/errors.js';

describe('Decbuf getters on hand-built bytes', () => {
  it('reads bytes, big-endian integers and varints in sequence', () => {
    const d = new Decbuf(
      hex(`
        07                      # byte 7
        ff ff ff fe             # be32 0xfffffffe (unsigned)
        00 1f ff ff ff ff ff ff # be64 2^53-1
        00 00 00 01 00 00 00 02 # be64 2^32+2
        ac 02                   # uvarint 300
        03                      # varint -2
        80 80 80 80 0f          # uvarint32 0xf0000000
      `),
    );
    expect(d.len).toBe(29);
    expect(d.byte()).toBe(7);
    expect(d.be32()).toBe(0xfffffffe);
    expect(d.be64()).toBe(Number.MAX_SAFE_INTEGER);
    expect(d.be64()).toBe(2 ** 32 + 2);
    expect(d.uvarint()).toBe(300);
    expect(d.varint()).toBe(-2);
    expect(d.uvarint32()).toBe(0xf0000000);
    expect(d.len).toBe(0);
    expect(d.err).toBeNull();
    expect(d.error()).toBeNull();
  });

  it('reads length-prefixed UTF-8 strings, ASCII, multi-byte and long', () => {
    const long = 'x'.repeat(40) + 'é';
    const w = new ByteWriter().uvarintStr('up').uvarintStr('').uvarintStr('ü日🎉').uvarintStr(long);
    const d = new Decbuf(w.bytes());
    expect(d.uvarintStr()).toBe('up');
    expect(d.uvarintStr()).toBe('');
    expect(d.uvarintStr()).toBe('ü日🎉');
    expect(d.uvarintStr()).toBe(long);
    expect(d.len).toBe(0);
    expect(d.err).toBeNull();
  });

  it('skips, and hands out views of the buffer without copying', () => {
    const buf = Uint8Array.of(1, 2, 3, 4, 5, 6);
    const d = new Decbuf(buf);
    d.skip(2);
    const v = d.bytes(3);
    expect(Array.from(v)).toEqual([3, 4, 5]);
    expect(v.buffer).toBe(buf.buffer);
    expect(v.byteOffset).toBe(2);
    expect(d.off).toBe(5);
  });

  it('works on a range and never reads outside it', () => {
    const buf = Uint8Array.of(0xaa, 0x01, 0x02, 0xbb);
    const d = new Decbuf(buf, 1, 3);
    expect([d.off, d.end, d.len]).toEqual([1, 3, 2]);
    expect(d.byte()).toBe(1);
    expect(d.byte()).toBe(2);
    expect(d.byte()).toBe(0); // 0xbb lies past `end`.
    expect(d.err?.code).toBe(ErrorCode.ShortBuffer);
    // An `end` beyond the buffer is clamped to it.
    expect(new Decbuf(buf, 0, 100).end).toBe(4);
  });

  it('refuses a range that starts past its end', () => {
    const d = new Decbuf(Uint8Array.of(1, 2), 3, 2);
    expect(d.err?.code).toBe(ErrorCode.ShortBuffer);
    expect(d.byte()).toBe(0);
  });
});

describe('Decbuf sticky error', () => {
  it('keeps the first failure and returns zero values from then on', () => {
    const d = new Decbuf(Uint8Array.of(0, 0, 0, 9, 0x41));
    expect(d.be32()).toBe(9);
    expect(d.be32()).toBe(0); // 1 byte left: fails.
    const first = d.err;
    expect(first).toBeInstanceOf(TsdbError);
    expect(first?.code).toBe(ErrorCode.ShortBuffer);
    expect(first?.context.offset).toBe(4);
    // The byte that is left is not handed out after the failure.
    expect(d.byte()).toBe(0);
    expect(d.uvarint()).toBe(0);
    expect(d.uvarintStr()).toBe('');
    expect(d.bytes(1).length).toBe(0);
    expect(d.be64()).toBe(0);
    expect(d.err).toBe(first);
    expect(d.off).toBe(4);
  });

  it('refuses a be64 above 2^53 as Corrupt, pointing at the field', () => {
    const d = new Decbuf(hex('00 20 00 00 00 00 00 00  01'));
    expect(d.be64()).toBe(0);
    expect(d.err?.code).toBe(ErrorCode.Corrupt);
    expect(d.err?.context.offset).toBe(0);
    expect(d.byte()).toBe(0);
  });

  it('refuses a uvarint32 above 2^32-1 as Corrupt, pointing at the varint', () => {
    const d = new Decbuf(hex('05  80 80 80 80 10'));
    expect(d.byte()).toBe(5);
    expect(d.uvarint32()).toBe(0);
    expect(d.err?.code).toBe(ErrorCode.Corrupt);
    expect(d.err?.context.offset).toBe(1);
  });

  it('records a bad varint instead of throwing it', () => {
    const d = new Decbuf(new Uint8Array(12).fill(0x80));
    expect(d.uvarint()).toBe(0);
    expect(d.err?.code).toBe(ErrorCode.BadVarint);
    expect(d.varint()).toBe(0);
  });

  it('refuses a string length of 2^60 without allocating', () => {
    const d = new Decbuf(Uint8Array.from([...new ByteWriter().uvarint(2n ** 60n).bytes(), 0x61]));
    const t0 = performance.now();
    expect(d.uvarintStr()).toBe('');
    expect(performance.now() - t0).toBeLessThan(FAST_MS);
    expect(d.err?.code).toBe(ErrorCode.ShortBuffer);
  });
});

describe('decbufAt and decbufUvarintAt (sections with a length and a CRC32C)', () => {
  // len <4b> = 4 | "abcd" | CRC32C("abcd"), placed after two unrelated bytes.
  const abcd = utf8Bytes('abcd');
  const section = new ByteWriter().raw([0xee, 0xee]).be32(4).raw(abcd).be32(crc32c(abcd)).bytes();

  it('opens the content between the length and the CRC', () => {
    const d = decbufAt(section, 2, 'test');
    expect(d.err).toBeNull();
    expect([d.off, d.end]).toEqual([6, 10]);
    expect(decodeUtf8(d.bytes(4))).toBe('abcd');
  });

  it('reports a CRC mismatch as BadChecksum at the section, unless asked not to check', () => {
    const bad = section.slice();
    bad[7] ^= 0x01; // "abcd" becomes "accd"
    const d = decbufAt(bad, 2, 'test section');
    expect(d.err?.code).toBe(ErrorCode.BadChecksum);
    expect(d.err?.context.offset).toBe(2);
    expect(d.err?.message).toContain('test section');
    expect(decbufAt(bad, 2, 'test', false).err).toBeNull();
  });

  it('reports a length or offset past the end as ShortBuffer', () => {
    for (const off of [-1, section.length - 3, section.length, section.length + 100]) {
      const d = decbufAt(section, off, 'test');
      expect(d.err?.code).toBe(ErrorCode.ShortBuffer);
      expect(d.len).toBe(0);
    }
    const huge = new ByteWriter().be32(0xffffffff).raw([1, 2, 3, 4]).bytes();
    const t0 = performance.now();
    expect(decbufAt(huge, 0, 'test').err?.code).toBe(ErrorCode.ShortBuffer);
    expect(performance.now() - t0).toBeLessThan(FAST_MS);
  });

  it('opens a section with a uvarint length (index series entries)', () => {
    const content = Uint8Array.from({ length: 200 }, (_, i) => i);
    // len 200 <uvarint: c8 01> | content | CRC
    const buf = new ByteWriter().raw([0xc8, 0x01]).raw(content).be32(crc32c(content)).bytes();
    const d = decbufUvarintAt(buf, 0, 'series');
    expect(d.err).toBeNull();
    expect([d.off, d.end]).toEqual([2, 202]);

    const flipped = buf.slice();
    flipped[100] ^= 0x80;
    expect(decbufUvarintAt(flipped, 0, 'series').err?.code).toBe(ErrorCode.BadChecksum);
    expect(decbufUvarintAt(buf.subarray(0, 205), 0, 'series').err?.code).toBe(ErrorCode.ShortBuffer);
  });

  it('refuses a uvarint length that is too long or too large', () => {
    const eleven = new Uint8Array(16).fill(0x80);
    const d = decbufUvarintAt(eleven, 0, 'series');
    expect(d.err?.code).toBe(ErrorCode.BadVarint);
    expect(d.err?.context.offset).toBe(0);
    const big = Uint8Array.from([...new ByteWriter().uvarint(2n ** 63n).bytes(), 1, 2, 3, 4, 5]);
    expect(decbufUvarintAt(big, 0, 'series').err?.code).toBe(ErrorCode.ShortBuffer);
    expect(decbufUvarintAt(big, big.length, 'series').err?.code).toBe(ErrorCode.ShortBuffer);
  });
});

describe('small helpers', () => {
  it('be32At reads unsigned big-endian, hex32 prints 8 hex digits', () => {
    expect(be32At(Uint8Array.of(0, 0xba, 0xaa, 0xd7, 0x00), 1)).toBe(0xbaaad700);
    expect(hex32(0x1f)).toBe('0x0000001f');
    expect(hex32(-1)).toBe('0xffffffff');
  });

  it('decodeUtf8 handles ASCII, multi-byte and invalid input on both paths', () => {
    for (const s of ['', 'abc', 'ü', '日本', '🎉', 'a'.repeat(31) + 'ü', 'ü'.repeat(40)]) expect(decodeUtf8(utf8Bytes(s))).toBe(s);
    expect(decodeUtf8(Uint8Array.of(0x61, 0xff))).toBe('a\ufffd');
  });

  it('decodeUtf8 keeps a leading U+FEFF (a label value "\\ufeffbom" is not "bom") on both paths', () => {
    for (const s of ['\ufeffbom', '\ufeff' + 'a'.repeat(40), '\ufeff']) expect(decodeUtf8(utf8Bytes(s))).toBe(s);
    const d = new Decbuf(Uint8Array.of(6, 0xef, 0xbb, 0xbf, 0x62, 0x6f, 0x6d));
    expect(d.uvarintStr()).toBe('\ufeffbom');
  });
});

// A field of a random record, its encoding and the getter that reads it back.
type Field =
  | { k: 'byte'; v: number }
  | { k: 'be32'; v: number }
  | { k: 'be64'; v: number }
  | { k: 'uvarint'; v: number }
  | { k: 'varint'; v: number }
  | { k: 'str'; v: string };

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.record({ k: fc.constant('byte' as const), v: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ k: fc.constant('be32' as const), v: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({ k: fc.constant('be64' as const), v: fc.maxSafeNat() }),
  fc.record({ k: fc.constant('uvarint' as const), v: fc.maxSafeNat() }),
  fc.record({ k: fc.constant('varint' as const), v: fc.integer({ min: -(2 ** 52), max: 2 ** 52 }) }),
  fc.record({ k: fc.constant('str' as const), v: fc.string({ unit: 'grapheme', maxLength: 40 }) }),
);

function encode(fields: Field[]): Uint8Array {
  const w = new ByteWriter();
  for (const f of fields) {
    if (f.k === 'byte') w.byte(f.v);
    else if (f.k === 'be32') w.be32(f.v);
    else if (f.k === 'be64') w.be64(f.v);
    else if (f.k === 'uvarint') w.uvarint(f.v);
    else if (f.k === 'varint') w.varint(f.v);
    else w.uvarintStr(f.v);
  }
  return w.bytes();
}

function decode(d: Decbuf, f: Field): number | string {
  if (f.k === 'byte') return d.byte();
  if (f.k === 'be32') return d.be32();
  if (f.k === 'be64') return d.be64();
  if (f.k === 'uvarint') return d.uvarint();
  if (f.k === 'varint') return d.varint();
  return d.uvarintStr();
}

describe('Decbuf properties', () => {
  it('reads back any record of fields the BigInt writer wrote', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 20 }), (fields) => {
        const d = new Decbuf(encode(fields));
        for (const f of fields) expect(decode(d, f)).toBe(f.v);
        expect(d.err).toBeNull();
        expect(d.len).toBe(0);
      }),
    );
  });

  it('on a truncated record: exact values up to the cut, then zero values and one ShortBuffer, never a throw', () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 12 }), fc.nat(), (fields, x) => {
        const full = encode(fields);
        const cut = x % full.length;
        const d = new Decbuf(full.subarray(0, cut));
        let failedAt = -1;
        const r = outcome(() => {
          fields.forEach((f, i) => {
            const v = decode(d, f);
            if (failedAt < 0 && d.err) failedAt = i;
            if (failedAt < 0) expect(v).toBe(f.v);
            else expect(v === 0 || v === '').toBe(true);
          });
        });
        expect(r.kind).toBe('ok');
        expect(failedAt).toBeGreaterThanOrEqual(0);
        expect(d.err?.code).toBe(ErrorCode.ShortBuffer);
        expect(d.err!.context.offset).toBeLessThanOrEqual(cut);
      }),
    );
  });

  it('never throws on arbitrary bytes, whatever is asked of it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(field, { maxLength: 12 }), (b, fields) => {
        const d = new Decbuf(b);
        const r = outcome(() => fields.forEach((f) => decode(d, f)));
        expect(r.kind).toBe('ok');
        if (d.err) expect(d.err).toBeInstanceOf(TsdbError);
        expect(d.off).toBeLessThanOrEqual(b.length);
      }),
    );
  });
});

describe('decbufAt refuses garbage cleanly', () => {
  it('returns a Decbuf with a TsdbError for every offset into random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (b) => {
        for (let off = 0; off <= b.length; off++) {
          for (const open of [decbufAt, decbufUvarintAt]) {
            const r = outcome(() => open(b, off, 'test'), b.length);
            expect(r.kind).toBe('ok');
            const d = (r as { value: Decbuf }).value;
            if (d.err) {
              expect(d.err).toBeInstanceOf(TsdbError);
              expect(d.err.context.offset).toBeLessThanOrEqual(b.length);
            } else {
              expect(d.end + 4).toBeLessThanOrEqual(b.length);
            }
          }
        }
      }),
    );
  });

  it('refuses a section claiming 2^32-1 bytes at once', () => {
    expectTsdbError(
      () => {
        const d = decbufAt(new ByteWriter().be32(0xffffffff).be32(0).bytes(), 0, 'test');
        if (d.err) throw d.err;
      },
      { code: ErrorCode.ShortBuffer, maxMs: FAST_MS },
    );
  });
});

describe('the allocation-free forms give what the plain ones give', () => {
  it('decodeUtf8At(buf, s, e) is TextDecoder over the same range, ASCII or not, short or long', () => {
    const td = new TextDecoder('utf-8');
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }).map((s) => new TextEncoder().encode(s))), fc.nat(), fc.nat(), (b, x, y) => {
        const s = x % (b.length + 1);
        const e = s + (y % (b.length - s + 1));
        expect(decodeUtf8At(b, s, e)).toBe(td.decode(b.subarray(s, e)));
      }),
      { numRuns: 500 },
    );
  });

  it('decbufUvarintAt into a reused Decbuf reads and fails as a fresh one does', () => {
    const into = new Decbuf(new Uint8Array(0));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.boolean(), (b, o, crc) => {
        const off = o % (b.length + 1);
        const fresh = decbufUvarintAt(b, off, 'entry', crc);
        const reused = decbufUvarintAt(b, off, 'entry', crc, into);
        expect(reused).toBe(into);
        expect([reused.off, reused.end, reused.err?.code, reused.err?.message, reused.err?.context]).toEqual([fresh.off, fresh.end, fresh.err?.code, fresh.err?.message, fresh.err?.context]);
        expect(reused.uvarint()).toBe(fresh.uvarint());
      }),
      { numRuns: 500 },
    );
  });

  it('sectionError is the error decbufAt reports, on any bytes at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), fc.integer({ min: -2, max: 60 }), fc.boolean(), (b, off, crc) => {
        const d = decbufAt(b, off, 'section', crc);
        const e = sectionError(b, off, 'section', crc);
        expect([e?.code, e?.message, e?.context]).toEqual([d.err?.code, d.err?.message, d.err?.context]);
      }),
      { numRuns: 500 },
    );
    // A well-formed section has none.
    const w = crcSection(utf8Bytes('abc'));
    expect(sectionError(w, 0, 'section')).toBeNull();
    expect(decbufAt(w, 0, 'section').err).toBeNull();
  });

  it('Decbuf.reset clears the sticky error and reads the new range', () => {
    const d = new Decbuf(Uint8Array.of(1), 0, 1);
    d.be32();
    expect(d.err?.code).toBe(ErrorCode.ShortBuffer);
    d.reset(Uint8Array.of(0, 0, 0, 9), 0);
    expect(d.err).toBeNull();
    expect(d.be32()).toBe(9);
    expect(d.reset(Uint8Array.of(1, 2), 3).err?.code).toBe(ErrorCode.ShortBuffer);
  });
});

describe('Decbuf 64-bit getters (Go Be64int64, Be64Float64, Varint64)', () => {
  const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
  const be64 = (v: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, v);
    return Array.from(b);
  };

  it('be64int64 is the signed big-endian int64, rounded beyond 2^53 with its sign', () => {
    fc.assert(
      fc.property(int64, (v) => {
        const d = new Decbuf(Uint8Array.from(be64(v)));
        expect(d.be64int64()).toBe(Number(v));
        expect(d.err).toBeNull();
        expect(d.len).toBe(0);
      }),
    );
    expect(new Decbuf(hex('ff ff ff ff ff ff ff fe')).be64int64()).toBe(-2);
  });

  it('be64Float64 reads float64 bits; be64Float64Into keeps NaN payloads word for word', () => {
    const d = new Decbuf(hex('3f f8 00 00 00 00 00 00  7f f0 00 00 00 00 00 02'));
    expect(d.be64Float64()).toBe(1.5);
    const words = new Uint32Array(4);
    d.be64Float64Into(words, 1);
    expect(Array.from(words)).toEqual([0, 0, 0x00000002, 0x7ff00000]);
    expect(d.err).toBeNull();
  });

  it('varint64 is zig-zag over the full int64 range, as BigInt reads it', () => {
    fc.assert(
      fc.property(int64, (v) => {
        const d = new Decbuf(Uint8Array.from(varintBytes(v)));
        const got = d.varint64();
        // Exact within ±2^53; beyond, rounded (once for the magnitude), keeping the sign.
        if (v >= -(1n << 53n) && v <= 1n << 53n) expect(got).toBe(Number(v));
        else expect(Math.abs(got - Number(v))).toBeLessThanOrEqual(Math.abs(Number(v)) * 2 ** -52);
        expect(d.err).toBeNull();
        expect(d.len).toBe(0);
      }),
    );
  });

  it('varint64 cut short or overflowing 64 bits: a sticky error at the varint', () => {
    const short = new Decbuf(hex('00 80 80'), 1);
    expect(short.varint64()).toBe(0);
    expect(short.err).toMatchObject({ code: ErrorCode.ShortBuffer, context: { offset: 1 } });
    const long = new Decbuf(hex('ff ff ff ff ff ff ff ff ff 02'));
    expect(long.varint64()).toBe(0);
    expect(long.err).toMatchObject({ code: ErrorCode.BadVarint, context: { offset: 0 } });
    expect(long.byte()).toBe(0);
  });

  it('getters on a short buffer return 0 and leave one ShortBuffer', () => {
    const d = new Decbuf(hex('01 02 03'));
    expect(d.be64int64()).toBe(0);
    expect(d.be64Float64()).toBe(0);
    expect(d.err?.code).toBe(ErrorCode.ShortBuffer);
  });
});
