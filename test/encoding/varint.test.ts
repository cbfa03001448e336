import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/encoding/errors.js';
import { readUvarint, readVarint, uvarint64At, uvarintAt, VARINT_CUT, VARINT_LONG, zigzag, zigzag64, type VarintResult } from '../../src/encoding/varint.js';
import { uvarintBytes, varintBytes } from '../helpers/bytes.js';
import { expectTsdbError, FAST_MS, outcome } from '../helpers/errors.js';

const slot = (): VarintResult => ({ value: -1, next: -1 });
const u = (bytes: number[], off = 0, end = bytes.length) => readUvarint(Uint8Array.from(bytes), off, end, slot());
const s = (bytes: number[]) => readVarint(Uint8Array.from(bytes), 0, bytes.length, slot());

/** Go's binary.Uvarint over BigInt: the value and length, or the reason it fails. */
function goUvarint(b: Uint8Array, off: number, end: number): { value: bigint; n: number } | 'short' | 'overflow' {
  let x = 0n;
  for (let i = 0; off + i < end; i++) {
    if (i === 10) return 'overflow';
    const c = b[off + i];
    if (c < 0x80) {
      if (i === 9 && c > 1) return 'overflow';
      return { value: x | (BigInt(c) << BigInt(7 * i)), n: i + 1 };
    }
    x |= BigInt(c & 0x7f) << BigInt(7 * i);
  }
  return 'short';
}

const uint64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

describe('readUvarint on hand-built bytes', () => {
  it('reads one-byte values and the offset past them', () => {
    expect(u([0x00])).toEqual({ value: 0, next: 1 });
    expect(u([0x01])).toEqual({ value: 1, next: 1 });
    expect(u([0x7f])).toEqual({ value: 127, next: 1 });
  });

  it('reads little-endian groups of 7 bits, continuation bit first', () => {
    expect(u([0x80, 0x01])).toEqual({ value: 128, next: 2 }); // 0 + 1·128
    expect(u([0xac, 0x02])).toEqual({ value: 300, next: 2 }); // 0x2c + 2·128
    expect(u([0xff, 0xff, 0x03])).toEqual({ value: 65535, next: 3 });
    expect(u([0x80, 0x80, 0x80, 0x80, 0x10])).toEqual({ value: 2 ** 32, next: 5 }); // 0x10 << 28
    // 2^53 - 1: seven full groups (49 bits) and 4 more bits.
    expect(u([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f])).toEqual({ value: Number.MAX_SAFE_INTEGER, next: 8 });
  });

  it('reads the largest 64-bit value (ten bytes, the last one 0x01) as a number near 2^64', () => {
    const r = u([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(r.next).toBe(10);
    expect(r.value).toBe(2 ** 64);
    expect(u([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]).value).toBe(2 ** 63);
  });

  it('accepts over-long encodings as Go does', () => {
    expect(u([0x80, 0x00])).toEqual({ value: 0, next: 2 });
    expect(u([0x81, 0x80, 0x00])).toEqual({ value: 1, next: 3 });
  });

  it('starts at `off`, stops at `end`, and reuses the result slot', () => {
    const buf = Uint8Array.of(0xff, 0x80, 0x01, 0x05);
    const out = slot();
    expect(readUvarint(buf, 1, 4, out)).toBe(out);
    expect(out).toEqual({ value: 128, next: 3 });
    expect(readUvarint(buf, 3, 4, out)).toEqual({ value: 5, next: 4 });
    // The continuation byte at 1 would be completed by byte 2, but `end` is 2.
    const e = expectTsdbError(() => readUvarint(buf, 1, 2, slot()), { code: ErrorCode.ShortBuffer });
    expect(e.context.offset).toBe(1);
  });
});

describe('readVarint and zigzag', () => {
  it('undoes zig-zag: 0, -1, 1, -2, 2, …', () => {
    expect([0, 1, 2, 3, 4, 5].map((u) => zigzag(u, u & 1))).toEqual([0, -1, 1, -2, 2, -3]);
    expect(s([0x00]).value).toBe(0);
    expect(s([0x01]).value).toBe(-1);
    expect(s([0x02]).value).toBe(1);
    expect(s([0x7f]).value).toBe(-64);
    expect(s([0x80, 0x01])).toEqual({ value: 64, next: 2 });
    expect(s([0xff, 0x01])).toEqual({ value: -128, next: 2 });
  });

  it('reads millisecond timestamps of either sign exactly', () => {
    for (const t of [1795358336148, -1795358336148, 2 ** 52, -(2 ** 52), 0]) {
      const b = varintBytes(t);
      expect(s(b)).toEqual({ value: t, next: b.length });
    }
  });

  // KNOWN BUG (reported): zigzag() takes the sign from the lowest bit of a
  // value already rounded to a double, so varints below -2^52 come back
  // positive, against varint.ts's promise to "keep their order and sign".
  // Go's tombstones and series use math.MinInt64 for "from the beginning".
  // Remove `.fails` once fixed.
  it('keeps the sign of varints beyond 2^53 in magnitude', () => {
    expect(s(varintBytes(-(2n ** 60n))).value).toBeLessThan(0);
    expect(s(varintBytes(-(2n ** 63n))).value).toBe(-(2 ** 63)); // math.MinInt64
  });

  it('keeps the sign of positive varints beyond 2^53', () => {
    expect(s(varintBytes(2n ** 62n)).value).toBe(2 ** 62);
    expect(s(varintBytes((1n << 63n) - 1n)).value).toBe(2 ** 63); // math.MaxInt64, rounded
  });
});

describe('readUvarint refuses bad input cleanly', () => {
  it('reports a varint that runs past the end as ShortBuffer at its start', () => {
    expectTsdbError(() => u([]), { code: ErrorCode.ShortBuffer });
    expectTsdbError(() => u([0x80]), { code: ErrorCode.ShortBuffer });
    expectTsdbError(() => u([0xff, 0xff, 0xff]), { code: ErrorCode.ShortBuffer });
    const e = expectTsdbError(() => u([0x01, 0x80], 1), { code: ErrorCode.ShortBuffer });
    expect(e.context.offset).toBe(1);
  });

  it('refuses a 10th byte above 1 (more than 64 bits) as BadVarint', () => {
    const e = expectTsdbError(() => u([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]), { code: ErrorCode.BadVarint });
    expect(e.context.offset).toBe(0);
  });

  it('refuses a varint of 11 or more bytes as BadVarint after 10 bytes, however long the run', () => {
    expectTsdbError(() => u([...Array(10).fill(0x80), 0x01]), { code: ErrorCode.BadVarint });
    const long = new Uint8Array(1 << 20).fill(0xff);
    expectTsdbError(() => readUvarint(long, 0, long.length, slot()), { code: ErrorCode.BadVarint, maxMs: FAST_MS });
  });
});

describe('varint properties', () => {
  it('reads back every uint64 written by a BigInt LEB128 encoder', () => {
    fc.assert(
      fc.property(uint64, (x) => {
        const b = uvarintBytes(x);
        const r = u(b);
        expect(r.next).toBe(b.length);
        if (x <= BigInt(Number.MAX_SAFE_INTEGER)) expect(r.value).toBe(Number(x));
        else expect(Math.abs(r.value - Number(x))).toBeLessThanOrEqual(Number(x) * 2 ** -52);
      }),
    );
  });

  it('keeps the order of uint64 values', () => {
    fc.assert(
      fc.property(uint64, uint64, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(u(uvarintBytes(lo)).value).toBeLessThanOrEqual(u(uvarintBytes(hi)).value);
      }),
    );
  });

  it('reads back every signed value of magnitude up to 2^52', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (v) => {
        const b = varintBytes(v);
        expect(s(b)).toEqual({ value: v, next: b.length });
      }),
    );
  });

  it('agrees with Go\'s binary.Uvarint on arbitrary bytes: same value and length, or a clean error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 14 }), fc.nat(14), (b, off0) => {
        const off = Math.min(off0, b.length);
        const want = goUvarint(b, off, b.length);
        const got = outcome(() => readUvarint(b, off, b.length, slot()), b.length);
        if (want === 'short') expect(got.kind === 'error' && got.error.code).toBe(ErrorCode.ShortBuffer);
        else if (want === 'overflow') expect(got.kind === 'error' && got.error.code).toBe(ErrorCode.BadVarint);
        else {
          expect(got.kind).toBe('ok');
          const r = (got as { value: VarintResult }).value;
          expect(r.next).toBe(off + want.n);
          if (want.value <= BigInt(Number.MAX_SAFE_INTEGER)) expect(r.value).toBe(Number(want.value));
        }
      }),
    );
  });
});

