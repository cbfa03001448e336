import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFloatHistogram, decodeFloatHistogramST } from '../../src/chunkenc/floathistogram.js';
import { decodeHistogram, decodeHistogramST } from '../../src/chunkenc/histogram.js';
import { CounterResetHint, type HistogramSample } from '../../src/chunkenc/histogrammeta.js';
import { readVarbitInt, readVarbitUint } from '../../src/chunkenc/varbit.js';
import { BitReader } from '../../src/encoding/bstream.js';
import { ErrorCode, TsdbError } from '../../src/encoding/errors.js';
import {
  bitsOf,
  encodeFloatHistogram,
  encodeHistogram,
  type TestHistogram,
  type TestLayout,
} from '../helpers/histogramEncoder.js';
import { BitWriter, putVarbitInt, putVarbitUint, STALE_NAN_BITS } from '../helpers/xorEncoder.js';

function bits(s: string): Uint8Array {
  const b = s.replace(/\s+/g, '');
  const out = new Uint8Array(Math.ceil(b.length / 8));
  for (let i = 0; i < b.length; i++) if (b[i] === '1') out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

const b64 = (x: bigint): string => x.toString(2).padStart(64, '0');

function numberOf(bitsV: bigint): number {
  const u = new Uint32Array([Number(bitsV & 0xffffffffn), Number(bitsV >> 32n)]);
  return new Float64Array(u.buffer)[0]!;
}

function expectCode(fn: () => unknown, ...codes: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(TsdbError);
  expect(codes).toContain((caught as TsdbError).code);
}

function decodesOrFailsCleanly(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof TsdbError)) throw e;
  }
}

