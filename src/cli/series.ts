// `tsdb-inspect series`: GET /api/v1/series, offline.

import { querySources } from '../snapshot/open.js';
import Table from 'cli-table3';
import { apiJson, apiSeries } from '../query/api.js';
import { labelsString } from '../query/goformat.js';
import { apiQueryArgs, TABLE_STYLE, type ApiArgs } from './api-args.js';
import { UsageError, withInput } from './run.js';

export async function seriesCommand(a: ApiArgs): Promise<number> {
  const q = apiQueryArgs(a);
  if (q.matcherSets.length === 0) throw new UsageError('series needs at least one --match selector');
  return withInput(a.input, 'index', async (opened, out) => {
    const blocks = querySources(opened);
    const sets = apiSeries(blocks, q.matcherSets, q.start, q.end);
    if (a.format === 'json') {
      out.write(apiJson.series(sets) + '\n');
      return 0;
    }
    const t = new Table({ head: ['METRIC', 'LABELS'], style: TABLE_STYLE });
    for (const l of sets) {
      let name = '';
      const rest: string[] = [];
      for (let i = 0; i < l.length; i += 2) {
        if (l[i] === '__name__') name = l[i + 1];
        else rest.push(l[i], l[i + 1]);
      }
      t.push([name, labelsString(rest)]);
    }
    out.write(t.toString() + '\n');
    return 0;
  });
}
