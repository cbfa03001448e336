// `tsdb-inspect series`: GET /api/v1/series, offline, streamed: the series
// are merged across blocks and written as they come, whatever their number.

import { querySources } from '../snapshot/open.js';
import { seriesLabels, writeSeriesJson } from '../query/api.js';
import { labelsString } from '../query/goformat.js';
import { apiQueryArgs, type ApiArgs } from './api-args.js';
import { pickSnapshot } from './options.js';
import { stdoutTable } from './output.js';
import { UsageError, withInput } from './run.js';

/** A label set as the table shows it: the metric name, then the other labels. */
function seriesRow(l: readonly string[]): [string, string] {
  let name = '';
  const rest: string[] = [];
  for (let i = 0; i < l.length; i += 2) {
    if (l[i] === '__name__') name = l[i + 1];
    else rest.push(l[i], l[i + 1]);
  }
  return [name, labelsString(rest)];
}

export async function seriesCommand(a: ApiArgs): Promise<number> {
  const q = apiQueryArgs(a);
  if (q.matcherSets.length === 0) throw new UsageError('series needs at least one --match selector');
  return withInput(a.input, 'index', async (o, out) => {
    const sets = seriesLabels(querySources(pickSnapshot(o, a.snapshot)), q.matcherSets, q.start, q.end);
    if (a.format === 'json') {
      await writeSeriesJson(sets, out);
      return 0;
    }
    const t = stdoutTable([{ head: 'METRIC', min: 16 }, { head: 'LABELS' }], a.format, {}, out);
    for (const l of sets) await t.row(seriesRow(l));
    await t.end();
    return 0;
  });
}
