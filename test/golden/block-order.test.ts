// More than 12 overlapping blocks, several of equal minTime, all holding
// conflicting samples of one series (made with promtool tsdb
// create-blocks-from openmetrics, one run per block, into one dir). Go's
// sort.Slice leaves blocks of equal minTime in an order that depends on the
// whole list, and the merge keeps, at each timestamp, the sample of the block
// that comes first: dump must follow promtool's order, and dump --format json
// the server's (which sorts by maxTime first).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { promtoolDump, rangeQueryBody, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { hasPrometheus } from '../helpers/prometheus.js';

const T0 = 1_700_000_000;
let work: string;
let db: string;
let server: PrometheusServer;

const live = hasPrometheus();

beforeAll(async () => {
  if (!live) return;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'block-order-'));
  db = path.join(work, 'db');
  fs.mkdirSync(db);
  // Block k: minTime T0 + 60 s·((7k) mod 3), 3 to 5 samples a minute apart, values 100k + j.
  for (let k = 0; k < 20; k++) {
    const g = (k * 7) % 3;
    let om = '# TYPE c gauge\n';
    for (let j = 0; j <= 2 + (k % 3); j++) om += `c{s="x"} ${k * 100 + j} ${T0 + 60 * (g + j)}\n`;
    const file = path.join(work, `${k}.om`);
    fs.writeFileSync(file, om + '# EOF\n');
    const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, db], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  }
  server = await startPrometheus(db);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe.runIf(live)('overlapping blocks of equal minTime, more than 12', () => {
  it('dump equals promtool tsdb dump', async () => {
    const want = await promtoolDump(db);
    expect(want.split('\n')).toHaveLength(8);
    const r = await runCli(['dump', db]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(want);
  });

  it('dump --format json equals GET /api/v1/query', async () => {
    const [mint, maxt] = [T0 * 1000 - 1, T0 * 1000 + 399_999];
    const want = await rangeQueryBody(server.url, 'c', mint, maxt);
    const r = await runCli(['dump', db, '--match', 'c', '--min-time', String(mint), '--max-time', String(maxt), '--format', 'json']);
    expect(r.stdout).toBe(want + '\n');
  });
});
