// `tsdb-inspect blocks`: one row per block, like `promtool tsdb list`.

import Table from 'cli-table3';
import { blockRows } from '../report/blocks.js';
import { withInput } from './run.js';

export async function blocksCommand(input: string, format: 'table' | 'json'): Promise<number> {
  return withInput(input, 'meta', async (opened, out) => {
    const rows = blockRows(opened.snapshots);
    if (format === 'json') {
      out.write(JSON.stringify(rows, null, 2) + '\n');
      return 0;
    }
    const multi = new Set(rows.map((r) => r.snapshot)).size > 1;
    const head = ['BLOCK ULID', 'MIN TIME', 'MAX TIME', 'DURATION', 'NUM SAMPLES', 'NUM CHUNKS', 'NUM SERIES', 'SIZE'];
    const t = new Table({ head: multi ? ['SNAPSHOT', ...head] : head, style: { head: [], border: [], compact: true } });
    for (const r of rows) {
      const cells = [r.ulid, r.minTime, r.maxTime, r.duration, r.numSamples, r.numChunks, r.numSeries, r.size].map(String);
      t.push(multi ? [r.snapshot, ...cells] : cells);
    }
    out.write(t.toString() + '\n');
    return 0;
  });
}
