// Every layout an operator can make of the same data, with real tar commands, read
// through the CLI: verify, blocks and dump must agree on the blocks, and dump must
// print what it prints for the canonical archive (tar czf snapshots.tgz snapshots/).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';

const sh = (cwd: string, cmd: string) => execFileSync('/bin/sh', ['-c', cmd], { cwd, stdio: 'pipe' });

interface Layout {
  what: string;
  /** The input, relative to the work dir (`-` reads `stdin` from there). */
  input: string;
  stdin?: string;
  /** Blocks expected, when not all of the canonical archive's. */
  only?: string[];
}

async function blocksOf(input: string, cwd: string, stdin?: string) {
  const args = (cmd: string, ...more: string[]) => [cmd, input === '-' ? '-' : path.join(cwd, input), ...more];
  const opts = stdin ? { stdinFile: path.join(cwd, stdin) } : {};
  const v = await runCli(args('verify', '--format', 'json'), opts);
  const verified = JSON.parse(v.stdout) as { ok: boolean; snapshots: { blocks: { ulid: string }[] }[]; findings: { code: string; severity: string }[] };
  const b = await runCli(args('blocks', '--format', 'json'), opts);
  expect(b.code, b.stderr).toBe(0);
  const d = await runCli(args('dump'), opts);
  expect(d.code, d.stderr).toBe(0);
  return {
    ok: verified.ok,
    errors: verified.findings.filter((f) => f.severity === 'error'),
    verify: verified.snapshots.flatMap((s) => s.blocks.map((x) => x.ulid)).sort(),
    blocks: (JSON.parse(b.stdout) as { ulid: string }[]).map((x) => x.ulid).sort(),
    dump: d.stdout,
  };
}

describe.each(['overlap.tgz', 'snapshot-full.tgz'])('the layouts of %s', (fixture) => {
  let work: string;
  let canonical: Awaited<ReturnType<typeof blocksOf>>;
  let snap: string;
  let firstBlock: string;
  const layouts: Layout[] = [
    { what: 'tar czf s.tgz -C snapshots/<name> .', input: 's.tgz' },
    { what: 'tar czf bare.tgz -C snapshots .', input: 'bare.tgz' },
    { what: 'mv snapshots real; tar czf x.tgz real/', input: 'x.tgz' },
    { what: 'tar czf d.tgz -C data . (blocks copied into a data dir)', input: 'd.tgz' },
    { what: 'tar czf data.tgz data/', input: 'data.tgz' },
    { what: 'tar czf n.tgz backup/ (backup/snapshots/<name>/)', input: 'n.tgz' },
    { what: 'the snapshot dir contents on stdin', input: '-', stdin: 's.tgz' },
    { what: 'the extracted archive root', input: 'root' },
    { what: 'the snapshot dir', input: 'root/snapshots/SNAP' },
    { what: 'the renamed snapshots dir', input: 'ren/real' },
    { what: 'a dir holding the blocks', input: 'data' },
    { what: 'one block dir', input: 'root/snapshots/SNAP/BLOCK', only: ['BLOCK'] },
    { what: 'tar czf b.tgz -C snapshots/<name> <ULID>', input: 'b.tgz', only: ['BLOCK'] },
  ];

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'layouts-'));
    fs.mkdirSync(path.join(work, 'root'));
    sh(work, `tar xzf ${fixturePath(fixture)} -C root`);
    snap = fs.readdirSync(path.join(work, 'root/snapshots'))[0]!;
    firstBlock = fs.readdirSync(path.join(work, 'root/snapshots', snap)).sort()[0]!;
    sh(work, `tar czf s.tgz -C root/snapshots/${snap} .`);
    sh(work, 'tar czf bare.tgz -C root/snapshots .');
    sh(work, `mkdir ren && cp -a root/snapshots ren/snapshots && cd ren && mv snapshots real && tar czf ../x.tgz real/`);
    sh(work, `mkdir data && cp -a root/snapshots/${snap}/. data/ && tar czf d.tgz -C data . && tar czf data.tgz data/`);
    sh(work, `mkdir backup && cp -a root/snapshots backup/ && tar czf n.tgz backup/`);
    sh(work, `tar czf b.tgz -C root/snapshots/${snap} ${firstBlock}`);
    canonical = await blocksOf(fixturePath(fixture), '/');
    expect(canonical.ok).toBe(true);
    expect(canonical.blocks).toEqual(canonical.verify);
  }, 120_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it.each(layouts)('$what', async (l) => {
    const input = l.input.replace('SNAP', snap).replace('BLOCK', firstBlock);
    const got = await blocksOf(input, work, l.stdin);
    const want = l.only ? [firstBlock] : canonical.blocks;
    expect(got.errors).toEqual([]);
    expect(got.verify).toEqual(want);
    expect(got.blocks).toEqual(want);
    if (!l.only) expect(got.dump === canonical.dump, 'dump differs from the canonical archive').toBe(true);
  }, 60_000);
});

describe('a data dir (datadir-live.tgz) rearranged', () => {
  let work: string;
  let want: Awaited<ReturnType<typeof blocksOf>>;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'layouts-data-'));
    sh(work, `tar xzf ${fixturePath('datadir-live.tgz')}`);
    sh(work, 'tar czf d.tgz -C data .');
    want = await blocksOf(fixturePath('datadir-live.tgz'), '/');
  }, 60_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it.each(['d.tgz', 'data'])('%s reads the same blocks and head', async (input) => {
    const got = await blocksOf(input, work);
    expect([got.verify, got.blocks]).toEqual([want.verify, want.blocks]);
    expect(got.dump === want.dump, 'dump differs').toBe(true);
  }, 60_000);

  it("leaves the data dir's own snapshots/ out, as Prometheus does", async () => {
    const block = fs.readdirSync(path.join(work, 'data')).find((n) => /^[0-7][0-9A-Z]{25}$/.test(n))!;
    sh(work, `mkdir -p own/snapshots/20261122T144025Z-2939a76ec4c5dbb6 && cp -a data/. own/ && cp -a data/${block} own/snapshots/20261122T144025Z-2939a76ec4c5dbb6/ && tar czf own.tgz -C own .`);
    for (const input of ['own.tgz', 'own']) {
      const got = await blocksOf(input, work);
      expect([got.verify, got.blocks], input).toEqual([want.verify, want.blocks]);
      expect(got.dump === want.dump, `${input}: dump differs`).toBe(true);
    }
  }, 60_000);
});