describe('varbit integers', () => {
  it('reads every width, with Go\'s sign rule at the top of each range', () => {
    const cases: Array<[string, number]> = [
      ['0', 0],
      ['10 100', 4], // 2^2 is positive
      ['10 101', -3],
      ['110 100000', 32],
      ['110 100001', -31],
      ['1110 100000000', 256],
      ['11110 111111111111', -1],
      ['111110 100000000000000000', 131072],
      ['1111110 ' + '1'.repeat(25), -1],
      ['11111110 ' + '0'.repeat(8) + '1'.repeat(48), 2 ** 48 - 1],
      ['11111110 ' + '1'.repeat(56), -1],
      ['11111111 ' + '1'.repeat(64), -1],
      ['11111111 ' + '0'.repeat(11) + '1'.repeat(53), Number.MAX_SAFE_INTEGER],
    ];
    for (const [s, want] of cases) expect(readVarbitInt(new BitReader(bits(s + '1111')))).toBe(want);
    expect(readVarbitUint(new BitReader(bits('10 111')))).toBe(7);
    expect(readVarbitUint(new BitReader(bits('11111110 ' + '0'.repeat(4) + '1'.repeat(52))))).toBe(2 ** 52 - 1);
  });

  it('refuses values beyond ±2^53', () => {
    expectCode(() => readVarbitInt(new BitReader(bits('11111111 ' + '0'.repeat(10) + '1'.repeat(54)))), ErrorCode.Unsupported);
    expectCode(() => readVarbitUint(new BitReader(bits('11111110 ' + '1'.repeat(56)))), ErrorCode.Unsupported);
  });

  it('round-trips random values through the test encoder', () => {
    const MAX = BigInt(Number.MAX_SAFE_INTEGER);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.bigInt({ min: -MAX, max: MAX }), fc.integer({ min: -300, max: 300 }).map(BigInt)), { maxLength: 50 }), fc.nat(7), (vals, lead) => {
        const w = new BitWriter();
        w.writeBits(0, lead);
        for (const v of vals) {
          putVarbitInt(w, v);
          putVarbitUint(w, v < 0n ? -v : v);
        }
        const br = new BitReader(w.bytes());
        if (lead) br.readBits(lead);
        for (const v of vals) {
          expect(readVarbitInt(br)).toBe(Number(v));
          expect(readVarbitUint(br)).toBe(Number(v < 0n ? -v : v));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

const ZT_DEFAULT = 2 ** -128;

describe('decodeHistogram', () => {
  it('decodes a hand-built chunk', () => {
    const data = bits(
      '00000000 00000010' + // num_samples = 2
        '01 000000' + // flags: counter-reset header 01 = not a counter reset
        '01110100' + // zero threshold: byte 116 → 2^(116-244) = 2^-128
        '10 011' + // schema: varbit_int 3
        '10 001' + // positive spans: 1
        '10 010' + // span 0 length 2
        '10 111' + // span 0 offset -1 (7 > 4, so 7 - 8)
        '0' + // negative spans: 0
        // sample 0
        '11110 001111101000' + // t = 1000 (12-bit bucket)
        '10 101' + // count 5
        '10 001' + // zero count 1
        b64(bitsOf(2.5)) + // sum
        '10 011' + // bucket 0: 3
        '10 110' + // bucket 1: -2 relative to bucket 0 → 1
        // sample 1
        '11110 001111101000' + // t dod 1000 → t 2000
        '10 011' + // count dod 3 → 8
        '0' + // zero count dod 0 → 1
        '1 1 01011 000011 101' + // sum: 2.5 ^ 4.0 = 0x0014… (11 leading, 3 bits, 50 trailing)
        '10 001' + // bucket 0 dod 1 → diff 4 → 4
        '10 001', // bucket 1 dod 1 → diff -1 → 3
    );
    const got = decodeHistogram(data);
    const common = {
      schema: 3,
      zeroThreshold: ZT_DEFAULT,
      zeroCount: 1,
      positiveSpans: [{ offset: -1, length: 2 }],
      negativeSpans: [],
      negativeBuckets: [],
    };
    expect(got).toEqual([
      { ...common, t: 1000, counterResetHint: CounterResetHint.NotCounterReset, count: 5, sum: 2.5, positiveBuckets: [3, 1] },
      { ...common, t: 2000, counterResetHint: CounterResetHint.Unknown, count: 8, sum: 4, positiveBuckets: [4, 3] },
    ]);
  });

  it('reads uint64 counts and int64 buckets beyond 2^53 as float64, rounded as Go rounds', () => {
    const layout: TestLayout = { schema: 0, zeroThreshold: 0, positiveSpans: [{ offset: 0, length: 2 }], negativeSpans: [] };
    const sample = (t: number, count: bigint, zeroCount: bigint, positive: bigint[]): TestHistogram => ({ t, count, zeroCount, sumBits: bitsOf(1), positive, negative: [] });
    const data = encodeHistogram(layout, [
      sample(1000, 2n ** 62n + 1n, 2n ** 53n + 1n, [2n ** 62n, 2n ** 53n + 3n]),
      sample(2000, 2n ** 64n - 1n, 2n ** 53n + 3n, [2n ** 63n - 1n, 5n]),
      // Back below 2^53: the wrapped deltas come back to small counts.
      sample(3000, 7n, 1n, [3n, 4n]),
    ]);
    const got = decodeHistogram(data).map((h) => [h.count, h.zeroCount, ...h.positiveBuckets]);
    // Ties go to even: 2^53+1 → 2^53, 2^53+3 → 2^53+4; 2^64-1 → 2^64 (a uint64); 2^63-1 → 2^63.
    // Buckets are float sums of float64(int64 difference), as Histogram.ToFloat adds them:
    // 2^62 + float64(2^53+3-2^62) = 2^53, and 2^63 + float64(5-(2^63-1)) = 2^63 - 2^63 = 0.
    expect(got).toEqual([
      [2 ** 62, 2 ** 53, 2 ** 62, 2 ** 53],
      [2 ** 64, 2 ** 53 + 4, 2 ** 63, 0],
      [7, 1, 3, 4],
    ]);
  });

  it('refuses counts the bytes cannot hold, before allocating', () => {
    // Span count 2^40 in a 13-byte chunk.
    const spans = bits('00000000 00000001 00000000' + '00000000' + '0' + '11111110' + (2n ** 40n).toString(2).padStart(56, '0'));
    expectCode(() => decodeHistogram(spans), ErrorCode.ShortBuffer);
    expectCode(() => decodeFloatHistogram(spans), ErrorCode.ShortBuffer);
    // One span of 2^31 buckets.
    const buckets = bits('00000000 00000001 00000000' + '00000000' + '0' + '10 001' + '11111110' + (2n ** 31n).toString(2).padStart(56, '0') + '0' + '0' + '0'.repeat(200));
    expectCode(() => decodeHistogram(buckets), ErrorCode.ShortBuffer);
    // 65535 samples in 20 bytes.
    const many = bits('11111111 11111111 00000000' + '00000000 0 0 0' + '0'.repeat(140));
    expectCode(() => decodeHistogram(many), ErrorCode.ShortBuffer);
  });
});

describe('decodeFloatHistogram', () => {
  it('decodes a hand-built gauge chunk', () => {
    const data = bits(
      '00000000 00000010' + // 2 samples
        '11 000000' + // gauge histogram
        '00000000' + // zero threshold 0
        '0' + // schema 0
        '10 001' + '10 001' + '0' + // positive spans: 1 of length 1, offset 0
        '0' + // negative spans: 0
        // sample 0: t, then count, zero count, sum, bucket as raw float64
        '110 000101' + // t = 5
        b64(bitsOf(1)) + b64(bitsOf(0)) + b64(bitsOf(0.5)) + b64(bitsOf(1)) +
        // sample 1
        '110 000101' + // t dod 5 → 10
        '1 1 00001 001011 11111111111' + // count 1.0 → 2.0
        '0' + // zero count unchanged
        '1 1 01011 000010 11' + // sum 0.5 → 1.5 (xor 0x0018…)
        '1 1 00001 001011 11111111111', // bucket 1.0 → 2.0
    );
    const common = { schema: 0, zeroThreshold: 0, zeroCount: 0, positiveSpans: [{ offset: 0, length: 1 }], negativeSpans: [], negativeBuckets: [], counterResetHint: CounterResetHint.Gauge };
    expect(decodeFloatHistogram(data)).toEqual([
      { ...common, t: 5, count: 1, sum: 0.5, positiveBuckets: [1] },
      { ...common, t: 10, count: 2, sum: 1.5, positiveBuckets: [2] },
    ]);
  });
});

// ---- Round trips through the test encoders ----

const spanArb = fc.record({ offset: fc.integer({ min: -4, max: 6 }), length: fc.integer({ min: 0, max: 4 }) });
const layoutArb: fc.Arbitrary<TestLayout> = fc
  .record({
    schema: fc.oneof(fc.integer({ min: -4, max: 8 }), fc.constant(-53)),
    zeroThreshold: fc.constantFrom(0, ZT_DEFAULT, 2 ** -243, 1024, 0.001, 1e-300, 3),
    positiveSpans: fc.array(spanArb, { maxLength: 4 }),
    negativeSpans: fc.array(spanArb, { maxLength: 3 }),
    customValues: fc.array(fc.constantFrom(0.1, 0.25, 1, 2.5, 5, 33554.43, 33554.431, 100.123456, -3, 1e9, Infinity), { maxLength: 6 }),
  })
  .map((l) => (l.schema === -53 ? l : { ...l, customValues: undefined }));

const countArb = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 2 ** 45 }));
const sumArb = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.double().map(bitsOf));

