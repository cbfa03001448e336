// Selectors through the lezer PromQL grammar: what they select, how
// strings unquote, and where errors point.

import { describe, expect, it } from 'vitest';
import { parseMatchParam, parseSeriesSelector, SelectorError, unquote } from '../../src/query/promql.js';

const shape = (sel: string) => parseSeriesSelector(sel).map((m) => [m.name, m.type, m.value]);

describe('parseSeriesSelector', () => {
  it('reads metric names, the four operators and label matchers, name matcher last', () => {
    expect(shape('up')).toEqual([['__name__', '=', 'up']]);
    expect(shape('node:cpu:rate5m{job="a", env!="b", x=~"c.*", y!~"d|e",}')).toEqual([
      ['job', '=', 'a'],
      ['env', '!=', 'b'],
      ['x', '=~', 'c.*'],
      ['y', '!~', 'd|e'],
      ['__name__', '=', 'node:cpu:rate5m'],
    ]);
    expect(shape('{__name__=~"http_.*", code!="200"}')).toEqual([
      ['__name__', '=~', 'http_.*'],
      ['code', '!=', '200'],
    ]);
  });

  it('accepts keywords as metric and label names where Prometheus 2.42 does', () => {
    expect(shape('sum')).toEqual([['__name__', '=', 'sum']]);
    expect(shape('offset')).toEqual([['__name__', '=', 'offset']]);
    expect(shape(' OFFSET{a="b"}')).toEqual([
      ['a', '=', 'b'],
      ['__name__', '=', 'OFFSET'],
    ]);
    expect(shape('{on="1", offset="2", bool="3"}').map((m) => m[0])).toEqual(['on', 'offset', 'bool']);
  });

  it('skips comments, as the PromQL lexer does', () => {
    expect(shape('# a comment\nup # another')).toEqual([['__name__', '=', 'up']]);
    expect(shape('{a="b", # x\n c="d"}')).toEqual([
      ['a', '=', 'b'],
      ['c', '=', 'd'],
    ]);
  });

  it('reads quoted metric and label names', () => {
    expect(shape('{"my.metric", "label.with.dots"="v"}')).toEqual([
      ['__name__', '=', 'my.metric'],
      ['label.with.dots', '=', 'v'],
    ]);
  });

  it('unquotes strings as Prometheus does', () => {
    expect(shape(`{a="x\\ty\\n\\"q\\"\\\\", b='it\\'s', c=\`raw\\d+\`}`).map((m) => m[2])).toEqual(['x\ty\n"q"\\', "it's", 'raw\\d+']);
    expect(shape('{a="\\u00fc\\U0001F389\\x41\\101\\xc3\\xbc"}')[0][2]).toBe('ü🎉AAü');
    expect(shape('{a="日本"}')[0][2]).toBe('日本');
    expect(shape('{a="\\xef\\xbb\\xbfbom", b="\\ufeffbom"}').map((m) => m[2])).toEqual(['\ufeffbom', '\ufeffbom']);
  });

  it('rejects what Prometheus rejects, with the position', () => {
    const cases: [string, number, number, RegExp][] = [
      ['{a=}', 1, 4, /unexpected "}"/],
      ['up[5m]', 1, 3, /series selector/],
      ['rate(up[5m])', 1, 5, /series selector/],
      ['{a="b"', 1, 7, /end of input/],
      ['{a=~"("}', 1, 2, /regular expression/],
      ['{a="\\q"}', 1, 4, /unknown escape/],
      ['{a="\\xZZ"}', 1, 4, /escape/],
      ['{a="\\uD800"}', 1, 4, /invalid Unicode/],
      ["{a='x\\\"'}", 1, 4, /unknown escape/],
      ['{a="b",,}', 1, 8, /unexpected ","/],
      ['bool', 1, 1, /unexpected/],
      ['{\n  a="b",\n  c=~"("\n}', 3, 3, /regular expression/],
      ['1 + 1', 1, 1, /series selector/],
      ['', 1, 1, /end of input/],
    ];
    for (const [sel, line, col, reason] of cases) {
      let err: unknown;
      try {
        parseSeriesSelector(sel);
      } catch (e) {
        err = e;
      }
      expect(err, sel).toBeInstanceOf(SelectorError);
      const e = err as SelectorError;
      expect([e.line, e.col], sel).toEqual([line, col]);
      expect(e.message, sel).toMatch(reason);
      expect(e.message).toContain(`${line}:${col}: parse error:`);
    }
  });

  it('insists on a non-empty matcher only where the API does', () => {
    expect(shape('{a=""}')).toEqual([['a', '=', '']]);
    expect(() => parseMatchParam('{a=""}')).toThrow(/at least one non-empty matcher/);
    expect(() => parseMatchParam('{a=~".*", b!="x"}')).toThrow(/at least one non-empty matcher/);
    expect(parseMatchParam('{a=~".+", b=""}')).toHaveLength(2);
  });
});

describe('regular expressions follow Prometheus: RE2, fully anchored', () => {
  const match = (re: string, v: string) => parseSeriesSelector(`{a=~${JSON.stringify(re)}}`)[0].matches(v);

  it('anchors both ends', () => {
    expect(match('b', 'ab')).toBe(false);
    expect(match('b', 'b')).toBe(true);
    expect(match('a|b', 'a')).toBe(true);
    expect(match('a|b', 'ab')).toBe(false);
    expect(match('api-[12]:8080', 'api-2:8080')).toBe(true);
    expect(match('api-[12]:8080', 'xapi-2:8080')).toBe(false);
  });

  it('uses RE2 semantics', () => {
    expect(match('.*', 'a\nb')).toBe(false); // . does not match \n
    expect(match('(?s).*', 'a\nb')).toBe(true);
    expect(match('(?i)UP', 'up')).toBe(true);
    expect(match('\\d+', '123')).toBe(true);
    expect(match('[[:alpha:]]+', 'abc')).toBe(true);
    expect(match('\\p{Greek}+', 'αβ')).toBe(true);
    expect(match('a{2}', 'aa')).toBe(true);
    // RE2 has no backreferences or lookaround: Prometheus rejects them.
    expect(() => parseSeriesSelector('{a=~"(x)\\\\1"}')).toThrow(SelectorError);
    expect(() => parseSeriesSelector('{a=~"(?=x)"}')).toThrow(SelectorError);
    expect(() => parseSeriesSelector('{a=~"x++"}')).toThrow(SelectorError);
  });

  it('negated regexes and inequality', () => {
    const [m] = parseSeriesSelector('{a!~"n.*|p.*"}');
    expect(m.matches('nan')).toBe(false);
    expect(m.matches('zero')).toBe(true);
    expect(m.matches('')).toBe(true);
    const [ne] = parseSeriesSelector('{a!="x"}');
    expect(ne.matches('x')).toBe(false);
    expect(ne.matches('')).toBe(true);
  });
});

describe('unquote', () => {
  it('rejects an unterminated string', () => {
    expect(() => unquote('"abc', 0, 4)).toThrow(/unterminated/);
  });
});
