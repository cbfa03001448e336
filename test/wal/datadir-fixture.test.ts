// The golden live backup fixtures/datadir-live.tgz (made by
// fixtures/make-datadir-fixture.sh with a running Prometheus 2.42): every WAL
// segment, checkpoint segment and chunks_head file decodes, and the replayed
// head agrees with Prometheus's own replay: `promtool tsdb dump` for float
// samples, and a server's API for native histograms (their answers committed
// in fixtures/answers/).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHeadChunk, readHeadChunkFile } from '../../src/chunks/head-segment.js';
import type { HistogramSample } from '../../src/chunkenc/histogrammeta.js';
import { formatG, labelsString } from '../../src/query/goformat.js';
import { planWalReplay } from '../../src/wal/checkpoint.js';
import { dirDataFiles, replayHead, type Head } from '../../src/wal/head.js';
import { readRecord } from '../../src/wal/records.js';
import { readWalRecords, type WalSegment } from '../../src/wal/segment.js';
import { apiBody, promtoolDump } from '../helpers/answers.js';
import { extractArchive, fixturePath } from '../helpers/prometheus.js';

let root = '';
let dataDir = '';
/** The newest block's maxTime: Prometheus's minValidTime for the head. */
let minValidTime = 0;
let head: Head;

beforeAll(async () => {
  root = await extractArchive(fixturePath('datadir-live.tgz'));
  dataDir = path.join(root, 'data');
  for (const e of fs.readdirSync(dataDir)) {
    const meta = path.join(dataDir, e, 'meta.json');
    if (fs.existsSync(meta)) minValidTime = Math.max(minValidTime, JSON.parse(fs.readFileSync(meta, 'utf8')).maxTime);
  }
  head = replayHead(dirDataFiles(dataDir), { minValidTime });
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

function segmentsOf(paths: string[]): WalSegment[] {
  return paths.map((p) => ({ name: p, bytes: fs.readFileSync(path.join(dataDir, p)) }));
}

describe('datadir-live.tgz', () => {
  it('decodes every WAL segment, checkpoint segment and chunks_head file', () => {
    const files = dirDataFiles(dataDir);
    const plan = planWalReplay(files.paths);
    expect(plan.checkpoint).toBeDefined();
    expect(plan.findings).toEqual([]);
    const seen: Record<string, number> = {};
    let multiFragment = 0;
    const groups = [plan.checkpoint!.segments.map((s) => s.path), [...plan.skipped, ...plan.runs.flat()].map((s) => s.path)];
    for (const paths of groups) {
      const segs = segmentsOf(paths);
      const { records, tornTail } = readWalRecords(segs);
      expect(tornTail).toBeUndefined();
      for (const raw of records) {
        const rec = readRecord(raw);
        const key = `${rec.type === 'histograms' && rec.float ? 'float ' : ''}${rec.type}/${raw.compression}`;
        seen[key] = (seen[key] ?? 0) + 1;
        // Assembled from several fragments: not a view into its segment.
        if (!segs.some((s) => s.bytes.buffer === raw.data.buffer)) multiFragment++;
      }
    }
    expect(Object.keys(seen)).toEqual(expect.arrayContaining(['series/snappy', 'samples/snappy', 'histograms/snappy', 'tombstones/snappy']));
    expect(multiFragment).toBeGreaterThan(0);

    const chunkFiles = files.paths.filter((p) => p.startsWith('chunks_head/'));
    expect(chunkFiles.length).toBeGreaterThan(0);
    let chunks = 0;
    for (const p of chunkFiles) {
      const f = readHeadChunkFile(fs.readFileSync(path.join(dataDir, p)), p);
      expect(f.error).toBeUndefined();
      for (const c of f.chunks) {
        const d = decodeHeadChunk(c);
        expect(d.kind === 'float' ? d.count : d.samples.length).toBe(c.numSamples);
        chunks++;
      }
    }
    expect(chunks).toBeGreaterThan(0);
  });

  it('replays into a head without findings', () => {
    expect(head.findings).toEqual([]);
    const st = head.stats();
    expect(st.numSeries).toBeGreaterThan(50);
    expect(st.numHistogramSamples).toBeGreaterThan(0);
    expect(st.numTombstones).toBeGreaterThan(0);
    // The graceful restart flushed chunks that the head still needs.
    expect(st.numMmappedChunks).toBeGreaterThan(0);
    expect(st.minTime).toBeGreaterThanOrEqual(minValidTime);
    expect(st.unknownRefs).toBe(0);
  });

  it('turns a live tail cut inside the last record into a warning', () => {
    const files = dirDataFiles(dataDir);
    const last = files.paths.filter((p) => /^wal\/\d+$/.test(p)).sort().at(-1)!;
    const cut = { ...files, read: (p: string) => (p === last ? files.read(p)!.subarray(0, files.read(p)!.length - 3) : files.read(p)) };
    const torn = replayHead(cut, { minValidTime });
    expect(torn.findings.map((f) => [f.severity, f.code, f.file])).toEqual([['warning', 'wal-torn-tail', last]]);
    expect(torn.stats().numSamples).toBeLessThan(head.stats().numSamples);
    expect(torn.stats().numSeries).toBe(head.stats().numSeries);
  });

  it('agrees with promtool tsdb dump on every float sample after the last block', () => {
    const dump = promtoolDump('datadir-live.tgz');
    const theirs: string[] = [];
    for (const line of dump.split('\n')) {
      if (line === '') continue;
      const ts = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (ts >= minValidTime) theirs.push(line);
    }
    const ours: string[] = [];
    for (const s of head.series()) {
      const prefix = labelsString(s.labels) + ' ';
      const { n, t, v, h } = s.samples;
      // promtool 2.42 prints a series' samples up to its first histogram.
      for (let i = 0; i < n && !h?.[i]; i++) if (t[i]! >= minValidTime) ours.push(prefix + formatG(v[i]!) + ' ' + t[i]);
    }
    expect(ours.length).toBeGreaterThan(1000);
    expect(ours.sort()).toEqual(theirs.sort());
    const seriesOf = (lines: string[]) => new Set(lines.map((l) => l.slice(0, l.lastIndexOf('} ') + 1))).size;
    expect(seriesOf(ours)).toBe(seriesOf(theirs));
    // The seconds of test_random_walk{job="exporter-a"} deleted in the head are gone from both.
    const walk = theirs.filter((l) => l.includes('__name__="test_random_walk"') && l.includes('job="exporter-a"')).map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    const [deleted] = [...head.tombstoneIntervals().values()];
    expect(deleted).toHaveLength(1);
    const { minTime, maxTime } = deleted![0]!;
    expect(walk.filter((t) => t >= minTime && t <= maxTime)).toEqual([]);
    expect(walk.some((t) => t < minTime) && walk.some((t) => t > maxTime)).toBe(true);
  });

  it('agrees with a Prometheus server on every native histogram sample after the last block', () => {
    const st = head.stats();
    const body = JSON.parse(
      apiBody('datadir-live.tgz', '/api/v1/query', {
        query: '{__name__=~".+"}[1h]',
        time: ((st.maxTime + 1) / 1000).toFixed(3),
      }),
    );
    type Entry = { metric: Record<string, string>; histograms?: [number, { count: string; sum: string }][] };
    const theirs = new Map<string, string[]>();
    for (const r of body.data.result as Entry[]) {
      if (!r.histograms) continue;
      const key = JSON.stringify(Object.entries(r.metric).sort());
      const rows = r.histograms.map(([ts, h]) => [Math.round(ts * 1000), Number(h.count), Number(h.sum)] as const).filter(([t]) => t >= minValidTime);
      if (rows.length > 0) theirs.set(key, rows.map((x) => x.join(' ')));
    }
    const ours = new Map<string, string[]>();
    for (const s of head.series()) {
      const rows: string[] = [];
      const { n, t, h } = s.samples;
      for (let i = 0; i < n; i++) {
        const hs: HistogramSample | undefined = h?.[i];
        if (hs && !hs.stale && t[i]! >= minValidTime) rows.push([t[i], hs.count, hs.sum].join(' '));
      }
      if (rows.length === 0) continue;
      const metric: [string, string][] = [];
      for (let i = 0; i < s.labels.length; i += 2) metric.push([s.labels[i]!, s.labels[i + 1]!]);
      ours.set(JSON.stringify(metric.sort()), rows);
    }
    expect(ours.size).toBeGreaterThan(0);
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [k, rows] of ours) expect(rows, k).toEqual(theirs.get(k));
  });
});
