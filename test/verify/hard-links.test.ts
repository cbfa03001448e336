// Hard links: Prometheus hard-links the blocks of a snapshot, so two snapshots
// taken a while apart share most blocks, and GNU tar stores the second path
// to each shared file as a hard-link member pointing at the first. verify
// reads such a link as a copy of its target (with a `hard-link` warning);
// any other link stays an unsafe-member error.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify, verifyStream } from '../../src/verify/verify.js';
import { runCli } from '../helpers/cli.js';
import { extractArchive, fixturePath } from '../helpers/prometheus.js';
import { buildTar, loadMembers, verifyBuffer } from '../fuzz/tarball.js';
import { Readable } from 'node:stream';

let work: string;
let root: string; // snapshots/<S1>/ (all blocks) and snapshots/<S2>/ (hard links to all but one, plus one of its own)
let s1: string;
let s2: string;
let blocks: string[];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hard-links-'));
  root = await extractArchive(fixturePath('snapshot-full.tgz'));
  s1 = fs.readdirSync(path.join(root, 'snapshots'))[0]!;
  s2 = '20261122T160000Z-00000000000000aa';
  blocks = fs.readdirSync(path.join(root, 'snapshots', s1)).sort();
  // S2 shares every block but the last with S1, by hard links, as a later Prometheus snapshot would.
  for (const b of blocks.slice(0, -1)) {
    for (const rel of ['meta.json', 'index', 'tombstones', 'chunks/000001']) {
      const to = path.join(root, 'snapshots', s2, b, rel);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.linkSync(path.join(root, 'snapshots', s1, b, rel), to);
    }
  }
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(root, { recursive: true, force: true });
});

function tgz(name: string): string {
  const out = path.join(work, name);
  execFileSync('tar', ['czf', out, '-C', root, 'snapshots']);
  return out;
}

/** Members of the archive that GNU tar stored as hard links. */
function linkMembers(file: string): number {
  return execFileSync('tar', ['tvzf', file]).toString().split('\n').filter((l) => l.startsWith('h')).length;
}

describe('two snapshots sharing hard-linked blocks (GNU tar)', () => {
  it('verify reads each link as a copy of its target: exit 0, hard-link warnings, the same blocks in both', async () => {
    const file = tgz('shared.tgz');
    expect(linkMembers(file)).toBe((blocks.length - 1) * 4);
    const r = await runCli(['verify', file, '--format', 'json']);
    const json = JSON.parse(r.stdout);
    expect(json.findings.filter((f: any) => f.severity === 'error')).toEqual([]);
    expect(r.code).toBe(0);
    const warn = json.findings.filter((f: any) => f.code === 'hard-link');
    expect(warn.length).toBeGreaterThan(0);
    expect(warn[0].message).toMatch(/is a hard link to .* checked as a copy of it/);
    // 24 links: 20 listed, then one summary.
    expect(warn.at(-1).message).toMatch(/4 more hard-link findings not listed \(24 in all\)/);
    const [a, b] = [json.snapshots.find((s: any) => s.name === s1), json.snapshots.find((s: any) => s.name === s2)];
    expect(b.blocks).toEqual(a.blocks.filter((x: any) => x.ulid !== blocks.at(-1)));
    expect(b.blocks.every((x: any) => x.ok && x.numSamples > 0)).toBe(true);
  });

  it('a corrupt shared file is reported in both snapshots', async () => {
    const chunk = path.join(root, 'snapshots', s1, blocks[0]!, 'chunks', '000001');
    const good = fs.readFileSync(chunk);
    try {
      const bad = Buffer.from(good);
      bad[200]! ^= 0x04;
      fs.writeFileSync(chunk, bad); // in place: the link in S2 sees it too
      const r = await verify(tgz('shared-corrupt.tgz'));
      const hits = r.findings.filter((f) => f.severity === 'error' && f.block === blocks[0] && f.file === 'chunks/000001');
      expect(new Set(hits.map((f) => f.snapshot))).toEqual(new Set([s1, s2]));
      expect(r.snapshots.flatMap((s) => s.blocks).filter((b) => !b.ok).length).toBe(2);
    } finally {
      fs.writeFileSync(chunk, good);
    }
  });

  it('the same tree as a directory verifies the same (links are just files there)', async () => {
    const r = await verify(root);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.snapshots.map((s) => s.blocks.length).sort()).toEqual([blocks.length - 1, blocks.length]);
  });

  it('the query commands (blocks, dump) read hard-linked blocks as the files they are', async () => {
    const r = await runCli(['blocks', tgz('shared-blocks.tgz'), '--format', 'json']);
    // One note for all the links, not a warning per file (and one that the two snapshots are read together).
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.filter((l) => l.includes('hard link'))).toEqual(['tsdb-inspect: note: the archive stores files as hard links to earlier ones (a block shared by snapshots); they are read as copies']);
    expect(lines.filter((l) => l.includes('warning'))).toEqual([]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    // Both snapshots list their blocks, the shared ones included, with the same stats.
    expect(rows.length).toBe(2 * blocks.length - 1);
    for (const row of rows) expect(row.numSamples).toBeGreaterThan(0);
  });
});

