// `tsdb-inspect labels` and `label-values`: GET /api/v1/labels and
// /api/v1/label/<name>/values, offline.

import { querySources } from '../snapshot/open.js';
import type { Writable } from 'node:stream';
import Table from 'cli-table3';
import { apiJson, apiLabelNames, apiLabelValues, isValidLabelName } from '../query/api.js';
import { apiQueryArgs, TABLE_STYLE, type ApiArgs } from './api-args.js';
import { UsageError, withInput } from './run.js';

function writeList(head: string, values: string[], format: 'table' | 'json', out: Writable): void {
  if (format === 'json') {
    out.write(apiJson.strings(values) + '\n');
    return;
  }
  const t = new Table({ head: [head], style: TABLE_STYLE });
  for (const v of values) t.push([v]);
  out.write(t.toString() + '\n');
}

export async function labelsCommand(a: ApiArgs): Promise<number> {
  const q = apiQueryArgs(a);
  return withInput(a.input, 'index', async (opened, out) => {
    const blocks = querySources(opened);
    writeList('LABEL NAME', apiLabelNames(blocks, q.matcherSets, q.start, q.end), a.format, out);
    return 0;
  });
}

export async function labelValuesCommand(a: ApiArgs & { name: string }): Promise<number> {
  if (!isValidLabelName(a.name)) throw new UsageError(`invalid label name: ${JSON.stringify(a.name)}`);
  const q = apiQueryArgs(a);
  return withInput(a.input, 'index', async (opened, out) => {
    const blocks = querySources(opened);
    writeList(a.name, apiLabelValues(blocks, a.name, q.matcherSets, q.start, q.end), a.format, out);
    return 0;
  });
}
