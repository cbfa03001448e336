#!/usr/bin/env node
// Human output at scale (`node --max-old-space-size=8192 bench/series-scale.mjs [--series 300000,1000000]`;
// the heap is for building the block once, with the tests' plain index writer):
// `series` of N series as a table, as TSV and as JSON over a block built by
// bench/scale-block.mjs, with wall time and peak RSS of each (GNU time), and
// the table/JSON ratio. Not part of `npm test`; figures go to bench/RESULTS.md by hand.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scaleBlock } from './scale-block.mjs';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'tsdb-inspect.js');
const at = process.argv.indexOf('--series');
const sizes = (at > 0 ? process.argv[at + 1] : '300000,1000000').split(',').map(Number);

function timed(args, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'sh', '-c', `"$0" "$@" > /dev/null`, process.execPath, BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const err = r.stderr.trim().split('\n');
  if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return { secs, rssMb: Number(err[err.length - 1]) / 1024 };
}

for (const n of sizes) {
  const t0 = Date.now();
  const dir = await scaleBlock(n);
  console.log(`${n} series: block ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir})`);
  const base = ['series', dir, '--match', '{job="bench"}'];
  const res = {};
  delete process.env.COLUMNS;
  for (const format of ['json', 'table', 'tsv']) {
    res[format] = timed([...base, '--format', format]);
    console.log(`  ${format.padEnd(5)} ${res[format].secs.toFixed(2)} s, peak RSS ${res[format].rssMb.toFixed(0)} MB`);
  }
  // As on an 80-column terminal: the LABELS column is narrower than the cells, which wrap.
  res.narrow = timed([...base, '--format', 'table'], { COLUMNS: '80' });
  console.log(`  table at 80 columns ${res.narrow.secs.toFixed(2)} s, peak RSS ${res.narrow.rssMb.toFixed(0)} MB`);
  console.log(`  table/json ${(res.table.secs / res.json.secs).toFixed(2)}×, tsv/json ${(res.tsv.secs / res.json.secs).toFixed(2)}×`);
}
