// Label matchers with Prometheus semantics: regexes are RE2, fully
// anchored; a matcher that matches the empty string also selects series
// that lack the label.

import { RE2JS } from 're2js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

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
      re = RE2JS.compile(value);
    } catch (e) {
      throw new TsdbError(ErrorCode.BadInput, `invalid regular expression ${JSON.stringify(value)} for label ${name}: ${(e as Error).message}`, {}, { cause: e });
    }
    test = type === '=~' ? (v) => re.matches(v) : (v) => !re.matches(v);
  }
  return { name, type, value, matches: test };
}

/** promtool's default selector: every series. */
export const MATCH_ALL: Matcher[] = [newMatcher('=~', '__name__', '(?s:.*)')];
