// restore's safety: what it writes equals the archive (and what promtool
// answered about it), and it refuses, changing nothing, a data dir that holds
// one of the blocks or that a process has locked; a corrupt block keeps every
// block out (or only itself, with --skip-corrupt); a killed restore leaves
// only *.tmp-for-creation dirs, which Prometheus removes on start.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/prometheus.js';
import { promtoolDump, promtoolList } from '../helpers/answers.js';
import { buildTar, loadMembers, type Member } from '../fuzz/tarball.js';
import { realMembers, realPlace } from '../codes/case.js';
import { restore } from '../../src/restore/restore.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'tsdb-inspect.js');
const TMP = '.tmp-for-creation';
let work: string;
beforeAll(() => void (work = fs.mkdtempSync(path.join(os.tmpdir(), 'restore-'))));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

let n = 0;
function dataDir(): string {
  const d = path.join(work, `data${n++}`);
  fs.mkdirSync(d);
  return d;
}

function run(args: string[], stdin?: Uint8Array) {
  return spawnSync(process.execPath, [BIN, ...args], { input: stdin, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, TMPDIR: work } });
}

/** Every file under `dir` with its bytes (paths relative to it). */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.set(r, fs.readFileSync(path.join(dir, r)).toString('base64'));
    }
  };
  walk('');
  return out;
}

/** The block files of the archive's one snapshot, by block-relative path (`<ULID>/index`). */
function archiveBlocks(members: readonly Member[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of members) {
    const p = /^snapshots\/[^/]+\/(.+)$/.exec(m.name);
    if (p && m.data && !m.name.endsWith('/')) out.set(p[1]!, Buffer.from(m.data).toString('base64'));
  }
  return out;
}

const full = () => realMembers();
const tarOf = (members: readonly Member[]) => buildTar(members).tar;

describe('restore writes the archive blocks', () => {
  it.each(['snapshot-full.tgz', 'overlap.tgz'])('%s: the blocks are the archive members, and list and dump as promtool answered', (fixture) => {
    const dir = dataDir();
    const r = run(['restore', fixturePath(fixture), dir]);
    expect(r.status, r.stderr).toBe(0);
    const blocks = promtoolList(fixture);
    expect(fs.readdirSync(dir).sort()).toEqual(blocks.map((b) => b.ulid).sort());
    const extracted = fs.mkdtempSync(path.join(work, 'x-'));
    spawnSync('tar', ['xzf', fixturePath(fixture), '-C', extracted]);
    const [snap] = fs.readdirSync(path.join(extracted, 'snapshots'));
    expect(tree(dir)).toEqual(tree(path.join(extracted, 'snapshots', snap!)));
    for (const b of blocks) expect(r.stdout).toContain(`restored ${b.ulid}`);
    const list = JSON.parse(run(['blocks', dir, '--format', 'json']).stdout) as { ulid: string; numSamples: number }[];
    expect(list.map((b) => [b.ulid, b.numSamples]).sort()).toEqual(blocks.map((b) => [b.ulid, b.numSamples]).sort());
    expect(run(['dump', dir, '--promtool-compat']).stdout).toBe(promtoolDump(fixture));
  });

  it('reads stdin as it reads a file', () => {
    const dir = dataDir();
    const r = run(['restore', '-', dir], fs.readFileSync(fixturePath('overlap.tgz')));
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(promtoolList('overlap.tgz').map((b) => b.ulid).sort());
  });

  it('writes a hard-linked file as a link to the file it names', () => {
    const members = loadMembers(fixturePath('overlap.tgz'));
    // Two blocks' equal tombstones, the later stored as a hard link to the earlier (as GNU tar stores them).
    const ts = members.filter((m) => m.name.endsWith('/tombstones'));
    const later = ts.findIndex((m, i) => ts.slice(0, i).some((e) => Buffer.from(e.data!).equals(Buffer.from(m.data!))));
    const earlier = ts.find((e) => Buffer.from(e.data!).equals(Buffer.from(ts[later]!.data!)))!;
    const i = members.indexOf(ts[later]!);
    members[i] = { name: members[i]!.name, type: 'link', linkname: earlier.name };
    const dir = dataDir();
    const r = run(['restore', '-', dir], tarOf(members));
    expect(r.status, r.stderr).toBe(0);
    const block = (m: Member) => m.name.split('/')[2]!;
    expect(fs.statSync(path.join(dir, block(members[i]!), 'tombstones')).ino).toBe(fs.statSync(path.join(dir, block(earlier), 'tombstones')).ino);
  });

  it('a snapshot of hard links into another (a block two snapshots share): from a file restored, from stdin named', () => {
    const members = full();
    const { snapshot } = realPlace(members);
    const links = members.filter((m) => m.data && !m.name.endsWith('/')).map((m) => ({ name: m.name.replace(snapshot, 'second'), type: 'link' as const, linkname: m.name }));
    const archive = path.join(work, `linked${n++}.tar`);
    fs.writeFileSync(archive, tarOf([...members, ...links]));
    const dir = dataDir();
    const r = run(['restore', archive, dir, '--snapshot', 'second']);
    expect(r.status, r.stderr).toBe(0);
    expect(tree(dir)).toEqual(archiveBlocks(members));
    const piped = dataDir();
    const p = run(['restore', '-', piped, '--snapshot', 'second'], fs.readFileSync(archive));
    expect(p.status).toBe(1);
    expect(p.stdout).toMatch(/not restored [0-9A-Z]{26}: .*hard link to .*restore from the archive file/);
    expect(fs.readdirSync(piped)).toEqual([]);
  });
});

