// Label matchers with Prometheus semantics: regexes are RE2, fully
// anchored; a matcher that matches the empty string also selects series
// that lack the label.

import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

// re2js is loaded by the first regex matcher (~10 ms of a run's start), through its CommonJS build.
let re2js: typeof import('re2js') | undefined;
const loadRE2 = () => (re2js ??= createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS;

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
  matches(v: string): boolean;
}

export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  let test: (v: string) => boolean;
  if (type === '=') test = (v) => v === value;
  else if (type === '!=') test = (v) => v !== value;
  else {
    let re: RE2JS;
    try {
      re = loadRE2().compile(value);
    } catch (e) {
      throw new TsdbError(ErrorCode.BadInput, `invalid regular expression ${JSON.stringify(value)} for label ${name}: ${(e as Error).message}`, {}, { cause: e });
    }
    test = type === '=~' ? (v) => re.matches(v) : (v) => !re.matches(v);
  }
  return { name, type, value, matches: test };
}

/**
 * promtool's default selector: every series. `(?s:.*)` matches every string (newlines
 * included), so it needs no regex engine.
 */
export const MATCH_ALL: Matcher[] = [{ name: '__name__', type: '=~', value: '(?s:.*)', matches: () => true }];
