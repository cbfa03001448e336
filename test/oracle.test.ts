// Checks that the oracle helpers (test/helpers/prometheus.ts) work on the
// committed fixtures, and that the fixtures hold what fixtures/README.md says.
// Needs the real `prometheus` and `promtool` (Debian package `prometheus`).

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiGet,
  extractArchive,
  fixturePath,
  hasPrometheus,
  promtoolDump,
  promtoolList,
  snapshotDirs,
  startPrometheus,
  type PromtoolBlock,
} from './helpers/prometheus.js';

const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

function blockDirs(dbDir: string): string[] {
  return fs
    .readdirSync(dbDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && ULID_RE.test(e.name))
    .map((e) => path.join(dbDir, e.name))
    .sort();
}

function readMeta(blockDir: string): any {
  return JSON.parse(fs.readFileSync(path.join(blockDir, 'meta.json'), 'utf8'));
}

/** promtoolList must agree with the blocks' own meta.json files. */
function expectListMatchesMeta(list: PromtoolBlock[], blocks: string[]): void {
  expect(list.map((b) => b.ulid).sort()).toEqual(blocks.map((b) => path.basename(b)).sort());
  for (const b of list) {
    const meta = readMeta(blocks.find((d) => path.basename(d) === b.ulid)!);
    expect(b.minTime).toBe(meta.minTime);
    expect(b.maxTime).toBe(meta.maxTime);
    expect(b.numSamples).toBe(meta.stats.numSamples);
    expect(b.numChunks).toBe(meta.stats.numChunks);
    expect(b.numSeries).toBe(meta.stats.numSeries);
    expect(b.size).toBeGreaterThan(0);
    expect(b.duration).toMatch(/^[0-9hms.]+$/);
  }
}

it('prometheus and promtool are installed (apt-get install prometheus)', () => {
  expect(hasPrometheus()).toBe(true);
});

