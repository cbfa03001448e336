import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeXOR, decodeXOR2 } from '../../src/chunkenc/xor.js';
import { ErrorCode, TsdbError } from '../../src/encoding/errors.js';
import { BitWriter, encodeXOR, encodeXOR2, STALE_NAN_BITS } from '../helpers/xorEncoder.js';
import { scanXOR, XOR_SCAN_PAD } from '../../src/chunkenc/xor-scan.js';

/** Packs a string of 0/1 (spaces ignored) into bytes, zero-padded. */
function bits(s: string): Uint8Array {
  const b = s.replace(/\s+/g, '');
  const out = new Uint8Array(Math.ceil(b.length / 8));
  for (let i = 0; i < b.length; i++) if (b[i] === '1') out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

function hex64(x: bigint, n = 64): string {
  return x.toString(2).padStart(n, '0');
}

/** Bits of every value, from the Float64Array's own bytes. */
function valueBits(v: Float64Array): bigint[] {
  const u = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
  return Array.from({ length: v.length }, (_, i) => (BigInt(u[2 * i + 1]!) << 32n) | BigInt(u[2 * i]!));
}

/** Runs fn; it may return or throw a TsdbError, nothing else. */
function decodesOrFailsCleanly(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof TsdbError)) throw e;
  }
}

function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(TsdbError);
  expect((caught as TsdbError).code).toBe(code);
}

const ONE = 0x3ff0000000000000n;
const TWO = 0x4000000000000000n;

