// `tsdb-inspect labels` and `label-values`: GET /api/v1/labels and
// /api/v1/label/<name>/values, offline.

import { querySources } from '../snapshot/open.js';
import type { Writable } from 'node:stream';
import { apiJson, apiLabelNames, apiLabelValues, isValidLabelName } from '../query/api.js';
import { apiQueryArgs, type ApiArgs } from './api-args.js';
import { pickSnapshot } from './options.js';
import { stdoutTable, writeOut } from './output.js';
import { UsageError, withInput } from './run.js';

async function writeList(head: string, values: string[], format: ApiArgs['format'], out: Writable): Promise<void> {
  if (format === 'json') return writeOut(apiJson.strings(values) + '\n', out);
  const t = stdoutTable([{ head }], format, {}, out);
  for (const v of values) await t.row([v]);
  await t.end();
}

export async function labelsCommand(a: ApiArgs): Promise<number> {
  const q = apiQueryArgs(a);
  return withInput(a.input, 'index', async (o, out) => {
    const blocks = querySources(pickSnapshot(o, a.snapshot));
    await writeList('LABEL NAME', apiLabelNames(blocks, q.matcherSets, q.start, q.end), a.format, out);
    return 0;
  });
}

export async function labelValuesCommand(a: ApiArgs & { name: string }): Promise<number> {
  if (!isValidLabelName(a.name)) throw new UsageError(`invalid label name: ${JSON.stringify(a.name)}`);
  const q = apiQueryArgs(a);
  return withInput(a.input, 'index', async (o, out) => {
    const blocks = querySources(pickSnapshot(o, a.snapshot));
    await writeList(a.name, apiLabelValues(blocks, a.name, q.matcherSets, q.start, q.end), a.format, out);
    return 0;
  });
}
