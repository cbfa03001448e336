// The Prometheus 3.5.3 fixtures (fixtures/make-p35-fixtures.sh): a live data
// dir with a zstd WAL, a checkpoint, chunks_head/ and out-of-order samples in
// wbl/, and an admin-API snapshot with integer native histograms, NHCB,
// UTF-8 metric and label names, a stale marker and tombstones. Compared with
// 3.5.3's answers (committed in fixtures/answers/3.5.3/): dump with promtool's
// (which loses samples of integer-histogram series, see promtool35), the
// rest with the server's.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { P35_API, P35_DUMPS, P35_RANGE, p35RangeQuery } from '../../fixtures/questions.mjs';
import { answer35 } from '../helpers/answers.js';
import { runCli } from '../helpers/cli.js';
import { extractArchive, fixturePath, snapshotDirs } from '../helpers/prometheus.js';

const FIXTURES = Object.keys(P35_RANGE) as (keyof typeof P35_RANGE)[];
const dirs = new Map<string, string>();
const roots: string[] = [];

beforeAll(async () => {
  for (const f of FIXTURES) {
    const root = await extractArchive(fixturePath(f));
    roots.push(root);
    dirs.set(f, f === 'p35-snapshot.tgz' ? snapshotDirs(root)[0]! : path.join(root, 'data'));
  }
});

afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

/**
 * What promtool 3.5.3 tsdb dump prints of a full dump: formatSeriesSet calls
 * it.Next() once more for each of its float, float-histogram and histogram
 * loops, so the first two samples of an integer-histogram series are read
 * and never printed (these fixtures hold no float histograms).
 */
function promtool35(dump: string): string {
  const seen = new Map<string, number>();
  return dump
    .split('\n')
    .filter((l) => {
      const at = l.indexOf('} {count:');
      if (at < 0) return true;
      const series = l.slice(0, at);
      const n = (seen.get(series) ?? 0) + 1;
      seen.set(series, n);
      return n > 2;
    })
    .join('\n');
}

describe.each(FIXTURES)('%s', (fixture) => {
  const inputs = () => [fixturePath(fixture), dirs.get(fixture)!];

  it.each(P35_DUMPS.map((o) => [JSON.stringify(o), o] as const))('dump %s equals promtool 3.5.3 (less its lost histogram samples)', async (_, opts) => {
    const want = answer35({ fixture, kind: 'dump', ...opts }) as string;
    expect(want.split('\n').length).toBeGreaterThan(opts.match ? 10 : 1000);
    for (const input of inputs()) {
      const r = await runCli(['dump', input, ...(opts.match ? ['--match', opts.match] : [])]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(promtool35(r.stdout)).toBe(want);
    }
  });

  it.each(P35_API as [string, string[], string, Record<string, string>][])('%s %j equals the 3.5.3 server', async (cmd, args, apiPath, params) => {
    const want = JSON.parse(answer35({ fixture, kind: 'api', path: apiPath, params }) as string);
    expect(want.data.length).toBeGreaterThan(0);
    for (const input of inputs()) {
      const r = await runCli([cmd, input, ...args, '--format', 'json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).data).toEqual(want.data);
    }
  });

  it('every sample, as JSON, equals the 3.5.3 server\'s range query (histograms and out-of-order samples included)', async () => {
    const [mint, maxt] = P35_RANGE[fixture];
    const want = answer35({ fixture, kind: 'api', path: '/api/v1/query', params: p35RangeQuery(fixture) }) as string;
    const r = await runCli(['dump', fixturePath(fixture), '--match', '{__name__=~".+"}', '--min-time', String(mint + 1), '--max-time', String(maxt), '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(want + '\n');
  });
});

describe('p35-datadir.tgz', () => {
  // The OOO chunk the server cut after 32 samples was still in chunks_head/'s write buffer when the
  // dir was copied: its m-map marker in wbl/ names a chunk past the file's end, so it is ignored and
  // all 40 samples come from the WBL (test/wal/ooo-head.test.ts covers markers that apply).
  it('holds what it was made for: a zstd WAL, a checkpoint, out-of-order samples and m-map markers in wbl/', async () => {
    const want = answer35({ fixture: 'p35-datadir.tgz', kind: 'dump', match: '{__name__=~"test_ooo_gauge|test_random_walk|test_ephemeral_gauge"}' }) as string;
    expect(want.split('\n').filter((l) => l.includes('test_ooo_gauge'))).toHaveLength(41);
    const dir = dirs.get('p35-datadir.tgz')!;
    expect(fs.readdirSync(path.join(dir, 'wal')).some((f) => f.startsWith('checkpoint.'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'wbl')).some((f) => fs.statSync(path.join(dir, 'wbl', f)).size > 0)).toBe(true);
    const { WalReader } = await import('../../src/wal/segment.js');
    const r = new WalReader([{ name: 'wal/00000005', bytes: fs.readFileSync(path.join(dir, 'wal', '00000005')) }]);
    const kinds = new Set<string>();
    for (let rec = r.next(); rec; rec = r.next()) kinds.add(rec.compression);
    expect(kinds).toContain('zstd');
    const { replayHead, dirDataFiles } = await import('../../src/wal/head.js');
    const head = replayHead(dirDataFiles(dir), { minValidTime: 1796692800000 });
    expect(head.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const st = head.stats();
    expect(st.numOutOfOrderChunks).toBe(0);
    expect(st.numOutOfOrderSamples).toBe(40);
    expect(st.records['wbl mmapmarkers']).toBeGreaterThan(0);
  });

  it('verify finds nothing to report, wbl/ included, from the archive and the dir', async () => {
    for (const input of [fixturePath('p35-datadir.tgz'), dirs.get('p35-datadir.tgz')!]) {
      const r = await runCli(['verify', input, '--format', 'json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).findings).toEqual([]);
    }
  });
});
