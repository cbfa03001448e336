// Series selectors parsed with the official PromQL grammar
// (@prometheus-io/lezer-promql), as Prometheus's parser.ParseMetricSelector
// reads `match[]`: `metric`, `{l="v", l2=~"re"}`, `metric{…}`, and the
// quoted names of newer Prometheus (`{"metric.name", "label.x"="v"}`).
// Strings are unquoted the way Prometheus's lexer and strutil.Unquote do
// it. Errors carry the position, as `line:col: parse error: …`.

import { parser } from '@prometheus-io/lezer-promql';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { decodeUtf8 } from '../encoding/decbuf.js';
import { newMatcher, type MatchType, type Matcher } from './matchers.js';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

const strictParser = parser.configure({ strict: true });

/** A selector error: where (0-based offset into the input) and what. */
export class SelectorError extends TsdbError {
  readonly input: string;
  readonly pos: number;
  readonly line: number;
  readonly col: number;
  readonly reason: string;
  constructor(input: string, pos: number, reason: string) {
    const { line, col } = lineCol(input, pos);
    super(ErrorCode.BadInput, `invalid selector ${JSON.stringify(input)}: ${line}:${col}: parse error: ${reason}`);
    this.input = input;
    this.pos = pos;
    this.line = line;
    this.col = col;
    this.reason = reason;
  }
}

/** 1-based line and column of a 0-based offset, as Prometheus's ParseErr prints them. */
function lineCol(input: string, pos: number): { line: number; col: number } {
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < pos && i < input.length; i++) {
    if (input[i] === '\n') {
      line++;
      lastBreak = i;
    }
  }
  return { line, col: pos - lastBreak };
}

// Go's lexer makes `offset` a keyword everywhere, yet 2.42 accepts it as a
// metric name (metric_identifier lists OFFSET); lezer-promql does not.
const LEADING_OFFSET = /^(\s*)(offset)(?![A-Za-z0-9_:])/i;

/**
 * Parse one series selector into matchers (label matchers in order, then
 * the metric name's `__name__=` matcher, as Prometheus builds them).
 * Throws SelectorError with the parser's position.
 */
