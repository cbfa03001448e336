// The query path over a data dir's head: it refuses what promtool refuses (a
// gap in the WAL or checkpoint segments, in chunks_head files) with exit 1,
// and where promtool replays, dump prints what promtool tsdb dump prints.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTar } from '../fuzz/tarball.js';
import { runCli } from '../helpers/cli.js';
import { hasPrometheus, promtoolDump } from '../helpers/prometheus.js';
import { encodeSamples, encodeSeries, WalWriter, writeWal } from '../helpers/walWriter.js';

const T0 = 1_700_000_000_000;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'open-head-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Writes `files` (relative to the data dir) into a new data dir; returns its path. */
function dataDir(name: string, files: readonly { name: string; bytes: Uint8Array }[]): string {
  const dir = path.join(work, name);
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f.name)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.name), f.bytes);
  }
  return dir;
}

const series = (ref: number, name: string) => encodeSeries([{ ref, labels: ['__name__', name] }]);
const samples = (ref: number, ...ts: number[]) => encodeSamples(ts.map((t) => ({ ref, t: T0 + t, v: t + 1 })));

/** Segments 0, 1, 2 of a WAL, one record each after the series. */
function threeSegments(dir?: string): { name: string; bytes: Uint8Array }[] {
  const w = new WalWriter(dir ? { dir } : {});
  w.log(series(1, 'up'));
  w.log(samples(1, 0));
  w.nextSegment();
  w.log(samples(1, 1000));
  w.nextSegment();
  w.log(samples(1, 2000));
  return w.segments();
}

const refused = [
  ['a WAL segment is missing', () => threeSegments().filter((_, i) => i !== 1), /segment 00000001 is missing before wal\/00000002/],
  [
    'a checkpoint segment is missing',
    () => [...threeSegments('wal/checkpoint.00000004').filter((_, i) => i !== 1), ...writeWal([samples(1, 3000)], { firstIndex: 5 }).segments],
    /segment 00000001 is missing before wal\/checkpoint.00000004\/00000002/,
  ],
] as const;

describe('dump over a head Prometheus would not open', () => {
  it.each(refused)('%s: exit 1 and the reason, from the dir and from a tar of it', async (name, files, why) => {
    const dir = dataDir(name.replace(/ /g, '-'), files());
    const r = await runCli(['dump', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(why);
    expect(r.stderr).toContain('segments are not sequential');
    const tar = path.join(work, `${path.basename(dir)}.tar`);
    fs.writeFileSync(tar, buildTar(files().map((f) => ({ name: `data/${f.name}`, data: f.bytes }))).tar);
    const a = await runCli(['dump', tar]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(why);
  });

  it.skipIf(!hasPrometheus()).each(refused)('%s: promtool tsdb dump refuses it too', async (name, files) => {
    const dir = dataDir(`promtool-${name.replace(/ /g, '-')}`, files());
    await expect(promtoolDump(dir)).rejects.toThrow(/segments are not sequential/);
  });
});

describe('dump over a head promtool replays with losses', () => {
  const cases = [
    // Ref 1 is given to `b` after `a`: promtool (and a server) answer neither; `c` is untouched.
    ['a series ref reused for other labels', () => writeWal([series(1, 'a'), series(2, 'c'), samples(1, 0), samples(2, 0, 1000), series(1, 'b'), samples(1, 2000)]).segments],
    // Samples for refs no series record defines are dropped.
    ['unknown series refs', () => writeWal([series(1, 'x'), samples(1, 0), samples(9, 1000), samples(1, 2000)]).segments],
  ] as const;

  it.skipIf(!hasPrometheus()).each(cases)('%s: dump equals promtool tsdb dump', async (name, files) => {
    const dir = dataDir(`lossy-${name.replace(/ /g, '-')}`, files());
    const want = await promtoolDump(dir);
    expect(want).not.toBe('');
    const r = await runCli(['dump', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(want);
  });
});
