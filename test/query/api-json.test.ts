// The API's number and string formatting against independent models of Go's
// strconv.FormatFloat ('f' and 'e', precision -1), jsonutil.MarshalTimestamp
// and encoding/json's string escaping.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatApiFloat, formatApiTimestamp, formatFloatE, formatFloatF, goJsonString, labelsJson } from '../../src/query/api-json.js';
import { anyDouble, modelE, modelF } from '../helpers/gofloat.js';

describe("strconv.FormatFloat(v, 'f' | 'e', -1, 64)", () => {
  it('f matches the model', () => {
    fc.assert(fc.property(anyDouble, (v) => formatFloatF(v) === modelF(v)), { numRuns: 3000 });
  });

  it('e matches the model', () => {
    fc.assert(fc.property(anyDouble, (v) => formatFloatE(v) === modelE(v)), { numRuns: 3000 });
  });

  it('known values, as the 2.42 server writes them', () => {
    expect(formatFloatF(1e21)).toBe('1000000000000000000000');
    expect(formatFloatF(0.000015)).toBe('0.000015');
    expect(formatFloatF(-254946949510858.62)).toBe('-254946949510858.62'); // a tie at 17 digits: Go picks the even one
    expect(formatFloatF(254946949510858.625)).toBe('254946949510858.62');
    expect(formatFloatE(1e-7)).toBe('1e-07');
    expect(formatFloatE(-2.5e-310)).toBe('-2.5e-310');
    expect(formatFloatE(1.5e300)).toBe('1.5e+300');
  });
});

describe('jsonutil.MarshalValue', () => {
  it("uses 'e' below 1e-6 and from 1e21, 'f' otherwise", () => {
    fc.assert(
      fc.property(anyDouble, (v) => {
        const a = Math.abs(v);
        const want = a !== 0 && (a < 1e-6 || a >= 1e21) ? modelE(v) : modelF(v);
        return formatApiFloat(v) === want;
      }),
      { numRuns: 3000 },
    );
    expect(formatApiFloat(1e21)).toBe('1e+21');
    expect(formatApiFloat(9.999999999999999e20)).toBe('999999999999999900000');
    expect(formatApiFloat(1e-6)).toBe('0.000001');
    expect(formatApiFloat(1e-7)).toBe('1e-07');
    expect(formatApiFloat(-0)).toBe('-0');
    expect(formatApiFloat(NaN)).toBe('NaN');
    expect(formatApiFloat(0.1 + 0.2)).toBe('0.30000000000000004');
  });
});

describe('jsonutil.MarshalTimestamp', () => {
  it('writes seconds with the milliseconds as three digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e15, max: 1e15 }), (t) => {
        const abs = BigInt(Math.abs(t));
        const frac = abs % 1000n;
        const want = (t < 0 ? '-' : '') + (abs / 1000n).toString() + (frac === 0n ? '' : '.' + frac.toString().padStart(3, '0'));
        return formatApiTimestamp(t) === want;
      }),
      { numRuns: 2000 },
    );
    expect(formatApiTimestamp(1795358336148)).toBe('1795358336.148');
    expect(formatApiTimestamp(1795358336100)).toBe('1795358336.100');
    expect(formatApiTimestamp(1795358336005)).toBe('1795358336.005');
    expect(formatApiTimestamp(1795358336000)).toBe('1795358336');
    expect(formatApiTimestamp(-1500)).toBe('-1.500');
    expect(formatApiTimestamp(0)).toBe('0');
  });
});

describe("encoding/json strings (Go 1.19, HTML-safe)", () => {
  const model = (s: string) =>
    JSON.stringify(s).replace(/\\u[0-9a-f]{4}|\\.|[<>&\u2028\u2029]/g, (m) => {
      if (m === '\\b') return '\\u0008';
      if (m === '\\f') return '\\u000c';
      if (/^\\ud[89a-f]/.test(m)) return '\\ufffd';
      if (m.length === 1) return '\\u' + m.charCodeAt(0).toString(16).padStart(4, '0');
      return m;
    });

  it('escapes as Go does, and reads back', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', 'b', 'f', '"', '\\', '\n', '\t', '\b', '\f', '\x01', '<', '>', '&', '\u2028', '\u2029', 'ü', '🎉', '\x7f') }));
    fc.assert(
      fc.property(text, (s) => {
        const got = goJsonString(s);
        // Lone surrogates are not text Go could hold; everything else must round-trip.
        const wellFormed = !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
        return got === model(s) && (!wellFormed || JSON.parse(got) === s);
      }),
      { numRuns: 3000 },
    );
    expect(goJsonString('a<b>&"\\\n\t\b\u2028')).toBe('"a\\u003cb\\u003e\\u0026\\"\\\\\\n\\t\\u0008\\u2028"');
  });

  it('labels as an object in label order', () => {
    expect(labelsJson(['__name__', 'up', 'job', 'a"b'])).toBe('{"__name__":"up","job":"a\\"b"}');
    expect(labelsJson([])).toBe('{}');
  });
});
