import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitReader } from '../../src/encoding/bstream.js';
import { ErrorCode, TsdbError } from '../../src/encoding/errors.js';
import { BitWriter, uvarintBytes, varintBytes } from '../helpers/xorEncoder.js';

/** The simplest possible reader: one bit at a time from an index. */
class NaiveReader {
  bit = 0;
  constructor(private readonly bytes: Uint8Array) {}
  left(): number {
    return this.bytes.length * 8 - this.bit;
  }
  read(n: number): number {
    if (this.left() < n) throw new Error('short');
    let v = 0;
    for (let i = 0; i < n; i++) {
      const b = (this.bytes[(this.bit >> 3)]! >> (7 - (this.bit & 7))) & 1;
      v = v * 2 + b;
      this.bit++;
    }
    return v;
  }
}

function expectCode(fn: () => unknown, code: string): TsdbError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TsdbError);
    expect((e as TsdbError).code).toBe(code);
    return e as TsdbError;
  }
  throw new Error(`expected a TsdbError ${code}`);
}

describe('BitReader', () => {
  it('reads bits most-significant first across bytes', () => {
    const br = new BitReader(Uint8Array.of(0b1011_0011, 0b1111_0000, 0x12, 0x34, 0x56, 0x78));
    expect(br.readBit()).toBe(1);
    expect(br.readBit()).toBe(0);
    expect(br.readBits(3)).toBe(0b110);
    expect(br.readBits(5)).toBe(0b011_11); // Crosses into byte 1.
    expect(br.bitOffset()).toBe(10);
    expect(br.readByte()).toBe(0b11_0000_00); // Unaligned byte.
    // 30 bits left: 0x12345678 minus its top 2 bits, across a refill.
    expect(br.readBits(30)).toBe(0x12345678 & 0x3fffffff);
    expect(br.bitsLeft()).toBe(0);
    expectCode(() => br.readBit(), ErrorCode.ShortBuffer);
  });

  it('reads a full 32-bit value unsigned, aligned and not', () => {
    const bytes = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x01, 0x80);
    const br = new BitReader(bytes);
    expect(br.readBits(32)).toBe(0xffffffff);
    expect(br.readBit()).toBe(1);
    expect(br.readBits(32)).toBe(0x00000003); // 31 zero bits, the 1 of byte 7, then the 1 of byte 8.
  });

  it('reads 64 bits as halves into a Uint32Array in float64 word order', () => {
    // 0x7ff0000000000002, the stale marker, after 3 bits of something else.
    const w = new BitWriter();
    w.writeBits(0b101, 3);
    w.writeBits(0x7ff0000000000002n, 64);
    const br = new BitReader(w.bytes());
    expect(br.readBits(3)).toBe(0b101);
    const u = new Uint32Array(2);
    br.readBits64Into(u, 0);
    expect(u[0]).toBe(2);
    expect(u[1]).toBe(0x7ff00000);
  });

  it('honours start and end', () => {
    const br = new BitReader(Uint8Array.of(0xaa, 0x0f, 0xf0, 0x55), 1, 3);
    expect(br.readBits(16)).toBe(0x0ff0);
    const e = expectCode(() => br.readBit(), ErrorCode.ShortBuffer);
    expect(e.message).toContain('bit 16');
    expect(e.context.offset).toBe(3);
  });

  it('fails cleanly on empty input, for every read', () => {
    expectCode(() => new BitReader(new Uint8Array(0)).readBit(), ErrorCode.ShortBuffer);
    expectCode(() => new BitReader(new Uint8Array(0)).readBits(5), ErrorCode.ShortBuffer);
    expectCode(() => new BitReader(new Uint8Array(0)).readByte(), ErrorCode.ShortBuffer);
    expectCode(() => new BitReader(new Uint8Array(0)).readUvarint(), ErrorCode.ShortBuffer);
    expectCode(() => new BitReader(Uint8Array.of(1, 2, 3)).readBits64Into(new Uint32Array(2), 0), ErrorCode.ShortBuffer);
  });

  it('a short read does not consume and reports how much was missing', () => {
    const br = new BitReader(Uint8Array.of(0xab, 0xcd));
    br.readBits(3);
    const e = expectCode(() => br.readBits(14), ErrorCode.ShortBuffer);
    expect(e.message).toMatch(/need 14 bit\(s\) at bit 3/);
    expect(br.readBits(13)).toBe(0xabcd & 0x1fff);
  });

  it('matches a naive reader on random bytes and random read sequences', () => {
    const op = fc.oneof(
      fc.constant({ kind: 'bit' as const, n: 1 }),
      fc.integer({ min: 1, max: 32 }).map((n) => ({ kind: 'bits' as const, n })),
      fc.constant({ kind: 'byte' as const, n: 8 }),
      fc.constant({ kind: 'u64' as const, n: 64 }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(op, { maxLength: 60 }), fc.nat(3), (bytes, ops, skip) => {
        const start = Math.min(skip, bytes.length);
        const br = new BitReader(bytes, start);
        const ref = new NaiveReader(bytes.subarray(start));
        for (const o of ops) {
          if (ref.left() < o.n) {
            expectCode(() => {
              if (o.kind === 'bit') br.readBit();
              else if (o.kind === 'bits') br.readBits(o.n);
              else if (o.kind === 'byte') br.readByte();
              else br.readBits64Into(new Uint32Array(2), 0);
            }, ErrorCode.ShortBuffer);
            return;
          }
          if (o.kind === 'u64') {
            const u = new Uint32Array(2);
            br.readBits64Into(u, 0);
            expect([u[1], u[0]]).toEqual([ref.read(32), ref.read(32)]);
          } else {
            const got = o.kind === 'bit' ? br.readBit() : o.kind === 'byte' ? br.readByte() : br.readBits(o.n);
            expect(got).toBe(ref.read(o.n));
          }
          expect(br.bitOffset()).toBe(ref.bit);
          expect(br.bitsLeft()).toBe(ref.left());
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('varints through the bit stream', () => {
  const MAX = BigInt(Number.MAX_SAFE_INTEGER);

  function at(prefixBits: number, bytes: number[]): BitReader {
    const w = new BitWriter();
    w.writeBits(0, prefixBits);
    for (const b of bytes) w.writeByte(b);
    w.writeBits(0b1011, 4); // Trailing bits that must not be read.
    const br = new BitReader(w.bytes());
    br.readBits(prefixBits || 1);
    return br;
  }

  it('reads hand-made varints (Go encoding)', () => {
    expect(at(3, [0x00]).readUvarint()).toBe(0);
    expect(at(3, [0x96, 0x01]).readUvarint()).toBe(150);
    expect(at(5, [0x01]).readVarint()).toBe(-1); // zig-zag 1 → -1
    expect(at(5, [0x02]).readVarint()).toBe(1);
    expect(at(7, [0xd0, 0x0f]).readVarint()).toBe(1000); // 2000 zig-zagged
    // Non-minimal encodings are accepted, as Go does.
    expect(at(2, [0x80, 0x00]).readUvarint()).toBe(0);
  });

  it('round-trips unsigned and signed 64-bit values at any alignment', () => {
    const u64 = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: MAX + 2n }), fc.bigInt({ min: 0n, max: 300n }));
    const i64 = fc.oneof(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.bigInt({ min: -MAX - 2n, max: MAX + 2n }), fc.bigInt({ min: -300n, max: 300n }));
    fc.assert(
      fc.property(u64, i64, fc.integer({ min: 1, max: 31 }), (u, s, prefix) => {
        const br = at(prefix, [...uvarintBytes(u), ...varintBytes(s)]);
        if (u <= MAX) expect(br.readUvarint()).toBe(Number(u));
        else {
          expectCode(() => br.readUvarint(), ErrorCode.Unsupported);
          return;
        }
        if (s <= MAX && s >= -MAX) expect(br.readVarint()).toBe(Number(s));
        else expectCode(() => br.readVarint(), ErrorCode.Unsupported);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses varints that overflow 64 bits, like Go', () => {
    // Ten bytes whose last carries more than bit 63.
    expectCode(() => at(1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]).readUvarint(), ErrorCode.BadVarint);
    // Eleven bytes of continuation.
    expectCode(() => at(1, Array(11).fill(0x80)).readUvarint(), ErrorCode.BadVarint);
    // 2^64 - 1 is fine as uint64 but not as an exact JS number.
    expectCode(() => at(1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).readUvarint(), ErrorCode.Unsupported);
  });

  it('reports a truncated varint as ShortBuffer', () => {
    const br = new BitReader(Uint8Array.of(0x96));
    expectCode(() => br.readUvarint(), ErrorCode.ShortBuffer);
    const br2 = new BitReader(Uint8Array.of(0x0f, 0xf0));
    br2.readBits(4); // Unaligned: reads 0xff (more follows), then only 4 bits are left.
    expectCode(() => br2.readVarint(), ErrorCode.ShortBuffer);
  });
});