describe('uvarintAt and uvarint64At: the one loop, with no throw', () => {
  const slot = (): VarintResult => ({ value: -1, next: -1 });

  it('returns the offset past the varint, or says it is cut off or too long', () => {
    const out = slot();
    expect(uvarintAt(Uint8Array.of(0xac, 0x02), 0, 2, 10, out)).toBe(2);
    expect(out.value).toBe(300);
    expect(uvarintAt(Uint8Array.of(0xac, 0x02), 0, 1, 10, out)).toBe(VARINT_CUT);
    expect(uvarintAt(Uint8Array.of(0x80, 0x80, 0x01), 0, 3, 2, out)).toBe(VARINT_LONG);
    expect(uvarintAt(Uint8Array.of(0x80, 0x80, 0x01), 0, 3, 3, out)).toBe(3);
    expect(uvarintAt(Uint8Array.from([...Array(9).fill(0xff), 0x02]), 0, 10, 10, out)).toBe(VARINT_LONG);
  });

  it('uvarint64At gives the exact 64 bits as halves; zigzag64 the signed value (property)', () => {
    fc.assert(
      fc.property(uint64, (v) => {
        const b = Uint8Array.from(uvarintBytes(v));
        const out = { hi: -1, lo: -1, next: -1 };
        expect(uvarint64At(b, 0, b.length, out)).toBe(b.length);
        expect((BigInt(out.hi) << 32n) | BigInt(out.lo)).toBe(v);
        const signed = BigInt.asIntN(64, (v >> 1n) ^ -(v & 1n));
        if (signed >= -(1n << 53n) && signed <= 1n << 53n) expect(zigzag64(out.hi, out.lo)).toBe(Number(signed));
        expect(Math.sign(zigzag64(out.hi, out.lo))).toBe(Math.sign(Number(signed)));
      }),
    );
    const out = { hi: 0, lo: 0, next: 0 };
    expect(uvarint64At(Uint8Array.of(0x80), 0, 1, out)).toBe(VARINT_CUT);
    expect(uvarint64At(Uint8Array.from([...Array(9).fill(0xff), 0x02]), 0, 10, out)).toBe(VARINT_LONG);
  });
});