/** A chunk's worth of samples for a layout; a stale run may end it. */
function samplesArb(layout: TestLayout, float: boolean): fc.Arbitrary<TestHistogram[]> {
  const nb = (spans: { length: number }[]) => spans.reduce((a, s) => a + s.length, 0);
  const np = nb(layout.positiveSpans);
  const nn = nb(layout.negativeSpans);
  const value = float ? fc.oneof(fc.double(), fc.integer({ min: 0, max: 1000 })) : countArb;
  const one = fc.record({
    gap: fc.oneof(fc.constant(15_000), fc.integer({ min: 0, max: 2 ** 35 })),
    count: value,
    zeroCount: value,
    sumBits: sumArb,
    positive: fc.array(value, { minLength: np, maxLength: np }),
    negative: fc.array(value, { minLength: nn, maxLength: nn }),
    stMove: fc.integer({ min: 0, max: 5 }),
  });
  return fc.tuple(fc.integer({ min: -(2 ** 45), max: 2 ** 45 }), fc.array(one, { minLength: 1, maxLength: 40 }), fc.nat(45)).map(([t0, rows, staleFrom]) => {
    let t = t0;
    let st = 0;
    return rows.map((r, i) => {
      if (r.stMove === 5) st = t - 1;
      const h: TestHistogram = {
        t,
        count: r.count,
        zeroCount: r.zeroCount,
        sumBits: i >= staleFrom ? STALE_NAN_BITS : r.sumBits,
        positive: r.positive,
        negative: r.negative,
        st,
      };
      t += r.gap;
      return h;
    });
  });
}

