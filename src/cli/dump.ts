// `tsdb-inspect dump`: promtool tsdb dump's output, without needing a
// writable directory or an empty wal/. `--format json` answers as
// /api/v1/query does for the range selector `<match>[<max-time − min-time>ms]`
// at `<max-time>`; `--format openmetrics` writes what newer promtool's
// `tsdb dump-openmetrics` writes.

import { querySources } from '../snapshot/open.js';
import { MATCH_ALL, type Matcher } from '../query/matchers.js';
import { parseMatchParam, parseSeriesSelector } from '../query/promql.js';
import { writeDump } from '../query/dump.js';
import { writeRangeQuery } from '../query/api.js';
import { writeOpenMetrics } from '../query/openmetrics.js';
import { pickSnapshot } from './options.js';
import { UsageError, withInput } from './run.js';
import { timeOption } from './time-args.js';

export type DumpFormat = 'prom' | 'json' | 'openmetrics';

export interface DumpArgs {
  input: string;
  match?: string | string[];
  minTime?: string;
  maxTime?: string;
  format?: DumpFormat;
  snapshot?: string;
  /** Stop each series at its first native histogram sample, as promtool 2.42 does. */
  promtoolCompat?: boolean;
}

export async function dumpCommand(a: DumpArgs): Promise<number> {
  const format = a.format ?? 'prom';
  if (Array.isArray(a.match)) throw new UsageError('dump takes one --match selector');
  let matchers: Matcher[] = MATCH_ALL;
  // A range query needs a selector (the API's rule): without one, every sample would go out as one JSON line.
  if (a.match === undefined && format === 'json') throw new UsageError('dump --format json needs a --match selector, as /api/v1/query needs one');
  // promtool reads --match with ParseMetricSelector; the query API also insists on a non-empty matcher.
  if (a.match !== undefined) matchers = format === 'json' ? parseMatchParam(a.match) : parseSeriesSelector(a.match);
  // promtool's milliseconds, or RFC 3339, or relative to now.
  const minTime = timeOption('min-time', a.minTime, 'ms');
  const maxTime = timeOption('max-time', a.maxTime, 'ms');
  return withInput(a.input, 'chunks', async (o, out) => {
    const opened = pickSnapshot(o, a.snapshot);
    // `{}` parses to no matchers, which select nothing in Prometheus (an empty intersection).
    const blocks = matchers.length === 0 ? [] : querySources(opened);
    if (format === 'json') await writeRangeQuery(blocks, matchers, minTime ?? -Infinity, maxTime ?? Infinity, out);
    else if (format === 'openmetrics') await writeOpenMetrics(blocks, matchers, minTime ?? -Infinity, maxTime ?? Infinity, out);
    else await writeDump(blocks, { matchers, minTime, maxTime, promtoolCompat: a.promtoolCompat }, out);
    return 0;
  });
}
