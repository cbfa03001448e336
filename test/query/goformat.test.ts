// Go's %g and %d as promtool tsdb dump prints them: formatG against an
// independent model of strconv, and the byte writers against formatG and
// String().

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatG, labelsString, NUMBER_MAX_BYTES, writeFloatG, writeInt } from '../../src/query/goformat.js';
import { anyDouble, modelG } from '../helpers/gofloat.js';

const buf = new Uint8Array(64);
const ascii = (end: number, start = 0) => String.fromCharCode(...buf.subarray(start, end));

/** The text a writer writes at `at`; it may use its NUMBER_MAX_BYTES as scratch, but nothing around them. */
function written(write: (b: Uint8Array, pos: number, v: number) => number, v: number, at = 3): string {
  buf.fill(0xff);
  const end = write(buf, at, v);
  expect(end - at).toBeLessThanOrEqual(NUMBER_MAX_BYTES);
  expect(buf.subarray(0, at).every((b) => b === 0xff)).toBe(true);
  expect(buf.subarray(at + NUMBER_MAX_BYTES).every((b) => b === 0xff)).toBe(true);
  return ascii(end, at);
}

// Integers are writeFloatG's own path: around its 1e6 and 2^53 switches, with trailing zeros.
const anyInteger = fc.oneof(
  fc.integer({ min: -2e6, max: 2e6 }),
  fc.maxSafeInteger(),
  fc.tuple(fc.integer({ min: -99999, max: 99999 }), fc.integer({ min: 0, max: 12 })).map(([m, e]) => m * 10 ** e),
  fc.integer({ min: 0, max: 2 ** 20 }).map((d) => 2 ** 53 - d),
  fc.constantFrom(999999, 1e6, -1e6, 1000001, 1234567, 2 ** 32, 2 ** 32 - 1, 1e15, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 1e21, -(2 ** 53)),
);

describe('formatG is fmt.Sprintf("%g")', () => {
  it('matches the model of strconv for any double', () => {
    fc.assert(fc.property(fc.oneof(anyDouble, anyInteger), (v) => formatG(v) === modelG(v)), { numRuns: 5000 });
  });

  it('known values, as Go prints them', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '-0'],
      [NaN, 'NaN'],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
      [999999, '999999'],
      [1e6, '1e+06'],
      [1234567, '1.234567e+06'],
      [-1e6, '-1e+06'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [2 ** 53, '9.007199254740992e+15'],
      [5e-324, '5e-324'],
      [Number.MAX_VALUE, '1.7976931348623157e+308'],
      [0.1 + 0.2, '0.30000000000000004'],
      [123456.5, '123456.5'],
    ];
    for (const [v, s] of cases) expect(formatG(v), String(v)).toBe(s);
  });
});

describe('writeFloatG writes formatG as ASCII', () => {
  it('equals formatG for any double, integers above all', () => {
    fc.assert(fc.property(fc.oneof(anyDouble, anyInteger), (v) => written(writeFloatG, v) === formatG(v)), { numRuns: 5000 });
  });

  it('keeps the bits of stale markers and the signs of zero', () => {
    const stale = new Float64Array(new Uint32Array([2, 0x7ff00000]).buffer)[0];
    expect(written(writeFloatG, stale)).toBe('NaN');
    expect(written(writeFloatG, -0)).toBe('-0');
    expect(written(writeFloatG, 0, 0)).toBe('0');
    expect(written(writeFloatG, 9007199254740991)).toBe('9.007199254740991e+15');
    expect(written(writeFloatG, -120000000)).toBe('-1.2e+08');
    expect(written(writeFloatG, -42)).toBe('-42');
  });
});

describe('writeInt writes String(n)', () => {
  it('equals String(n) for int64 timestamps as numbers, negative ones too', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.integer({ min: 1e12, max: 2e12 })), (n) => written(writeInt, n) === String(n)),
      { numRuns: 5000 },
    );
  });

  it('equals String(n) for any double, -0 as 0', () => {
    fc.assert(fc.property(anyDouble, (n) => written(writeInt, n) === String(n)), { numRuns: 3000 });
    expect(written(writeInt, -0)).toBe('0');
    expect(written(writeInt, -1.3474620508276801e-6)).toBe('-0.0000013474620508276801'); // the longest kind
  });

  it('known values', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [9, '9'],
      [10, '10'],
      [-1, '-1'],
      [4294967295, '4294967295'],
      [4294967296, '4294967296'],
      [1795262400000, '1795262400000'],
      [100000000, '100000000'],
      [100000000 * 2 ** 20, '104857600000000'],
      [-9007199254740991, '-9007199254740991'],
      [9007199254740992, '9007199254740992'],
      [1e21, '1e+21'],
    ];
    for (const [n, s] of cases) expect(written(writeInt, n), String(n)).toBe(s);
  });
});

describe('labelsString', () => {
  it('quotes names outside the legacy charset, as 3.x labels.String does', () => {
    expect(labelsString(['__name__', 'test.utf8.gauge', 'label.with.dots', 'a', 'plain', 'x', 'ünïcode', '日本', '0digit', 'y'])).toBe(
      '{__name__="test.utf8.gauge", "label.with.dots"="a", plain="x", "ünïcode"="日本", "0digit"="y"}',
    );
    expect(labelsString(['_a1', 'v', 'a"b', 'v'])).toBe('{_a1="v", "a\\"b"="v"}');
  });
});