describe('hard links verify refuses', () => {
  const S = 'snapshots/20261122T144025Z-2939a76ec4c5dbb6';
  const B = `${S}/01M81V437311AY8K10ZBCVFY88`;
  const cases: [string, string][] = [
    ['a later member', `${B}/later`],
    ['a `..` path', `${S}/../../etc/passwd`],
    ['an absolute path', '/etc/passwd'],
    ['a directory', `${B}/`],
    ['a symlink', `${B}/sym`],
    ['nothing at all', `${B}/missing`],
  ];
  it.each(cases)('a link to %s is unsafe-member', async (_what, target) => {
    const tar = buildTar([
      { name: 'README', data: Buffer.from('x') },
      { name: `${B}/` },
      { name: `${B}/sym`, type: 'symlink', linkname: 'meta.json' },
      { name: `${B}/index`, type: 'link', linkname: target },
      { name: `${B}/later`, data: Buffer.from('x') },
    ]).tar;
    const r = await verifyBuffer(tar);
    const f = r.json.findings.filter((x) => x.file === 'index' && x.code !== 'missing-index');
    expect(f.map((x) => [x.code, x.severity])).toEqual([['unsafe-member', 'error']]);
    expect(f[0]!.message).toContain('is a hard link to');
  });

  it('a link to a member outside snapshots/ (delivered, but no block file) is a hard-link error on the file', async () => {
    const tar = buildTar([{ name: 'README', data: Buffer.from('x') }, { name: `${B}/` }, { name: `${B}/index`, type: 'link', linkname: 'README' }]).tar;
    const r = await verifyBuffer(tar);
    const f = r.json.findings.filter((x) => x.file === 'index' && x.code !== 'missing-index');
    expect(f.map((x) => [x.code, x.severity])).toEqual([
      ['hard-link', 'warning'],
      ['hard-link', 'error'],
    ]);
    expect(f[1]!.message).toContain('is a hard link to `README`, a file that is not part of a block');
  });

  it('a block file linked to a file of another kind is checked as what its name says, never skipped', async () => {
    const full = loadMembers(fixturePath('snapshot-full.tgz'));
    const blockDir = full.find((m) => m.name.split('/').length === 4 && m.name.endsWith('/'))!.name;
    const without = (rel: string) => full.filter((m) => m.name !== blockDir + rel);
    // index -> the block's chunk segment: a chunk segment is not an index.
    const a = await verifyBuffer(buildTar([...without('index'), { name: blockDir + 'index', type: 'link', linkname: blockDir + 'chunks/000001' }]).tar);
    expect(a.json.findings.filter((f) => f.severity === 'error' && f.file === 'index').map((f) => f.code)).toContain('hard-link');
    // chunks/000001 -> meta.json: scanned as a segment, and it is not one.
    const b = await verifyBuffer(buildTar([...without('chunks/000001'), { name: blockDir + 'chunks/000001', type: 'link', linkname: blockDir + 'meta.json' }]).tar);
    expect(b.json.findings.some((f) => f.code === 'chunk-segment-magic' && f.file === 'chunks/000001')).toBe(true);
    // index -> a junk file in the block: not a block file, so nothing to check it with.
    const c = await verifyBuffer(buildTar([...without('index'), { name: blockDir + 'junk', data: Buffer.from('x') }, { name: blockDir + 'index', type: 'link', linkname: blockDir + 'junk' }]).tar);
    expect(c.json.findings.some((f) => f.code === 'hard-link' && f.severity === 'error' && f.file === 'index')).toBe(true);
    for (const r of [a, b, c]) expect(r.json.ok).toBe(false);
  });

  it('a link to a link to a file is that file', async () => {
    const tar = buildTar([
      { name: `${B}/a`, data: Buffer.from('x') },
      { name: `${B}/b`, type: 'link', linkname: `${B}/a` },
      { name: `${B}/c`, type: 'link', linkname: `./${B}/b` },
    ]).tar;
    const r = await verifyStream(Readable.from([zlib.gzipSync(tar)]), undefined);
    expect(r.findings.filter((f) => f.code === 'hard-link').length).toBe(2);
    expect(r.findings.some((f) => f.code === 'unsafe-member')).toBe(false);
  });
});
