// `tsdb-inspect dump`: promtool tsdb dump's output, without needing a
// writable directory or an empty wal/.

import { MATCH_ALL } from '../query/matchers.js';
import { parseSelector } from '../query/selector.js';
import { writeDump } from '../query/dump.js';
import { UsageError, withInput } from './run.js';

export interface DumpArgs {
  input: string;
  match?: string;
  minTime?: string;
  maxTime?: string;
}

function parseMs(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} takes a timestamp in milliseconds, got ${JSON.stringify(v)}`);
  return Number(v);
}

export async function dumpCommand(a: DumpArgs): Promise<number> {
  const matchers = a.match === undefined ? MATCH_ALL : parseSelector(a.match);
  const minTime = parseMs('min-time', a.minTime);
  const maxTime = parseMs('max-time', a.maxTime);
  return withInput(a.input, async (opened) => {
    const blocks = opened.snapshots.flatMap((s) => s.blocks);
    await writeDump(blocks, { matchers, minTime, maxTime }, process.stdout);
    return 0;
  });
}