describe('decodeXOR', () => {
  it('decodes a hand-built chunk', () => {
    const data = bits(
      '00000000 00000011' + // num_samples = 3
        '11010000 00001111' + // ts_0: varint 1000 (zig-zag 2000 = 0xd0 0x0f)
        hex64(ONE) + // v_0: 1.0 raw
        '11101000 00000111' + // ts_1_delta: uvarint 1000 (0xe8 0x07)
        '0' + // v_1: xor 0, unchanged
        '0' + // ts_2_dod: 0
        '1 1 00001 001011 11111111111', // v_2: changed, new window: leading 1, 11 sigbits, 0x7ff (1.0 ^ 2.0)
    );
    const { t, v, count } = decodeXOR(data);
    expect(count).toBe(3);
    expect(Array.from(t)).toEqual([1000, 2000, 3000]);
    expect(Array.from(v)).toEqual([1, 1, 2]);
  });

  it('decodes every dod width, the reused window and Go\'s sign quirk by hand', () => {
    const data = bits(
      '00000000 00000101' + // 5 samples
        '00000000' + // ts_0 = 0
        hex64(ONE) +
        '00001010' + // ts_1_delta = 10
        '1 1 00001 001011 11111111111' + // v_1 = 2.0, window leading 1 / trailing 52
        '10 10000000000000' + // dod: 14 bits 0x2000 = +8192 (not -8192: only > 2^13 is negative)
        '1 0 00111111111' + // v_2: reuse window, 11 bits 0x1ff → 2.0 ^ (0x1ff << 52)
        '110 11111111111111111' + // dod: 17 bits all ones = -1
        '0' + // v_3 unchanged
        '1111' + hex64(-5n & ((1n << 64n) - 1n)) + // dod: 64 bits, -5
        '0',
    );
    const { t, v } = decodeXOR(data);
    // deltas: 10, 10 + 8192, 8202 - 1, 8201 - 5
    expect(Array.from(t)).toEqual([0, 10, 8212, 16413, 24609]);
    expect(valueBits(v)).toEqual([ONE, TWO, TWO ^ (0x1ffn << 52n), TWO ^ (0x1ffn << 52n), TWO ^ (0x1ffn << 52n)]);
  });

  it('keeps NaN payloads, the stale marker, -0, infinities and subnormals bit-exact', () => {
    const vals = [STALE_NAN_BITS, 0x7ff8000000000001n, 0xfff0000000000000n, 0x8000000000000000n, 1n, 0x7ff0000000000000n, STALE_NAN_BITS, 0xffffffffffffffffn];
    const ts = vals.map((_, i) => 1_600_000_000_000 + i * 15_000);
    const { t, v } = decodeXOR(encodeXOR(ts, vals));
    expect(Array.from(t)).toEqual(ts);
    expect(valueBits(v)).toEqual(vals);
  });

  it('decodes an empty chunk', () => {
    expect(decodeXOR(Uint8Array.of(0, 0)).count).toBe(0);
  });

  it('fails cleanly on tiny and truncated inputs', () => {
    expectCode(() => decodeXOR(new Uint8Array(0)), ErrorCode.ShortBuffer);
    expectCode(() => decodeXOR(Uint8Array.of(0)), ErrorCode.ShortBuffer);
    expectCode(() => decodeXOR(Uint8Array.of(0, 1)), ErrorCode.ShortBuffer);
    // A count of 65535 in a few bytes is refused before allocating.
    expectCode(() => decodeXOR(Uint8Array.of(0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)), ErrorCode.ShortBuffer);
    const ts = Array.from({ length: 50 }, (_, i) => i * 1000 + (i % 7) * 13);
    const vals = ts.map((_, i) => BigInt(i * 7919) << 40n);
    const full = encodeXOR(ts, vals);
    expect(decodeXOR(full).count).toBe(50);
    // Cutting any byte off must be noticed: the test encoder adds no padding byte.
    for (let k = 0; k < full.length; k++) {
      expectCode(() => decodeXOR(full.subarray(0, k)), ErrorCode.ShortBuffer);
    }
  });

  it('refuses a window wider than 64 bits', () => {
    const data = bits('00000000 00000010' + '00000000' + hex64(ONE) + '00000001' + '1 1 11111 100010'); // 31 + 34 > 64
    expectCode(() => decodeXOR(data), ErrorCode.Corrupt);
  });

  it('returns or throws TsdbError on random bytes, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => decodesOrFailsCleanly(() => decodeXOR(bytes))),
      { numRuns: 5000 },
    );
    // Random bit soup behind a plausible header.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.uint8Array({ minLength: 9, maxLength: 400 }), (n, body) => {
        const data = new Uint8Array(2 + body.length);
        data[0] = n >> 8;
        data[1] = n & 0xff;
        data.set(body, 2);
        decodesOrFailsCleanly(() => decodeXOR(data));
      }),
      { numRuns: 3000 },
    );
  });

  const floatBits = fc.oneof(
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), // Any bits: NaN payloads, subnormals, ±Inf, -0.
    fc.constantFrom(STALE_NAN_BITS, 0x8000000000000000n, 0n, 0x7ff0000000000000n, 0xfff0000000000000n, 1n, ONE),
    fc.double().map((d) => {
      const f = new Float64Array([d]);
      const u = new Uint32Array(f.buffer);
      return (BigInt(u[1]!) << 32n) | BigInt(u[0]!);
    }),
  );
  const gap = fc.oneof(
    { weight: 5, arbitrary: fc.constant(15_000) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 70_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 40 }) },
    // Next to a 15 s gap these give dods at the edges of the 14/17/20-bit buckets.
    { weight: 2, arbitrary: fc.constantFrom(...[8191, 8192, 8193, -8191, -8192, 65535, 65536, 65537, 524287, 524288, 524289].map((d) => 15_000 + d)) },
  );

  it('round-trips through the test encoder, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
        fc.array(fc.tuple(gap, floatBits, fc.boolean()), { minLength: 1, maxLength: 300 }),
        (t0, rows) => {
          const ts: number[] = [];
          const vals: bigint[] = [];
          let t = t0;
          for (const [g, bitsV, repeat] of rows) {
            ts.push(t);
            // Repeat the previous value often, as real series do.
            vals.push(repeat && vals.length > 0 ? vals[vals.length - 1]! : bitsV);
            t += g;
          }
          const got = decodeXOR(encodeXOR(ts, vals));
          expect(got.count).toBe(ts.length);
          expect(Array.from(got.t)).toEqual(ts);
          expect(valueBits(got.v)).toEqual(vals);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('decodeXOR: each chunk starts with a 0/0 window', () => {
  /** Sample 1 says "reuse the window" (10), which Go reads as 64 bits from its 0/0 start. */
  function reuseAtSampleOne(): Uint8Array {
    const w = new BitWriter();
    w.writeBits(3, 16);
    w.writeByte(2); // ts_0 = 1 (zig-zag varint)
    w.writeBits(0x3ff0000000000000n, 64); // 1.0
    w.writeByte(10); // tDelta = 10
    w.writeBits(0b10, 2);
    w.writeBits(0x0010000000000000n, 64); // the XOR, all 64 bits: 1.0 ^ x = 0x3fe0000000000000 (0.5)
    w.writeBits(0b00, 2); // sample 2: dod 0, value unchanged
    return w.bytes();
  }

  it('whatever chunk was decoded before (xorIterator.Reset)', () => {
    const want = decodeXOR(reuseAtSampleOne());
    expect(Array.from(want.t)).toEqual([1, 11, 21]);
    expect(Array.from(want.v)).toEqual([1, 0.5, 0.5]);
    // A chunk that leaves a narrow window behind, then the same chunk again.
    decodeXOR(encodeXOR([0, 1, 2], [0x3ff0000000000000n, 0x3ff0000000000001n, 0x3ff0000000000003n]));
    const again = decodeXOR(reuseAtSampleOne());
    expect(Array.from(again.v)).toEqual([1, 0.5, 0.5]);
    // And the check-only scan reads it the same way.
    const data = reuseAtSampleOne();
    const b = new Uint8Array(data.length + XOR_SCAN_PAD);
    b.set(data);
    const res = new Float64Array(3);
    expect(scanXOR(b, new DataView(b.buffer), 0, data.length, res)).toBe(3);
    expect(Array.from(res)).toEqual([1, 21, 1]);
  });
});

describe('decodeXOR2', () => {
  it('decodes a hand-built chunk with a joint prefix and a stale marker', () => {
    const data = bits(
      '00000000 00000100' + // 4 samples
        '00000000' + // ST header: none
        '00000010' + // ts_0 = 1 (varint)
        hex64(ONE) +
        '00001010' + // ts_1_delta = 10
        '110 00001 001011 11111111111' + // v_1: new window → 2.0
        '0' + // sample 2: dod 0, value unchanged
        '11111', // sample 3: dod 0, stale marker
    );
    const { t, v, st } = decodeXOR2(data);
    expect(st).toBeUndefined();
    expect(Array.from(t)).toEqual([1, 11, 21, 31]);
    expect(valueBits(v)).toEqual([ONE, TWO, TWO, STALE_NAN_BITS]);
  });

  it('decodes a 13-bit dod as two\'s complement and start timestamps', () => {
    const data = bits(
      '00000000 00000011' + // 3 samples
        '10000010' + // ST header: first ST known, first change on sample 2
        '00000010' + // ts_0 = 1
        hex64(ONE) +
        '00000001' + // st_0: varint -1 → st = t - (-1) = 2
        '00000100' + // ts_1_delta = 4
        '0' + // v_1 unchanged
        '110 1000000000000' + // dod: 13 bits 0x1000 = -4096 (two's complement here)
        '0' + // value unchanged
        '10 011', // st_2: varbit_int 3 → st = prevT - 3 = 2
    );
    const { t, v, st } = decodeXOR2(data);
    expect(Array.from(t)).toEqual([1, 5, 5 + 4 - 4096]);
    expect(valueBits(v)).toEqual([ONE, ONE, ONE]);
    expect(Array.from(st!)).toEqual([2, 2, 2]);
  });

  it('fails cleanly on truncation and random bytes', () => {
    expectCode(() => decodeXOR2(Uint8Array.of(0, 1)), ErrorCode.ShortBuffer);
    const ts = Array.from({ length: 40 }, (_, i) => i * 1000 + (i % 5) * 3000);
    const full = encodeXOR2(ts, ts.map((_, i) => BigInt(i % 3) << 52n), ts.map((x) => x - 500));
    for (let k = 0; k < full.length; k++) expectCode(() => decodeXOR2(full.subarray(0, k)), ErrorCode.ShortBuffer);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => decodesOrFailsCleanly(() => decodeXOR2(b))), { numRuns: 3000 });
  });

  it('round-trips through the test encoder with start timestamps', () => {
    const gapX2 = fc.oneof(fc.constant(15_000), fc.integer({ min: 0, max: 600_000 }), fc.integer({ min: 0, max: 2 ** 40 }));
    const valX2 = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(STALE_NAN_BITS, ONE, TWO, 0n));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.array(fc.tuple(gapX2, valX2, fc.boolean(), fc.integer({ min: -1, max: 3 })), { minLength: 1, maxLength: 200 }),
        (t0, rows) => {
          const ts: number[] = [];
          const vals: bigint[] = [];
          const sts: number[] = [];
          let t = t0;
          let s = 0;
          for (const [g, x, repeat, stMove] of rows) {
            ts.push(t);
            vals.push(repeat && vals.length > 0 ? vals[vals.length - 1]! : x);
            // ST: mostly unchanged, sometimes set or moved.
            if (stMove === 3) s = t - 1000;
            else if (stMove === -1) s = 0;
            sts.push(s);
            t += g;
          }
          const got = decodeXOR2(encodeXOR2(ts, vals, sts));
          expect(Array.from(got.t)).toEqual(ts);
          expect(valueBits(got.v)).toEqual(vals);
          // From sample 127 on the encoder always writes STs, so all-zero STs may still come back.
          if (got.st) expect(Array.from(got.st)).toEqual(sts);
          else expect(sts.every((x) => x === 0)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