describe('restore writes only block files of ULID dirs', () => {
  it('a stray file in a block, a dir not named as a block: not written', () => {
    const members = full();
    const { prefix, snapshot } = realPlace(members);
    const stray = [
      { name: prefix + 'extra', data: Buffer.from('stray') },
      { name: prefix + 'chunks/notasegment', data: Buffer.from('stray') },
      { name: `snapshots/${snapshot}/notablock/meta.json`, data: Buffer.from('{}') },
    ];
    const dir = dataDir();
    const r = run(['restore', '-', dir, '--skip-corrupt'], tarOf([...members, ...stray]));
    expect(tree(dir)).toEqual(archiveBlocks(members));
    expect(r.stdout).not.toMatch(/^restored notablock/m);
  });
});

describe('restore refuses, changing nothing', () => {
  const ulids = () => promtoolList('snapshot-full.tgz').map((b) => b.ulid);

  it.each([
    ['a file', (f: string) => [f]],
    ['stdin', () => ['-']],
  ])('a data dir holding one of the blocks (%s): exit 2, the block named', (_, input) => {
    const taken = ulids()[3]!;
    for (const name of [taken, taken + TMP]) {
      const dir = dataDir();
      fs.mkdirSync(path.join(dir, name));
      fs.mkdirSync(path.join(dir, ulids()[5]!));
      fs.writeFileSync(path.join(dir, name, 'meta.json'), 'mine');
      const before = tree(dir);
      const f = fixturePath('snapshot-full.tgz');
      const r = run(['restore', ...input(f), dir], input(f)[0] === '-' ? fs.readFileSync(f) : undefined);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(taken);
      // A file is looked through first: every block already there is named at once.
      if (input(f)[0] !== '-') expect(r.stderr).toContain(ulids()[5]!);
      expect(fs.readdirSync(dir).sort()).toEqual([name, ulids()[5]!].sort());
      expect(tree(dir)).toEqual(before);
    }
  });

  it('a data dir whose lock a process holds: exit 2', async () => {
    const dir = dataDir();
    const lock = path.join(dir, 'lock');
    const holder = spawn('flock', ['--no-fork', lock, 'sleep', '30'], { stdio: 'ignore' });
    try {
      await until(() => fs.existsSync(lock) && spawnSync('flock', ['-n', lock, 'true']).status !== 0);
      const r = run(['restore', fixturePath('overlap.tgz'), dir]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/in use.*holds a lock/);
      expect(fs.readdirSync(dir)).toEqual(['lock']);
    } finally {
      holder.kill('SIGKILL');
    }
    // Once let go, the same dir restores.
    await until(() => spawnSync('flock', ['-n', lock, 'true']).status === 0);
    expect(run(['restore', fixturePath('overlap.tgz'), dir]).status).toBe(0);
  });

  it('an archive of several snapshots without --snapshot: exit 2; with it, that one', () => {
    const members = full();
    const { snapshot } = realPlace(members);
    const two = [...members, ...members.map((m) => ({ ...m, name: m.name.replace(snapshot, 'second') }))];
    const archive = path.join(work, `two${n++}.tar`);
    fs.writeFileSync(archive, tarOf(two));
    for (const input of [archive, '-']) {
      const dir = dataDir();
      const r = run(['restore', input, dir], input === '-' ? fs.readFileSync(archive) : undefined);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain('--snapshot');
      expect(fs.readdirSync(dir)).toEqual([]);
      const ok = run(['restore', input, dir, '--snapshot', 'second'], input === '-' ? fs.readFileSync(archive) : undefined);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('snapshot second');
      expect(fs.readdirSync(dir).sort()).toEqual(ulids().sort());
    }
  });
});

