// verify on a directory checks its blocks in worker threads: the output must
// be that of one thread, byte for byte, on healthy and damaged inputs; a
// worker that throws or dies becomes an error finding (or, for a file that
// cannot be read, the usage error one thread gives), never a hang.
//
// Worker threads run the compiled worker script, so the pool is tested
// through the CLI and through dist/ (the suite builds it first).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { extractArchive, fixturePath } from '../helpers/prometheus.js';

const DIST = path.resolve(__dirname, '..', '..', 'dist', 'verify');
let work: string;
let full: string; // extracted snapshot-full.tgz
let datadir: string; // extracted datadir-live.tgz
let damaged: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'workers-test-'));
  full = await extractArchive(fixturePath('snapshot-full.tgz'));
  datadir = await extractArchive(fixturePath('datadir-live.tgz'));
  // A copy with a flipped chunk bit, a flipped index bit, a wrong stat and a missing tombstones file, each in its own block.
  damaged = path.join(work, 'damaged');
  fs.cpSync(full, damaged, { recursive: true });
  const snap = path.join(damaged, 'snapshots', fs.readdirSync(path.join(damaged, 'snapshots'))[0]!);
  const blocks = fs.readdirSync(snap).sort();
  expect(blocks.length).toBeGreaterThanOrEqual(4);
  const flip = (f: string, at: (n: number) => number) => {
    const b = fs.readFileSync(f);
    b[at(b.length)]! ^= 0x10;
    fs.writeFileSync(f, b);
  };
  flip(path.join(snap, blocks[0]!, 'chunks', '000001'), (n) => Math.floor(n / 2));
  flip(path.join(snap, blocks[1]!, 'index'), (n) => Math.floor(n / 3));
  const meta = path.join(snap, blocks[2]!, 'meta.json');
  fs.writeFileSync(meta, fs.readFileSync(meta, 'utf8').replace('"numSamples":', '"numSamples":1'));
  fs.rmSync(path.join(snap, blocks[3]!, 'tombstones'));
});

