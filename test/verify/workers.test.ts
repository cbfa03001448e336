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
    fs.writeFileSync(f, `import { serveClaims } from ${JSON.stringify(path.join(DIST, '..', 'threads', 'pool.js'))};\n${body}\n`);
    return new URL(`file://${f}`);
  };
  const within = <T>(p: Promise<T>, ms = 20_000): Promise<T> =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms: a hang`)), ms))]);
  /** Every job through a ClaimPool of `size` workers, none claimed here. */
  const runAll = async (s: URL, jobs: unknown[], size: number) => {
    const { ClaimPool } = await import(path.join(DIST, '..', 'threads', 'pool.js'));
    const results: any[] = new Array(jobs.length);
    const pool = new ClaimPool(s, size, jobs, { onResult: (id: number, r: unknown) => (results[id] = r) });
    try {
      while (results.filter(Boolean).length < jobs.length) await pool.wait();
    } finally {
      pool.close();
    }
    return results.map((x: any) => (x.ok ? x.value : `${x.error.name}: ${x.error.message}`));
  };

  it('throwing, exiting or crashing between jobs ends only the job it had; the other jobs are done', async () => {
    const s = script(
      'faulty',
      `serveClaims((job) => {
        if (job === 'throw') throw new TypeError('boom');
        if (job === 'exit') process.exit(3);
        if (job === 'crash') setTimeout(() => { throw new RangeError('async boom'); }, 1);
        return job + ' done';
      });`,
    );
    const jobs = ['a', 'throw', 'b', 'exit', 'c', 'crash', 'd', 'e'];
    for (const size of [1, 2, 4]) {
      expect(await within(runAll(s, jobs, size))).toEqual(['a done', 'TypeError: boom', 'b done', 'Error: the worker thread exited with code 3', 'c done', 'crash done', 'd done', 'e done']);
    }
  });

  it('a script that does not load fails every job, without a hang', async () => {
    expect(await within(runAll(script('broken', `throw new Error('cannot start');`), [1, 2, 3], 2))).toEqual(['Error: cannot start', 'Error: cannot start', 'Error: cannot start']);
  });

  it('a job claimed in this thread is skipped by the worker that holds it', async () => {
    const { ClaimPool } = await import(path.join(DIST, '..', 'threads', 'pool.js'));
    const s = script('slow', `serveClaims((job) => { const t = Date.now() + 50; while (Date.now() < t); return job; });`);
    const results: any[] = [];
    const pool = new ClaimPool(s, 1, [0, 1, 2, 3], { onResult: (id: number, r: any) => (results[id] = r) });
    // Job 1 is already sent to the worker (it holds two), but it has not started it.
    const mine = [3, 1].filter((id) => pool.claim(id));
    expect(mine).toContain(3);
    expect(pool.claim(3)).toBe(false); // once only
    while (results.filter(Boolean).length + mine.length < 4) await within(pool.wait());
    pool.close();
    for (const id of [0, 1, 2, 3]) expect(mine.includes(id) ? results[id] : results[id]?.value).toBe(mine.includes(id) ? undefined : id);
  });

  it('fails its block (which verify reports as an internal-error finding), the others are checked; a file that cannot be read is the usage error', async () => {
    const { checkSplit } = await import(path.join(DIST, 'dir', 'split.js'));
    const { SEGMENT_WORKER_SCRIPT } = await import(path.join(DIST, 'dir', 'verify-dir.js'));
    const snap = path.join(full, 'snapshots', fs.readdirSync(path.join(full, 'snapshots'))[0]!);
    const jobs = fs
      .readdirSync(snap)
      .sort()
      .map((block, i) => {
        const files = ['meta.json', 'index', 'tombstones', 'chunks/000001'].map((rel) => ({ rel, path: path.join(snap, block, rel) }));
        return { job: { snapshot: 's', block, files }, bytes: i }; // the last is checked first
      });
    const picky = script(
      'picky',
      `import { scanSegmentFile } from ${JSON.stringify(path.join(DIST, 'dir', 'segment-job.js'))};
      serveClaims((job) => { if (job.block === ${JSON.stringify(jobs[1]!.job.block)}) throw new Error('picky'); return scanSegmentFile(job); });`,
    );
    const r = await within(checkSplit(jobs, 2, picky, { scanHere: false }));
    expect([...r.failed]).toEqual([[1, 'Error: picky']]);
    expect(r.unreadable).toBeUndefined();
    for (const [i, o] of r.outcomes.entries()) {
      if (i === 1) expect(o).toBeUndefined();
      else expect([o.block, o.summary.numSamples > 0, o.read, o.check]).toEqual([jobs[i]!.job.block, true, [], []]);
    }

    // A missing index (read here) and a missing segment (scanned by a worker): the first block with one is the usage error.
    for (const [i, rel] of [
      [2, 'index'],
      [3, 'chunks/000001'],
    ] as const) {
      const gone = path.join(work, 'gone', String(i), rel);
      const missing = jobs.map((j, k) => (k === i ? { ...j, job: { ...j.job, files: j.job.files.map((f) => (f.rel === rel ? { rel, path: gone } : f)) } } : j));
      for (const scanHere of [true, false]) {
        const m = await within(checkSplit(missing, 2, SEGMENT_WORKER_SCRIPT, { scanHere }));
        expect([m.unreadable?.path, m.unreadable?.code]).toEqual([gone, 'ENOENT']);
      }
    }
  });
});

describe('how many threads a directory gets', () => {
  it("uses one per core for 'auto' only from AUTO_WORKERS_FROM bytes of blocks, never more than there are blocks", async () => {
    const { threadsFor, AUTO_WORKERS_FROM } = await import('../../src/verify/dir/verify-dir.js');
    expect(threadsFor('auto', AUTO_WORKERS_FROM - 1, 6, 2)).toBe(1);
    expect(threadsFor('auto', AUTO_WORKERS_FROM, 6, 2)).toBe(2);
    expect(threadsFor('auto', 10 * AUTO_WORKERS_FROM, 3, 8)).toBe(3);
    expect(threadsFor(undefined, 10 * AUTO_WORKERS_FROM, 6, 8)).toBe(1);
    expect(threadsFor(4, 0, 6, 2)).toBe(4);
    expect(threadsFor(4, 0, 2, 2)).toBe(2);
    expect(threadsFor(0.5, 0, 2, 2)).toBe(1);
  });
});
