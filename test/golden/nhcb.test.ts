// Native histograms with custom buckets (schema -53, written by Prometheus
// 3.x; fixtures/nhcb.tgz, made by fixtures/make-nhcb-fixture.sh) against
// Prometheus 3.5.3's promtool and server, when 3.5.3 is installed; the bounds
// themselves are checked without it.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import {
  extractArchive,
  fixturePath,
  hasPrometheus3,
  PROMETHEUS_3,
  PROMTOOL_3,
  promtoolDump,
  rangeQueryBody,
  snapshotDirs,
  startPrometheus,
  type PrometheusServer,
} from '../helpers/prometheus.js';

const FIXTURE = fixturePath('nhcb.tgz');
const SERIES = 'test_latency_seconds';
let root: string;
let db: string;

beforeAll(async () => {
  root = await extractArchive(FIXTURE);
  [db] = snapshotDirs(root);
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('custom-bucket histograms', () => {
  it('dump prints the custom bounds: [-Inf,first], (lower,upper], up to +Inf', async () => {
    const r = await runCli(['dump', FIXTURE, '--match', SERIES]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    // A bound stored as a float64 (0.00025 is no multiple of 0.001) and the ones stored in thousandths.
    expect(lines.at(-1)).toMatch(/ \{count:\d+, sum:[\d.]+, \[-Inf,0\.00025\]:\d+, \(0\.1,0\.5\]:\d+, \(0\.5,2\.5\]:\d+, \(2\.5,\+Inf\]:\d+\} \d+$/);
  });

  it.runIf(hasPrometheus3())('dump equals promtool 3.5.3 tsdb dump (which skips the first two samples of an integer histogram series)', async () => {
    // formatSeriesSet calls it.Next() once more for each of its three loops, so the
    // samples that end the float and float-histogram loops are never printed.
    const want = await promtoolDump(db, { match: SERIES, promtool: PROMTOOL_3 });
    const r = await runCli(['dump', FIXTURE, '--match', SERIES]);
    expect(want.length).toBeGreaterThan(0);
    expect(r.stdout.split('\n').slice(2).join('\n')).toBe(want);
  });

  it.runIf(hasPrometheus3())('dump --format openmetrics equals promtool 3.5.3 tsdb dump-openmetrics (histogram series left out)', async () => {
    const r = await runCli(['dump', FIXTURE, '--format', 'openmetrics']);
    const copy = fs.mkdtempSync(db + '-om-');
    fs.cpSync(db, copy, { recursive: true });
    fs.mkdirSync(copy + '/wal', { recursive: true });
    const want = spawnSync(PROMTOOL_3, ['tsdb', 'dump-openmetrics', copy], { encoding: 'utf8' });
    fs.rmSync(copy, { recursive: true, force: true });
    expect(want.status).toBe(0);
    expect(r.stdout).toBe(want.stdout);
    expect(r.stdout).not.toContain(SERIES);
  });

  describe.runIf(hasPrometheus3())('against a 3.5.3 server', () => {
    let server: PrometheusServer;
    beforeAll(async () => {
      server = await startPrometheus(db, { bin: PROMETHEUS_3 });
    }, 90_000);
    afterAll(async () => server?.stop());

    it('dump --format json equals GET /api/v1/query (3.x ranges are open on the left)', async () => {
      const meta = JSON.parse(fs.readFileSync(`${db}/${fs.readdirSync(db).find((e) => fs.existsSync(`${db}/${e}/meta.json`))}/meta.json`, 'utf8'));
      const [mint, maxt] = [meta.minTime, meta.maxTime - 1];
      const want = await rangeQueryBody(server.url, SERIES, mint, maxt);
      expect(want).toContain('"-Inf","0.00025"');
      const r = await runCli(['dump', FIXTURE, '--match', SERIES, '--min-time', String(mint + 1), '--max-time', String(maxt), '--format', 'json']);
      expect(r.stdout).toBe(want + '\n');
    });
  });
});