afterAll(() => {
  for (const d of [work, full, datadir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

describe('worker threads give the output of one thread', () => {
  const inputs: [string, () => string][] = [
    ['an extracted archive root', () => full],
    ['a snapshot dir', () => path.join(full, 'snapshots', fs.readdirSync(path.join(full, 'snapshots'))[0]!)],
    ['a data dir with its WAL', () => path.join(datadir, 'data')],
    ['a damaged copy', () => damaged],
  ];
  it.each(inputs)('%s', async (_what, dir) => {
    const one = await runCli(['verify', dir(), '--format', 'json', '--workers', '1']);
    expect(one.stderr).toBe('');
    expect(JSON.parse(one.stdout).snapshots.flatMap((s: any) => s.blocks).length).toBeGreaterThan(1);
    for (const n of ['2', '3']) {
      const many = await runCli(['verify', dir(), '--format', 'json', '--workers', n]);
      expect(many.stderr).toBe('');
      expect(many.code).toBe(one.code);
      expect(many.stdout).toBe(one.stdout);
    }
    const byDefault = await runCli(['verify', dir()]);
    const table = await runCli(['verify', dir(), '--workers', '1']);
    expect([byDefault.code, byDefault.stdout]).toEqual([table.code, table.stdout]);
    if (dir() === damaged) expect(JSON.parse(one.stdout).findings.filter((f: any) => f.severity === 'error').length).toBeGreaterThan(3);
  });

  it('--workers takes a whole number of at least 1', async () => {
    for (const bad of ['0', '-2', '1.5', 'many']) {
      const r = await runCli(['verify', full, '--workers', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--workers must be a whole number of at least 1/);
    }
  });
});

describe('a worker that fails', () => {
  const script = (name: string, body: string): URL => {
    const f = path.join(work, `${name}.mjs`);
    fs.writeFileSync(f, `import { serveJobs } from ${JSON.stringify(path.join(DIST, 'pool.js'))};\n${body}\n`);
    return new URL(`file://${f}`);
  };
  const within = <T>(p: Promise<T>, ms = 20_000): Promise<T> =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms: a hang`)), ms))]);

  it('throwing, exiting or crashing ends its job with an error; the other jobs are done', async () => {
    const { runPool } = await import(path.join(DIST, 'pool.js'));
    const s = script(
      'faulty',
      `serveJobs(async (job) => {
        if (job === 'throw') throw new TypeError('boom');
        if (job === 'exit') process.exit(3);
        if (job === 'crash') setTimeout(() => { throw new RangeError('async boom'); }, 1);
        if (job === 'crash') await new Promise((r) => setTimeout(r, 1000));
        return job + ' done';
      });`,
    );
    const jobs = ['a', 'throw', 'b', 'exit', 'c', 'crash', 'd'];
    for (const size of [1, 2, 4]) {
      const r = await within(runPool(s, jobs, { size }));
      expect(r.map((x: any) => (x.ok ? x.value : `${x.error.name}: ${x.error.message}`))).toEqual([
        'a done',
        'TypeError: boom',
        'b done',
        'Error: the worker thread exited with code 3',
        'c done',
        'RangeError: async boom',
        'd done',
      ]);
    }
  });

  it('a script that does not load fails every job, without a hang', async () => {
    const { runPool } = await import(path.join(DIST, 'pool.js'));
    const r = await within(runPool(script('broken', `throw new Error('cannot start');`), [1, 2, 3], { size: 2 }));
    expect(r.map((x: any) => [x.ok, x.error?.message])).toEqual([
      [false, 'cannot start'],
      [false, 'cannot start'],
      [false, 'cannot start'],
    ]);
  });

  it("becomes an internal-error finding on that block, and the others are checked; a file it cannot read is the usage error", async () => {
    const { checkInWorkers, WORKER_SCRIPT } = await import(path.join(DIST, 'verify-dir.js'));
    const snap = path.join(full, 'snapshots', fs.readdirSync(path.join(full, 'snapshots'))[0]!);
    const jobs = fs
      .readdirSync(snap)
      .sort()
      .map((block, i) => {
        const files = ['meta.json', 'index', 'tombstones', 'chunks/000001'].map((rel) => ({ rel, path: path.join(snap, block, rel) }));
        return { job: { snapshot: 's', block, files }, bytes: i }; // the last is given out first
      });
    const picky = script(
      'picky',
      `import { checkBlockFiles } from ${JSON.stringify(path.join(DIST, 'block-files.js'))};
      serveJobs(async (job) => { if (job.block === ${JSON.stringify(jobs[1]!.job.block)}) throw new Error('picky'); return checkBlockFiles(job); });`,
    );
    const out = await within(checkInWorkers(jobs, 2, picky));
    expect(out.map((o: any) => o.block)).toEqual(jobs.map((j) => j.job.block));
    expect(out[1].check).toEqual([
      { severity: 'error', code: 'internal-error', snapshot: 's', block: jobs[1]!.job.block, message: 'checking the block in a worker thread failed (a bug): Error: picky' },
    ]);
    expect(out[1].summary.ok).toBe(false);
    for (const [i, o] of out.entries()) if (i !== 1) expect([o.summary.ok, o.summary.numSamples > 0, o.read, o.check]).toEqual([true, true, [], []]);

    const missing = jobs.map((j, i) => (i === 2 ? { ...j, job: { ...j.job, files: [...j.job.files, { rel: 'index', path: path.join(work, 'gone', 'index') }] } } : j));
    await expect(within(checkInWorkers(missing, 2, WORKER_SCRIPT))).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: `${path.join(work, 'gone', 'index')}: cannot read it: no such file or directory` });
  });
});

describe('how many threads a directory gets', () => {
  it("uses one per core for 'auto' only from AUTO_WORKERS_FROM bytes of blocks, never more than there are blocks", async () => {
    const { threadsFor, AUTO_WORKERS_FROM } = await import('../../src/verify/verify-dir.js');
    expect(threadsFor('auto', AUTO_WORKERS_FROM - 1, 6, 2)).toBe(1);
    expect(threadsFor('auto', AUTO_WORKERS_FROM, 6, 2)).toBe(2);
    expect(threadsFor('auto', 10 * AUTO_WORKERS_FROM, 3, 8)).toBe(3);
    expect(threadsFor(undefined, 10 * AUTO_WORKERS_FROM, 6, 8)).toBe(1);
    expect(threadsFor(4, 0, 6, 2)).toBe(4);
    expect(threadsFor(4, 0, 2, 2)).toBe(2);
    expect(threadsFor(0.5, 0, 2, 2)).toBe(1);
  });
});
