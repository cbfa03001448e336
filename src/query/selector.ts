// A parser for series selectors: `metric`, `{l="v", l2=~"re"}` or
// `metric{…}`, with Go/PromQL string escapes in "…", '…' and raw `…`.
// Errors name the byte position, as the PromQL parser does.

import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { newMatcher, type MatchType, type Matcher } from './matchers.js';

const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[A-Za-z0-9_:]/;

export function parseSelector(input: string): Matcher[] {
  let i = 0;
  const err = (msg: string): never => {
    throw new TsdbError(ErrorCode.BadInput, `invalid selector ${JSON.stringify(input)}: position ${i + 1}: ${msg}`);
  };
  const ws = () => {
    while (i < input.length && /\s/.test(input[i])) i++;
  };
  const ident = (labelOnly: boolean): string => {
    const start = i;
    if (i >= input.length || !NAME_START.test(input[i]) || (labelOnly && input[i] === ':')) err('expected a name');
    while (i < input.length && NAME_CHAR.test(input[i]) && !(labelOnly && input[i] === ':')) i++;
    return input.slice(start, i);
  };
  const str = (): string => {
    const q = input[i];
    if (q !== '"' && q !== "'" && q !== '`') err('expected a quoted string');
    i++;
    let out = '';
    while (i < input.length && input[i] !== q) {
      if (q !== '`' && input[i] === '\\') {
        out += unescape();
      } else out += input[i++];
    }
    if (i >= input.length) err('unterminated string');
    i++;
    return out;
  };
  const unescape = (): string => {
    i++; // backslash
    const c = input[i++];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (c in simple) return simple[c];
    const hex = (n: number) => {
      const h = input.slice(i, i + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) err(`bad escape \\${c}${h}`);
      i += n;
      return parseInt(h, 16);
    };
    if (c === 'x') return String.fromCharCode(hex(2));
    if (c === 'u') return String.fromCodePoint(hex(4));
    if (c === 'U') return String.fromCodePoint(hex(8));
    if (c >= '0' && c <= '7') {
      const o = input.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(o)) err(`bad octal escape \\${o}`);
      i += 2;
      return String.fromCharCode(parseInt(o, 8));
    }
    return err(`unknown escape sequence \\${c}`);
  };

  const matchers: Matcher[] = [];
  ws();
  if (i < input.length && input[i] !== '{') matchers.push(newMatcher('=', '__name__', ident(false)));
  ws();
  if (input[i] === '{') {
    i++;
    ws();
    while (input[i] !== '}') {
      const name = ident(true);
      ws();
      const op = input.slice(i, i + 2);
      let type: MatchType;
      if (op === '=~' || op === '!~' || op === '!=') { type = op; i += 2; }
      else if (input[i] === '=') { type = '='; i++; }
      else return err('expected one of =, !=, =~, !~');
      ws();
      matchers.push(newMatcher(type, name, str()));
      ws();
      if (input[i] === ',') { i++; ws(); }
      else if (input[i] !== '}') err('expected , or }');
    }
    i++;
  }
  ws();
  if (i < input.length) err(`unexpected ${JSON.stringify(input.slice(i, i + 10))}`);
  if (matchers.length === 0) err('a selector needs at least one matcher');
  if (matchers.every((m) => m.matches(''))) {
    i = 0;
    err('vector selector must contain at least one non-empty matcher');
  }
  return matchers;
}
