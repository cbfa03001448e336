import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/encoding/errors.js';
import { decodeGoJson, JsonFieldError, MAX_DEPTH, type GoType } from '../../src/meta/gojson.js';
import { outcome } from '../helpers/errors.js';

const ANY: GoType = { kind: 'any' };
const T: GoType = {
  kind: 'struct',
  name: 'T',
  rest: 'extra',
  fields: {
    i: { kind: 'int64' },
    u: { kind: 'uint64' },
    b: { kind: 'bool' },
    s: { kind: 'string' },
    list: { kind: 'slice', elem: { kind: 'struct', name: 'E', fields: { a: { kind: 'int64' }, b: { kind: 'int64' } } } },
    text: { kind: 'text', name: 'Up', zero: '', unmarshal: (s: string) => { if (s === 'bad') throw new Error('refused'); return s.toUpperCase(); } },
    kid: { kind: 'struct', name: 'Kid', fields: { n: { kind: 'uint64' } } },
  },
};
const enc = (s: string) => new TextEncoder().encode(s);
const decode = (s: string | Uint8Array, t: GoType = T) => decodeGoJson<any>(typeof s === 'string' ? enc(s) : s, t, 'x.json');

/** The error decoding `s` throws: whether it names a field, which, and where. */
function failure(s: string | Uint8Array, t: GoType = T): { field?: string; offset?: number; message: string } {
  const r = outcome(() => decode(s, t));
  if (r.kind !== 'error') throw new Error(`${JSON.stringify(String(s))} gave ${r.kind === 'ok' ? 'a value' : r.reason}`);
  expect(r.error.code).toBe(ErrorCode.Corrupt);
  expect(r.error.context.file).toBe('x.json');
  return { field: r.error instanceof JsonFieldError ? r.error.field : undefined, offset: r.error.context.offset, message: r.error.message };
}