/** What the decoder must return for an encoded sample. */
function expected(layout: TestLayout, h: TestHistogram, i: number, header: number, withST: boolean): HistogramSample {
  const out: HistogramSample =
    h.sumBits === STALE_NAN_BITS
      ? { t: h.t, stale: true, counterResetHint: 0, schema: 0, zeroThreshold: 0, zeroCount: 0, count: 0, sum: NaN, positiveSpans: [], negativeSpans: [], positiveBuckets: [], negativeBuckets: [] }
      : {
          t: h.t,
          counterResetHint: header === 3 ? 3 : i > 0 ? 0 : [0, 2, 1, 3][header]!,
          schema: layout.schema,
          zeroThreshold: layout.zeroThreshold,
          zeroCount: h.zeroCount,
          count: h.count,
          sum: numberOf(h.sumBits),
          positiveSpans: layout.positiveSpans,
          negativeSpans: layout.negativeSpans,
          positiveBuckets: h.positive,
          negativeBuckets: h.negative,
        };
  if (layout.schema === -53 && h.sumBits !== STALE_NAN_BITS) out.customValues = layout.customValues;
  if (withST) out.st = h.st;
  return out;
}

describe.each([
  { name: 'histogram', float: false, withST: false, decode: decodeHistogram },
  { name: 'histogramST', float: false, withST: true, decode: decodeHistogramST },
  { name: 'floathistogram', float: true, withST: false, decode: decodeFloatHistogram },
  { name: 'floathistogramST', float: true, withST: true, decode: decodeFloatHistogramST },
])('$name round trip', ({ float, withST, decode }) => {
  const encode = float ? encodeFloatHistogram : encodeHistogram;
  const chunkArb = layoutArb.chain((layout) => fc.tuple(fc.constant(layout), samplesArb(layout, float), fc.integer({ min: 0, max: 3 })));

  it('decodes every sample the encoder wrote', () => {
    fc.assert(
      fc.property(chunkArb, ([layout, samples, header]) => {
        const data = encode(layout, samples, { counterResetHeader: header, withST });
        const got = decode(data);
        expect(got).toEqual(samples.map((h, i) => expected(layout, h, i, header, withST)));
        // The stale marker stays recognisable even where the NaN payload may not.
        got.forEach((g, i) => expect(g.stale === true).toBe(samples[i]!.sumBits === STALE_NAN_BITS));
      }),
      { numRuns: 400 },
    );
  });

  it('fails cleanly on every truncation and on random bytes', () => {
    fc.assert(
      fc.property(chunkArb, ([layout, samples, header]) => {
        const data = encode(layout, samples, { counterResetHeader: header, withST });
        // The encoder adds no padding byte, so every shorter prefix lacks bits.
        for (let k = 0; k < data.length; k++) expectCode(() => decode(data.subarray(0, k)), ErrorCode.ShortBuffer);
      }),
      { numRuns: 60 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => decodesOrFailsCleanly(() => decode(b))), { numRuns: 3000 });
  });
});

it('gives the ST header its own counter-reset bits and a 14-bit count', () => {
  const layout: TestLayout = { schema: 1, zeroThreshold: 0, positiveSpans: [{ offset: 0, length: 1 }], negativeSpans: [] };
  const samples: TestHistogram[] = [
    { t: 100, count: 2, zeroCount: 0, sumBits: bitsOf(1), positive: [2], negative: [], st: 50 },
    { t: 200, count: 3, zeroCount: 0, sumBits: bitsOf(2), positive: [3], negative: [], st: 50 },
    { t: 300, count: 4, zeroCount: 0, sumBits: bitsOf(3), positive: [4], negative: [], st: 250 },
  ];
  const data = encodeHistogram(layout, samples, { counterResetHeader: 0b10, withST: true });
  expect(data[0]! >>> 6).toBe(0b10);
  expect(data[2]).toBe(0x80 | 2); // first ST known, first change on sample 2
  const got = decodeHistogramST(data);
  expect(got.map((s) => [s.t, s.st, s.counterResetHint])).toEqual([
    [100, 50, CounterResetHint.CounterReset],
    [200, 50, 0],
    [300, 250, 0],
  ]);
});