export function parseSeriesSelector(input: string): Matcher[] {
  let text = input;
  let offsetName: string | undefined;
  const m = LEADING_OFFSET.exec(input);
  if (m) {
    offsetName = m[2];
    text = m[1] + 'x'.repeat(m[2].length) + input.slice(m[0].length);
  }
  let tree: ReturnType<typeof parser.parse>;
  try {
    tree = strictParser.parse(text);
  } catch (e) {
    const pos = /No parse at (\d+)/.exec((e as Error).message);
    const at = pos ? Number(pos[1]) : 0;
    throw new SelectorError(input, at, at >= input.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(tokenAt(input, at))}`);
  }
  let expr = tree.topNode.firstChild;
  while (expr && expr.name === 'LineComment') expr = expr.nextSibling;
  if (!expr) throw new SelectorError(input, input.length, 'unexpected end of input');
  if (expr.name !== 'VectorSelector') {
    // e.g. up[5m] or rate(up[5m]): as Go's parser, point past a leading name, else at the first token.
    let n: SyntaxNode = expr;
    while (n.name !== 'VectorSelector' && n.firstChild) n = n.firstChild;
    let at = n.from;
    if (n.name === 'VectorSelector' || /^[A-Za-z_:]/.test(text.slice(n.from, n.to))) {
      at = n.to;
      while (at < text.length && /\s/.test(text[at])) at++;
    }
    throw new SelectorError(input, at, `expected a series selector, got ${describeNode(expr.name)}`);
  }
  const out: Matcher[] = [];
  let name: string | undefined;
  let nameAt = 0;
  for (let c = expr.firstChild; c; c = c.nextSibling) {
    if (c.name === 'Identifier') {
      name = offsetName ?? text.slice(c.from, c.to);
      nameAt = c.from;
    } else if (c.name === 'LabelMatchers') {
      for (let lm = c.firstChild; lm; lm = lm.nextSibling) {
        if (lm.name === 'UnquotedLabelMatcher' || lm.name === 'QuotedLabelMatcher') out.push(labelMatcher(input, lm));
        else if (lm.name === 'QuotedLabelName') {
          // {"metric.name"}: a quoted metric name inside the braces.
          const s = lm.firstChild!;
          out.push(matcherAt(input, lm.from, '=', '__name__', unquote(input, s.from, s.to)));
        }
      }
    }
  }
  if (name !== undefined) out.push(matcherAt(input, nameAt, '=', '__name__', name));
  return out;
}

/** parseSeriesSelector plus Prometheus's API rule: at least one matcher must not match "". */
export function parseMatchParam(input: string): Matcher[] {
  const ms = parseSeriesSelector(input);
  if (ms.every((m) => m.matches(''))) {
    throw new SelectorError(input, 0, 'vector selector must contain at least one non-empty matcher');
  }
  return ms;
}

/** The token starting at `at`, for messages: a name, a number, a quoted string or one character. */
function tokenAt(input: string, at: number): string {
  const rest = input.slice(at);
  const m = /^(?:[A-Za-z_:][A-Za-z0-9_:]*|[0-9.]+|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`[^`]*`?)/.exec(rest);
  return m && m[0] ? m[0] : String.fromCodePoint(rest.codePointAt(0)!);
}

function describeNode(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function labelMatcher(input: string, lm: SyntaxNode): Matcher {
  const nameNode = lm.firstChild!;
  const opNode = nameNode.nextSibling!;
  const valueNode = opNode.nextSibling!;
  const label =
    nameNode.name === 'QuotedLabelName'
      ? unquote(input, nameNode.firstChild!.from, nameNode.firstChild!.to)
      : input.slice(nameNode.from, nameNode.to);
  const op = input.slice(opNode.from, opNode.to) as MatchType;
  return matcherAt(input, lm.from, op, label, unquote(input, valueNode.from, valueNode.to));
}

function matcherAt(input: string, pos: number, type: MatchType, name: string, value: string): Matcher {
  try {
    return newMatcher(type, name, value);
  } catch (e) {
    throw new SelectorError(input, pos, (e as Error).message);
  }
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
const utf8 = new TextEncoder();

/**
 * The value of the string literal input[from, to): "…" and '…' with Go's
 * escapes (\a \b \f \n \r \t \v \\, the string's own quote, \NNN octal,
 * \xNN, \uNNNN, \UNNNNNNNN), or a raw `…` string taken as it is. Octal and
 * \x escapes are bytes; the result is decoded as UTF-8.
 */
export function unquote(input: string, from: number, to: number): string {
  const q = input[from];
  const body = input.slice(from + 1, to - 1);
  if (to - from < 2 || input[to - 1] !== q) throw new SelectorError(input, from, 'unterminated quoted string');
  if (q === '`') return body;
  if (!body.includes('\\')) return body;
  const bytes: number[] = [];
  const pushText = (s: string) => {
    for (const b of utf8.encode(s)) bytes.push(b);
  };
  let i = 0;
  let plain = 0;
  while (i < body.length) {
    if (body[i] !== '\\') {
      i++;
      continue;
    }
    pushText(body.slice(plain, i));
    const at = from; // Prometheus points at the string, not at the escape
    const c = body[i + 1];
    i += 2;
    if (c === undefined) throw new SelectorError(input, at, 'escape sequence not terminated');
    if (c in SIMPLE_ESCAPES) bytes.push(SIMPLE_ESCAPES[c]);
    else if (c === q) bytes.push(q.charCodeAt(0));
    else if (c >= '0' && c <= '7') {
      const o = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(o)) throw new SelectorError(input, at, `illegal character in escape sequence \\${o}`);
      const v = parseInt(o, 8);
      if (v > 255) throw new SelectorError(input, at, `escape sequence is an invalid Unicode code point: \\${o}`);
      bytes.push(v);
      i += 2;
    } else if (c === 'x' || c === 'u' || c === 'U') {
      const n = c === 'x' ? 2 : c === 'u' ? 4 : 8;
      const h = body.slice(i, i + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new SelectorError(input, at, `illegal character in escape sequence \\${c}${h}`);
      const v = parseInt(h, 16);
      i += n;
      if (c === 'x') bytes.push(v);
      else {
        if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new SelectorError(input, at, `escape sequence is an invalid Unicode code point: \\${c}${h}`);
        pushText(String.fromCodePoint(v));
      }
    } else throw new SelectorError(input, at, `unknown escape sequence ${JSON.stringify('\\' + c)}`);
    plain = i;
  }
  pushText(body.slice(plain));
  return decodeUtf8(new Uint8Array(bytes));
}