describe('decodeGoJson: what Go accepts', () => {
  it('fills a struct, zero values where a field is absent', () => {
    expect(decode('{"i":-5,"u":7,"b":true,"s":"x","kid":{"n":3},"list":[{"a":1}],"text":"abc"}').value).toEqual({
      i: -5, u: 7, b: true, s: 'x', kid: { n: 3 }, list: [{ a: 1, b: 0 }], text: 'ABC', extra: {},
    });
    expect(decode('{}').value).toEqual({ i: 0, u: 0, b: false, s: '', list: [], text: '', kid: { n: 0 }, extra: {} });
  });

  it('takes integers as strconv.ParseInt/ParseUint do: -0, the ends of int64 and uint64', () => {
    expect(decode('{"i":-0}').value.i).toBe(0);
    expect(decode('{"i":-9223372036854775808}').value.i).toBe(-(2 ** 63));
    expect(decode('{"i":9223372036854775807}').value.i).toBe(2 ** 63);
    expect(decode('{"u":18446744073709551615}').value.u).toBe(2 ** 64);
  });

  it('matches keys exactly, else case-insensitively, with ſ as s and the Kelvin sign as k', () => {
    expect(decode('{"I":1,"S":"a","KID":{"N":2}}').value).toMatchObject({ i: 1, s: 'a', kid: { n: 2 } });
    expect(decode('{"\u017f":"long s"}').value.s).toBe('long s');
    const k: GoType = { kind: 'struct', name: 'K', fields: { k: { kind: 'int64' } } };
    expect(decode('{"\u212a":4}', k).value.k).toBe(4);
    expect(decode('{"\\u0069":6}').value.i).toBe(6); // keys are unescaped first
    expect(decode('{"i\u0307":6}').value).toMatchObject({ i: 0, extra: { 'i\u0307': 6 } });
  });

  it('decodes a key given twice into the same field again: the last value wins, null leaves it, slices and structs are reused', () => {
    expect(decode('{"i":1,"I":2}').value.i).toBe(2);
    expect(decode('{"i":1,"i":null}').value.i).toBe(1);
    expect(decode('{"kid":{"n":1},"kid":null}').value.kid).toEqual({ n: 1 });
    expect(decode('{"list":[{"a":1},{"a":2}],"list":[{"b":3}]}').value.list).toEqual([{ a: 1, b: 3 }]);
    expect(decode('{"list":[{"a":1}],"list":[]}').value.list).toEqual([]);
    expect(decode('{"list":[{"a":1}],"list":null}').value.list).toEqual([]);
    expect(decode('{"text":"a","text":null}').value.text).toBe('A');
  });

  it('skips unknown fields without decoding them (1e999 is fine), keeping them as JSON.parse would', () => {
    expect(decode('{"x":1e999,"y":[{"z":null}],"__proto__":1}').value.extra).toEqual(JSON.parse('{"x":1e999,"y":[{"z":null}],"__proto__":1}'));
  });

  it('replaces invalid UTF-8 and lone surrogates with U+FFFD as Go does, byte by byte', () => {
    expect(decode(Uint8Array.of(0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0x61, 0xff, 0xe2, 0x82, 0x62, 0x22, 0x7d)).value.s).toBe('a\ufffd\ufffd\ufffdb');
    expect(decode('{"s":"\\ud800x\\udc00\\ud83d\\ude00"}').value.s).toBe('\ufffdx\ufffd\u{1f600}');
    expect(decode('{"s":"\\udc00\\udc00\\ud800\\u0041"}').value.s).toBe('\ufffd\ufffd\ufffdA');
    expect(decode('{"s":"\ufeff\u00e9"}').value.s).toBe('\ufeff\u00e9');
    // Overlong forms, UTF-8 surrogates and code points past U+10FFFF are invalid too.
    for (const bad of [[0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80]]) {
      const got = decode(Uint8Array.from([...enc('{"s":"'), ...bad, ...enc('"}')])).value.s;
      expect(got, bad.join(' ')).toBe('\ufffd'.repeat(bad.length));
    }
  });

  it('allows nesting exactly 10000 deep, and JSON whitespace around the value', () => {
    const deep = (n: number) => `{"x":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    expect(decode(deep(MAX_DEPTH)).value.extra.x).toBeDefined();
    expect(failure(deep(MAX_DEPTH + 1)).offset).toBe(5 + MAX_DEPTH - 1);
    expect(decode(' \t\r\n{"i":1} \n').value.i).toBe(1);
  });
});

describe('decodeGoJson: what Go refuses', () => {
  it('a syntax error, at the byte that breaks the grammar', () => {
    const cases: [string, number][] = [
      ['\ufeff{}', 0], ['\u00a0{}', 0], ['', 0], ['{', 1], ['{"i":1,}', 7], ['{"i":01}', 6], ['{"i":+1}', 5], ['{"x":.5}', 5],
      ['{"x":1.}', 7], ['{"x":1e}', 7], ['{"x":-}', 6], ['{"x":tru}', 8], ['{"x":nul }', 8], ['{"x":"\t"}', 6], ['{"x":"\\x"}', 7],
      ['{"x":"\\u12"}', 8], ['{} x', 3], ['{}{}', 2], ['{"x" 1}', 5], ['[1 2]', 3], ["{'x':1}", 1], ['{"x":"abc', 9],
    ];
    for (const [s, at] of cases) {
      const f = failure(s);
      expect([s, f.field, f.offset]).toEqual([s, undefined, at]);
    }
  });

  it('a syntax error even after a value of the wrong type', () => {
    expect(failure('{"i":"x",}').field).toBeUndefined();
  });

  it('a value of the wrong type or range, naming the field and where its value starts', () => {
    const cases: [string, string, number][] = [
      ['{"i":1.5}', 'i', 5], ['{"i":1e3}', 'i', 5], ['{"i":1.0}', 'i', 5], ['{"i":9223372036854775808}', 'i', 5], ['{"i":-9223372036854775809}', 'i', 5],
      ['{"i":"1"}', 'i', 5], ['{"i":true}', 'i', 5], ['{"i":[]}', 'i', 5], ['{"u":-0}', 'u', 5], ['{"u":24.0}', 'u', 5], ['{"u":18446744073709551616}', 'u', 5],
      ['{"u":' + '1'.repeat(400) + '}', 'u', 5], ['{"b":1}', 'b', 5], ['{"s":1}', 's', 5], ['{"kid":[]}', 'kid', 7], ['{"kid":{"n":"2"}}', 'kid.n', 12],
      ['{"list":{}}', 'list', 8], ['{"list":"x"}', 'list', 8], ['{"list":[{"a":0.5}]}', 'list[0].a', 14], ['{"text":"bad"}', 'text', 8], ['{"text":1}', 'text', 8],
      ['[]', '', 0], ['"x"', '', 0], ['{"I":"x"}', 'i', 5],
    ];
    for (const [s, field, at] of cases) {
      const f = failure(s);
      expect([s, f.field, f.offset]).toEqual([s, field, at]);
    }
  });

  it('reports the first value of the wrong type', () => {
    expect(failure('{"s":1,"i":"x"}').field).toBe('s');
  });
});

describe('decodeGoJson properties', () => {
  it('reads any valid JSON into an unknown field as JSON.parse does', () => {
    // Lone surrogates are the one difference: Go reads them as U+FFFD.
    const text = fc.jsonValue().map((v) => JSON.stringify(v)).filter((s) => !/\\ud[89a-f]/i.test(s));
    fc.assert(
      fc.property(text, (s) => {
        expect(decode(s, ANY).value).toEqual(JSON.parse(s));
      }),
    );
  });

  it('never throws anything but a coded TsdbError with an offset inside the input, on any text or bytes', () => {
    const inputs = fc.oneof(
      fc.string().map(enc),
      fc.uint8Array({ maxLength: 64 }),
      fc.jsonValue().map((v) => JSON.stringify({ i: v, u: v, b: v, s: v, list: [v], text: v, kid: v })).map(enc),
      fc.jsonValue().chain((v) => {
        const s = JSON.stringify(v);
        return fc.tuple(fc.nat(s.length), fc.string({ maxLength: 3 })).map(([k, x]) => enc(s.slice(0, k) + x + s.slice(k + 1)));
      }),
    );
    fc.assert(
      fc.property(inputs, fc.constantFrom(T, ANY), (b, t) => {
        const r = outcome(() => decode(b, t), b.length);
        expect(r.kind === 'unclean' ? r.reason : 'clean').toBe('clean');
      }),
      { numRuns: 2000 },
    );
  });

  it('reads 8 MiB of numbers, and of nesting, without recursion or a stall (time grows with the size, up to the 64 MiB verify reads)', () => {
    const skipAll: GoType = { kind: 'struct', name: 'S', fields: {} };
    const n = 4 << 20;
    const t0 = performance.now();
    expect(decode(`{"x":[${'1,'.repeat(n - 4)}1]}`, skipAll).value).toEqual({});
    const r = outcome(() => decode('{"x":' + '[{"x":'.repeat(n / 3), skipAll));
    expect(r.kind === 'error' && r.error.message).toMatch(/exceeded max depth/);
    expect(performance.now() - t0).toBeLessThan(10000);
  });
});
