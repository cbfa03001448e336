// `tsdb-inspect blocks`: one row per block, like `promtool tsdb list`
// (`-r` as its --human-readable).

import { blockRows, humanBytes, humanTime } from '../report/blocks.js';
import type { TableFormat } from '../report/table.js';
import { pickSnapshot } from './options.js';
import { writeOut, writeTable } from './output.js';
import { withInput } from './run.js';

export interface BlocksArgs {
  input: string;
  format: TableFormat | 'json';
  humanReadable?: boolean;
  snapshot?: string;
}

export async function blocksCommand(a: BlocksArgs): Promise<number> {
  return withInput(a.input, 'meta', async (o, out) => {
    const opened = pickSnapshot(o, a.snapshot);
    const rows = blockRows(opened.snapshots);
    if (a.format === 'json') {
      await writeOut(JSON.stringify(rows, null, 2) + '\n', out);
      return 0;
    }
    const multi = new Set(rows.map((r) => r.snapshot)).size > 1;
    const time = a.humanReadable ? humanTime : String;
    const size = a.humanReadable ? humanBytes : String;
    const heads = ['MIN TIME', 'MAX TIME', 'DURATION', 'NUM SAMPLES', 'NUM CHUNKS', 'NUM SERIES', 'SIZE'];
    const columns = [...(multi ? [{ head: 'SNAPSHOT' }] : []), { head: 'BLOCK ULID', keep: true }, ...heads.map((head) => ({ head, keep: true }))];
    const cells = rows.map((r) => {
      const c = [r.ulid, time(r.minTime), time(r.maxTime), r.duration, String(r.numSamples), String(r.numChunks), String(r.numSeries), size(r.size)];
      return multi ? [r.snapshot, ...c] : c;
    });
    await writeTable(columns, cells, a.format, {}, out);
    return 0;
  });
}