describe('oracle helpers on the committed fixtures', () => {
  let fullRoot = '';
  let overlapRoot = '';
  let fullSnap = '';
  let overlapSnap = '';

  beforeAll(async () => {
    fullRoot = await extractArchive(fixturePath('snapshot-full.tgz'));
    overlapRoot = await extractArchive(fixturePath('overlap.tgz'));
    const fs1 = snapshotDirs(fullRoot);
    const fs2 = snapshotDirs(overlapRoot);
    expect(fs1).toHaveLength(1);
    expect(fs2).toHaveLength(1);
    fullSnap = fs1[0];
    overlapSnap = fs2[0];
  });

  afterAll(async () => {
    for (const d of [fullRoot, overlapRoot]) if (d) await fsp.rm(d, { recursive: true, force: true });
  });

  it('archives have the operator layout snapshots/<datetime>-<rand>/<ULID>/{chunks/000001,index,meta.json,tombstones}', () => {
    for (const snap of [fullSnap, overlapSnap]) {
      expect(path.basename(snap)).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]+$/);
      const blocks = blockDirs(snap);
      expect(blocks.length).toBeGreaterThanOrEqual(2);
      // nothing but block dirs in a snapshot
      expect(fs.readdirSync(snap).sort()).toEqual(blocks.map((b) => path.basename(b)));
      for (const b of blocks) {
        for (const f of ['chunks/000001', 'index', 'meta.json', 'tombstones']) {
          expect(fs.statSync(path.join(b, f)).isFile(), `${b}/${f}`).toBe(true);
        }
      }
    }
  });

  it('promtoolList lists blocks with samples for every fixture, matching meta.json', async () => {
    for (const snap of [fullSnap, overlapSnap]) {
      const list = await promtoolList(snap);
      expect(list.length).toBeGreaterThanOrEqual(1);
      expect(list.every((b) => b.numSamples > 0)).toBe(true);
      expectListMatchesMeta(list, blockDirs(snap));
    }
    // the one-block DB dir of the index-format-v1 block
    const v1 = fixturePath('index-format-v1');
    const list = await promtoolList(v1);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      ulid: '01DXXFZDYD1MQW6079WK0K6EDQ',
      minTime: 0,
      maxTime: 7200000,
      duration: '2h0m0s',
      numSamples: 102,
      numChunks: 102,
      numSeries: 102,
    });
  });

  it('snapshot-full has a compacted block (level >= 2) and a block with tombstones', () => {
    const blocks = blockDirs(fullSnap);
    const levels = blocks.map((b) => readMeta(b).compaction.level as number);
    expect(Math.max(...levels)).toBeGreaterThanOrEqual(2);
    const tombSizes = blocks.map((b) => fs.statSync(path.join(b, 'tombstones')).size);
    expect(Math.max(...tombSizes)).toBeGreaterThan(9);
    // meta.json counts the tombstones of the block that has them
    const withTomb = blocks.filter((b) => fs.statSync(path.join(b, 'tombstones')).size > 9);
    for (const b of withTomb) expect(readMeta(b).stats.numTombstones).toBeGreaterThan(0);
  });

  it('snapshot-full holds native histograms (server query returns a histograms field)', async () => {
    const list = await promtoolList(fullSnap);
    const head = list.reduce((a, b) => (b.maxTime > a.maxTime ? b : a));
    const server = await startPrometheus(fullSnap);
    try {
      const t = (head.maxTime - 1) / 1000;
      const body = await apiGet(server.url, '/api/v1/query', {
        query: 'test_request_duration_seconds[10m]',
        time: t,
      });
      expect(body.data.resultType).toBe('matrix');
      const result = body.data.result as any[];
      expect(result.map((r) => r.metric.method).sort()).toEqual(['GET', 'POST']);
      for (const r of result) {
        expect(Array.isArray(r.histograms)).toBe(true);
        expect(r.histograms.length).toBeGreaterThan(30);
        const last = r.histograms[r.histograms.length - 1][1];
        const bounds = last.buckets.map((b: any) => [Number(b[1]), Number(b[2])]);
        expect(bounds.some(([lo]: number[]) => lo < 0)).toBe(true); // negative buckets
        expect(bounds.some(([lo]: number[]) => lo > 0)).toBe(true); // positive buckets
      }
      // The POST histogram has a counter reset: its count drops once.
      const post = result.find((r) => r.metric.method === 'POST');
      const counts = post.histograms.map((h: any) => Number(h[1].count));
      const drops = counts.filter((c: number, i: number) => i > 0 && c < counts[i - 1]).length;
      expect(drops).toBe(1);
      // The float series are there too, with the awkward values.
      const fv = await apiGet(server.url, '/api/v1/query', { query: 'test_float_value', time: t });
      const byCase = Object.fromEntries(fv.data.result.map((r: any) => [r.metric.case, r.value[1]]));
      expect(byCase).toMatchObject({ nan: 'NaN', pos_inf: '+Inf', neg_inf: '-Inf', answer: '42' });
    } finally {
      await server.stop();
    }
  });

  it('promtoolDump dumps floats, honours match/min/max, shows the staleness marker, and leaves the original alone', async () => {
    const before = fs.readdirSync(fullSnap).sort();
    const eph = await promtoolDump(fullSnap, { match: '{__name__="test_ephemeral_gauge"}' });
    const lines = eph.trim().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(l).toMatch(/^\{__name__="test_ephemeral_gauge", .*phase="early"\} \S+ \d+$/);
    const values = lines.map((l) => l.split(' ').at(-2));
    expect(values.at(-1)).toBe('NaN'); // the staleness marker prints as NaN
    expect(values.slice(0, -1).every((v) => v !== 'NaN')).toBe(true);

    const all = await promtoolDump(fullSnap);
    const allLines = all.trim().split('\n');
    expect(allLines.length).toBeGreaterThan(50_000); // large output is not truncated
    const ts = allLines.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    const mid = ts[Math.floor(ts.length / 2)];
    const windowed = await promtoolDump(fullSnap, { minTime: mid, maxTime: mid + 3_600_000 });
    const wts = windowed.trim().split('\n').map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    expect(wts.length).toBeGreaterThan(0);
    expect(wts.length).toBeLessThan(allLines.length);
    expect(wts.every((t) => t >= mid && t <= mid + 3_600_000)).toBe(true);

    expect(fs.readdirSync(fullSnap).sort()).toEqual(before); // no wal/ or chunks_head/ added
  });

  it('overlap.tgz has at least two blocks that overlap in time', async () => {
    const list = await promtoolList(overlapSnap);
    let pairs = 0;
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        if (list[i].minTime < list[j].maxTime && list[j].minTime < list[i].maxTime) pairs++;
      }
    }
    expect(pairs).toBeGreaterThanOrEqual(1);
    expect(list.length).toBeGreaterThanOrEqual(2);
  });
});