describe('a refusal on stdin', () => {
  it('does not wait for the rest of the archive', async () => {
    const members = full();
    const { snapshot } = realPlace(members);
    const tar = tarOf([...members, ...members.map((m) => ({ ...m, name: m.name.replace(snapshot, 'second') }))]);
    const dir = dataDir();
    const child = spawn(process.execPath, [BIN, 'restore', '-', dir], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin!.on('error', () => {});
    child.stdin!.write(tar.subarray(0, tar.length - 1024)); // stdin stays open
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    clearTimeout(timer);
    expect(code).toBe(2);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('a corrupt block', () => {
  it('the library removes its tmp dirs itself (no exit hook)', async () => {
    const { tar } = corrupt();
    const file = path.join(work, `corrupt${n++}.tar`);
    fs.writeFileSync(file, tar);
    const dir = dataDir();
    const r = await restore(file, dir);
    expect(r.restored).toEqual([]);
    expect(r.ok).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  /** snapshot-full with one chunk byte flipped in the first block's first segment. */
  function corrupt(): { tar: Uint8Array; bad: string } {
    const members = full();
    const { prefix, block } = realPlace(members);
    const seg = members.find((m) => m.name === prefix + 'chunks/000001')!;
    const data = Buffer.from(seg.data!);
    data[20]! ^= 0x40;
    seg.data = data;
    return { tar: tarOf(members), bad: block };
  }

  it('stops the restore: exit 1, nothing renamed, no tmp dir left', () => {
    const { tar, bad } = corrupt();
    const dir = dataDir();
    const r = run(['restore', '-', dir], tar);
    expect(r.status, r.stderr).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(r.stdout).toMatch(new RegExp(`not restored ${bad}: .*CRC32C mismatch`));
    expect(r.stdout).toContain('FAILED: 0 block(s)');
  });

  it('with --skip-corrupt: the others restored, the bad one named, exit 1', () => {
    const { tar, bad } = corrupt();
    const dir = dataDir();
    const r = run(['restore', '-', dir, '--skip-corrupt'], tar);
    expect(r.status, r.stderr).toBe(1);
    const want = promtoolList('snapshot-full.tgz').map((b) => b.ulid).filter((u) => u !== bad);
    expect(fs.readdirSync(dir).sort()).toEqual(want.sort());
    expect(r.stdout).toMatch(new RegExp(`not restored ${bad}: `));
    expect(r.stdout).not.toContain(`restored ${bad}\n`);
  });

  it('a cut-short archive: nothing restored; with --skip-corrupt only the blocks read whole', () => {
    const members = full();
    const tar = tarOf(members);
    const cut = tar.subarray(0, Math.floor(tar.length * 0.6));
    const none = dataDir();
    expect(run(['restore', '-', none], cut).status).toBe(1);
    expect(fs.readdirSync(none)).toEqual([]);
    const some = dataDir();
    const r = run(['restore', '-', some, '--skip-corrupt'], cut);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/not restored [0-9A-Z]{26}: the archive ends inside member/);
    const want = archiveBlocks(members);
    const got = tree(some);
    expect(got.size).toBeGreaterThan(0);
    for (const [rel, data] of got) expect(data, rel).toBe(want.get(rel));
  });
});

describe('an archive not whole', () => {
  it('an error that names no block (the gzip CRC) keeps every block out, even with --skip-corrupt', () => {
    const gz = Buffer.from(fs.readFileSync(fixturePath('overlap.tgz')));
    gz[gz.length - 8]! ^= 0xff; // the gzip trailer's CRC32
    const dir = dataDir();
    const r = run(['restore', '-', dir, '--skip-corrupt'], gz);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/not restored [0-9A-Z]{26}: the archive is not whole: .*CRC/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("a data dir's corrupt WAL does not keep its blocks out (the head is not restored)", () => {
    const members = loadMembers(fixturePath('datadir-live.tgz'));
    const wal = members.find((m) => m.name === 'data/wal/00000003')!;
    const data = Buffer.from(wal.data!);
    data[Math.floor(data.length / 2)]! ^= 0xff;
    wal.data = data;
    const dir = dataDir();
    const r = run(['restore', '-', dir], tarOf(members));
    expect(r.stderr).toMatch(/error: .* at data\/wal\/00000003/);
    expect(r.stderr).toContain('its head (wal/, chunks_head/) is not');
    expect(r.status, r.stderr).toBe(0);
    const blocks = new Set(members.flatMap((m) => /^data\/([0-9A-Z]{26})\/index$/.exec(m.name)?.[1] ?? []));
    expect(blocks.size).toBe(4);
    expect(fs.readdirSync(dir).sort()).toEqual([...blocks].sort());
  });
});

describe('an interrupted restore', () => {
  /** Start a restore from stdin, feed it the first half of the archive, and wait for its first tmp dir. */
  async function halfway(): Promise<{ child: ChildProcess; dir: string }> {
    const tar = gunzipSync(fs.readFileSync(fixturePath('snapshot-full.tgz')));
    const dir = dataDir();
    const child = spawn(process.execPath, [BIN, 'restore', '-', dir], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin!.on('error', () => {});
    child.stdin!.write(tar.subarray(0, tar.length >> 1));
    await until(() => fs.readdirSync(dir).some((d) => d.endsWith(TMP)));
    return { child, dir };
  }

  it('SIGKILL leaves only *.tmp-for-creation dirs', async () => {
    const { child, dir } = await halfway();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const left = fs.readdirSync(dir);
    expect(left.length).toBeGreaterThan(0);
    for (const d of left) expect(d).toMatch(/^[0-9A-Z]{26}\.tmp-for-creation$/);
  });

  it('SIGTERM leaves nothing', async () => {
    const { child, dir } = await halfway();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
