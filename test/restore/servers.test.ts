// A data dir restore wrote is one Prometheus serves as it serves the original:
// live Prometheus 2.42 and 3.5.3 servers load every block (their logs say
// nothing of skipped or corrupt blocks) and answer series and range queries
// alike, and the live promtool lists and dumps it as it did the archive.
// Skipped when the tools are missing (CI installs both).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtoolDump as answeredDump, promtoolList } from '../helpers/answers.js';
import { PROMETHEUS_3, PROMTOOL_3, fixturePath, hasPrometheus, hasPrometheus3, promtoolDump, rangeQueryBody, snapshotDirs, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'tsdb-inspect.js');
const FIXTURES = ['snapshot-full.tgz', 'overlap.tgz'];
let work: string;
beforeAll(() => void (work = fs.mkdtempSync(path.join(os.tmpdir(), 'restore-live-'))));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The fixture restored into a fresh data dir, and its snapshot extracted by tar. */
function restored(fixture: string): { dir: string; original: string } {
  const dir = fs.mkdtempSync(path.join(work, 'data-'));
  const r = spawnSync(process.execPath, [BIN, 'restore', fixturePath(fixture), dir], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const x = fs.mkdtempSync(path.join(work, 'x-'));
  spawnSync('tar', ['xzf', fixturePath(fixture), '-C', x]);
  return { dir, original: snapshotDirs(x)[0]! };
}

async function get(url: string, p: string, params: [string, string][]): Promise<string> {
  const u = new URL(p, url + '/');
  for (const [k, v] of params) u.searchParams.append(k, v);
  const res = await fetch(u);
  const body = await res.text();
  expect(res.status, body).toBe(200);
  return body;
}

const versions = [
  { name: '2.42', has: hasPrometheus, bin: undefined, promtool: undefined },
  { name: '3.5.3', has: hasPrometheus3, bin: PROMETHEUS_3, promtool: PROMTOOL_3 },
];

for (const v of versions) {
  describe.skipIf(!v.has())(`Prometheus ${v.name} on a restored data dir`, () => {
    it.each(FIXTURES)('%s: every block loaded, and answers as on the original', async (fixture) => {
      const { dir, original } = restored(fixture);
      const blocks = promtoolList(fixture);
      const mint = Math.min(...blocks.map((b) => b.minTime));
      const maxt = Math.max(...blocks.map((b) => b.maxTime));
      const servers: PrometheusServer[] = [];
      try {
        const [mine, theirs] = await Promise.all([startPrometheus(dir, { bin: v.bin }), startPrometheus(original, { bin: v.bin })]);
        servers.push(mine, theirs);
        const range: [string, string][] = [['start', String(mint / 1000)], ['end', String(maxt / 1000)]];
        const series = [['match[]', '{__name__=~".+"}'], ...range] as [string, string][];
        const a = await get(mine.url, '/api/v1/series', series);
        expect(JSON.parse(a).data.length).toBeGreaterThan(0);
        expect(a).toBe(await get(theirs.url, '/api/v1/series', series));
        const names = JSON.parse(await get(mine.url, '/api/v1/label/__name__/values', range)).data as string[];
        for (const name of names.slice(0, 5)) {
          const q = await rangeQueryBody(mine.url, name, mint, maxt);
          expect(q).toBe(await rangeQueryBody(theirs.url, name, mint, maxt));
        }
        expect(mine.log()).toMatch(/Server is ready to receive web requests/);
        expect(mine.log()).not.toMatch(/skipping|corrupt/i);
        // Each block's time range, so a block the server did not open shows.
        for (const b of blocks) {
          const own: [string, string][] = [['match[]', '{__name__=~".+"}'], ['start', String(b.minTime / 1000)], ['end', String((b.maxTime - 1) / 1000)]];
          const body = await get(mine.url, '/api/v1/series', own);
          expect(JSON.parse(body).data.length).toBeGreaterThan(0);
          expect(body).toBe(await get(theirs.url, '/api/v1/series', own));
        }
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
    });

    it.each(FIXTURES)('%s: promtool lists and dumps the restored dir as the archive', async (fixture) => {
      const { dir } = restored(fixture);
      const list = spawnSync(v.promtool ?? 'promtool', ['tsdb', 'list', dir], { encoding: 'utf8' });
      expect(list.status, list.stderr).toBe(0);
      for (const b of promtoolList(fixture)) expect(list.stdout).toMatch(new RegExp(`^${b.ulid}\\s+${b.minTime}\\s+${b.maxTime}\\s.*\\s${b.numSamples}\\s+${b.numChunks}\\s+${b.numSeries}\\s`, 'm'));
      if (!v.promtool) expect(await promtoolDump(dir)).toBe(answeredDump(fixture));
    });
  });
}
