// Arguments shared by the API-shaped commands: repeated --match selectors
// and --start/--end as the HTTP API reads them (plus relative times).

import { API_MAX_TIME, API_MIN_TIME } from '../query/api-time.js';
import type { Matcher } from '../query/matchers.js';
import { parseMatchParam } from '../query/promql.js';
import type { TableFormat } from '../report/table.js';
import { timeOption } from './time-args.js';

export interface ApiArgs {
  input: string;
  match?: string | string[];
  start?: string;
  end?: string;
  snapshot?: string;
  format: TableFormat | 'json';
}

export function matchList(match: string | string[] | undefined): string[] {
  if (match === undefined) return [];
  return Array.isArray(match) ? match.map(String) : [String(match)];
}

/** Parse every --match as the API parses match[], and the time range. */
export function apiQueryArgs(a: ApiArgs): { matcherSets: Matcher[][]; start: number; end: number } {
  const matcherSets = matchList(a.match).map(parseMatchParam);
  const start = timeOption('start', a.start, 's') ?? API_MIN_TIME;
  const end = timeOption('end', a.end, 's') ?? API_MAX_TIME;
  return { matcherSets, start, end };
}
