// Arguments shared by the API-shaped commands: repeated --match selectors
// and --start/--end as the HTTP API reads them.

import { API_MAX_TIME, API_MIN_TIME, parseApiTime } from '../query/api-time.js';
import type { Matcher } from '../query/matchers.js';
import { parseMatchParam } from '../query/promql.js';

export interface ApiArgs {
  input: string;
  match?: string | string[];
  start?: string;
  end?: string;
  format: 'table' | 'json';
}

export function matchList(match: string | string[] | undefined): string[] {
  if (match === undefined) return [];
  return Array.isArray(match) ? match.map(String) : [String(match)];
}

/** Parse every --match as the API parses match[], and the time range. */
export function apiQueryArgs(a: ApiArgs): { matcherSets: Matcher[][]; start: number; end: number } {
  const matcherSets = matchList(a.match).map(parseMatchParam);
  const start = a.start === undefined || a.start === '' ? API_MIN_TIME : parseApiTime(a.start, 'start');
  const end = a.end === undefined || a.end === '' ? API_MAX_TIME : parseApiTime(a.end, 'end');
  return { matcherSets, start, end };
}

export const TABLE_STYLE = { head: [] as string[], border: [] as string[], compact: true };
