// A tar of a live data dir (blocks + WAL + chunks_head): dump, series,
// labels and label-values cover blocks plus the replayed head, and agree
// with promtool (which replays the WAL) and with a 2.42 server started on a
// copy of the data dir (their answers committed in fixtures/answers/).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { DATADIR_API } from '../../fixtures/questions.mjs';
import { apiBody, promtoolDump } from '../helpers/answers.js';
import { extractArchive, fixturePath } from '../helpers/prometheus.js';

const ARCHIVE = fixturePath('datadir-live.tgz');
let root: string;
let dataDir: string;
const FIXTURE = 'datadir-live.tgz';

beforeAll(async () => {
  root = await extractArchive(ARCHIVE);
  dataDir = path.join(root, 'data');
});

afterAll(async () => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const floatLines = (s: string) =>
  s
    .split('\n')
    .filter((l) => !l.includes('} {count:'))
    .join('\n');

describe('datadir-live.tgz', () => {
  it('dump equals promtool tsdb dump (which replays the WAL), from the archive and the dir', async () => {
    const want = promtoolDump(FIXTURE);
    expect(want.split('\n').length).toBeGreaterThan(1000);
    for (const input of [ARCHIVE, dataDir]) {
      const r = await runCli(['dump', input]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(floatLines(r.stdout)).toBe(want);
    }
  });

  it('the head holds samples beyond the newest block, so the WAL really is read', async () => {
    const blocks = JSON.parse((await runCli(['blocks', ARCHIVE, '--format', 'json'])).stdout);
    const newest = Math.max(...blocks.map((b: { maxTime: number }) => b.maxTime));
    const r = await runCli(['dump', ARCHIVE, '--min-time', String(newest)]);
    expect(r.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(100);
  });

  it.each(DATADIR_API as [string, string[], string, Record<string, string>][])('%s %j equals the server', async (cmd, args, apiPath, params) => {
    const want = JSON.parse(apiBody(FIXTURE, apiPath, params));
    for (const input of [ARCHIVE, dataDir]) {
      const r = await runCli([cmd, input, ...args, '--format', 'json']);
      expect(r.code).toBe(0);
      const got = JSON.parse(r.stdout);
      expect(got.data.length).toBeGreaterThan(0);
      expect(got.data).toEqual(want.data);
    }
  });
});

describe('verify a live data-dir backup', () => {
  it('passes from the archive and the dir, and reports the head as the 2.42 server replays it', async () => {
    const status = JSON.parse(apiBody(FIXTURE, '/api/v1/status/tsdb', {}));
    const hs = status.data.headStats;
    for (const input of [ARCHIVE, dataDir]) {
      const r = await runCli(['verify', input, '--format', 'json']);
      const j = JSON.parse(r.stdout);
      expect(j.findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
      expect(r.code).toBe(0);
      expect(j.snapshots).toHaveLength(1);
      expect(j.snapshots[0].blocks.length).toBeGreaterThan(0);
      const head = j.snapshots[0].head;
      expect(head.numSeries).toBe(hs.numSeries);
      expect(head.maxTime).toBe(hs.maxTime);
      expect(head.numSamples).toBeGreaterThan(0);
    }
  });

  it('a flipped bit in a WAL segment is an error naming the segment', async () => {
    const copy = fs.mkdtempSync(path.join(root, 'flip-'));
    fs.cpSync(dataDir, copy, { recursive: true });
    const seg = path.join(copy, 'wal', '00000003');
    const b = fs.readFileSync(seg);
    b[100] ^= 0x01;
    fs.writeFileSync(seg, b);
    const r = await runCli(['verify', copy, '--format', 'json']);
    const j = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(j.findings.some((f: { severity: string; file?: string }) => f.severity === 'error' && f.file === 'wal/00000003')).toBe(true);
  });
});
