// GNU sparse members, made by GNU tar from files with holes in every format it
// writes (old GNU 'S' with and without extension headers, pax 0.0, 0.1, 1.0),
// are read as tar x restores them: byte for byte, holes as zeros. Hostile maps
// are bounded, and a real snapshot archived with `tar -S` verifies and dumps
// as the original does.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive } from '../../src/snapshot/stream.js';
import { verify } from '../../src/verify/verify.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';
import { buildTar, padTo512, sealHeader, ustarHeader } from '../fuzz/tarball.js';

let work: string;
beforeAll(() => void (work = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-sparse-'))));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A file of `size` bytes with data at `at` (each a few bytes) and holes elsewhere. */
function holey(name: string, size: number, at: number[]): string {
  const p = path.join(work, 'src', name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.rmSync(p, { force: true });
  const fd = fs.openSync(p, 'w');
  fs.ftruncateSync(fd, size);
  for (const a of at) fs.writeSync(fd, Buffer.from(`data@${a}`), 0, undefined, a);
  fs.closeSync(fd);
  return p;
}

/** Each member's path and bytes, as readArchive delivers them. */
async function read(tar: Buffer): Promise<{ files: Map<string, Buffer>; findings: { code: string; severity: string; message: string }[] }> {
  const files = new Map<string, Buffer>();
  const r = await readArchive(Readable.from([tar]), async (e) => {
    const parts: Buffer[] = [];
    for await (const c of e.stream) parts.push(c as Buffer);
    if (e.type === 'file') {
      expect(Buffer.concat(parts).length, e.name).toBe(e.size);
      files.set(e.name, Buffer.concat(parts));
    }
  }, { anyPath: true });
  return { files, findings: r.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message })) };
}

function gnuTar(args: string[], files: string[]): Buffer {
  return execFileSync('tar', ['-c', '--sparse', ...args, '-f', '-', '-C', path.join(work, 'src'), ...files], { maxBuffer: 1 << 28 });
}

/** Entry types of a tar's headers (pax 'x' included). */
function flags(tar: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at + 512 <= tar.length; ) {
    const h = tar.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    out.push(String.fromCharCode(h[156]!));
    const size = parseInt(h.toString('latin1', 124, 136).replace(/\0.*$/, ''), 8);
    // Old GNU sparse extension headers follow an 'S' header while byte 482 (then 504) is set.
    let ext = h[156] === 0x53 ? h[482] : 0;
    at += 512;
    while (ext) {
      ext = tar[at + 504];
      at += 512;
    }
    at += size + padTo512(size);
  }
  return out;
}

const formats: [string, string[], string][] = [
  ['old GNU', ['--format=gnu'], 'S'],
  ['pax 0.0', ['--format=pax', '--sparse-version=0.0'], 'x0'],
  ['pax 0.1', ['--format=pax', '--sparse-version=0.1'], 'x0'],
  ['pax 1.0', ['--format=pax', '--sparse-version=1.0'], 'x0'],
];

describe('sparse members GNU tar writes', () => {
  it.each(formats)('%s: restored byte for byte', async (_, args, types) => {
    const few = holey('d/few', 1 << 20, [200_000, 600_000, (1 << 20) - 3]);
    // More segments than an old GNU header holds (4): extension headers follow it.
    const many = holey('d/many', 3 << 20, Array.from({ length: 40 }, (_, i) => i * 70_000 + 5));
    const leading = holey('d/leading-hole', 100_000, [90_000]);
    const tar = gnuTar(args, ['d/few', 'd/many', 'd/leading-hole']);
    expect(flags(tar).join('')).toContain(types.repeat(3));
    const r = await read(tar);
    expect(r.findings).toEqual([]);
    expect([...r.files.keys()]).toEqual(['d/few', 'd/many', 'd/leading-hole']);
    for (const [name, p] of [['d/few', few], ['d/many', many], ['d/leading-hole', leading]] as const) expect(r.files.get(name)!.equals(fs.readFileSync(p)), name).toBe(true);
  });
});

/** An old GNU sparse header for `name`: `map` pairs (up to 4 here), real size, stored size (by default the map's). */
function oldGnu(name: string, map: [number, number][], real: number, size = map.reduce((n, [, l]) => n + l, 0)): Buffer {
  const h = ustarHeader({ name, size, flag: 'S' });
  h.write('ustar  \0', 257, 'latin1');
  map.forEach(([o, l], i) => {
    num12(h, 386 + i * 24, o);
    num12(h, 398 + i * 24, l);
  });
  num12(h, 483, real);
  return sealHeader(h);
}

/** A 12-byte number field: octal, or base-256 as GNU tar writes one too large for 11 digits. */
function num12(h: Buffer, at: number, v: number): void {
  if (v < 8 ** 11) {
    h.write(v.toString(8).padStart(11, '0') + '\0', at, 'latin1');
    return;
  }
  h[at] = 0x80;
  for (let i = at + 11; i > at; i--, v = Math.floor(v / 256)) h[i] = v % 256;
}

function pax(records: [string, string][]): Buffer {
  const body = Buffer.concat(
    records.map(([k, v]) => {
      const rest = ` ${k}=${v}\n`;
      let n = rest.length + 1;
      while (String(n).length + rest.length !== n) n++;
      return Buffer.from(n + rest);
    }),
  );
  return Buffer.concat([ustarHeader({ name: 'PaxHeaders/x', size: body.length, flag: 'x' }), body, Buffer.alloc(padTo512(body.length))]);
}

const END = Buffer.alloc(1024);

describe('hostile sparse maps', () => {
  it('a map declaring a terabyte of holes for a few bytes is skipped (unsupported-member), at once and without allocating it', async () => {
    const data = Buffer.alloc(512, 7);
    const tar = Buffer.concat([oldGnu('big', [[2 ** 40 - 512, 512]], 2 ** 40), data, buildTar([{ name: 'after', data: Buffer.from('x') }]).tar]);
    const t0 = performance.now();
    const r = await read(tar);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['unsupported-member', 'warning']]);
    expect([...r.files.keys()]).toEqual(['after']);
  });

  it('holes of more than 1024 bytes per byte in the archive are not filled, however few in all', async () => {
    const r = await read(Buffer.concat([oldGnu('x', [[0, 512]], 2 << 20), Buffer.alloc(512, 7), END]));
    expect(r.findings.map((f) => f.code)).toEqual(['unsupported-member']);
    expect(r.findings[0]!.message).toMatch(/at most 1024 bytes per byte/);
  });

  it('holes of more than 1 GiB in all are not filled, however well backed each member is', async () => {
    // Each member: 1 KiB in the archive, a MiB restored (within 1024 per byte).
    const one = (i: number) => Buffer.concat([oldGnu(`m${i}`, [[0, 512]], 1 << 20), Buffer.alloc(512, 7)]);
    const tar = Buffer.concat([...Array.from({ length: 1030 }, (_, i) => one(i)), END]);
    let bytes = 0;
    let members = 0;
    const r = await readArchive(Readable.from([tar]), async (e) => {
      members++;
      for await (const c of e.stream) bytes += (c as Buffer).length;
    }, { anyPath: true });
    expect(r.findings.map((f) => f.code)).toEqual(Array(6).fill('unsupported-member'));
    expect(members).toBe(1024);
    expect(bytes).toBe(1024 * (1 << 20));
  });

  it('holes within bounds are zeros up to the real size', async () => {
    const r = await read(Buffer.concat([oldGnu('small', [[1000, 512]], 5000), Buffer.alloc(512, 7), END]));
    const want = Buffer.alloc(5000);
    want.fill(7, 1000, 1512);
    expect(r.files.get('small')!.equals(want)).toBe(true);
  });

  it('an archive that ends where an old GNU extension header should be: tar-truncated', async () => {
    // All four pairs used and the flag set: GNU tar reads an extension header next.
    const h = oldGnu('x', [[0, 128], [512, 128], [1024, 128], [1536, 128]], 4096);
    h[482] = 1;
    const r = await read(sealHeader(h));
    expect(r.findings.map((f) => f.code)).toEqual(['tar-truncated']);
    expect(r.findings[0]!.message).toMatch(/inside the sparse map/);
  });

  const v1 = pax([['GNU.sparse.major', '1'], ['GNU.sparse.minor', '0'], ['GNU.sparse.realsize', '4096']]);
  it.each([
    ['segments out of order', oldGnu('x', [[1024, 512], [0, 512]], 4096), /out of order/],
    ['a segment past the real size', oldGnu('x', [[4096, 512]], 4096), /past the real size/],
    ['segments that do not add up to the stored size', oldGnu('x', [[0, 512]], 4096, 1024), /hold 512 bytes, but the member holds 1024/],
    ['a pax map with an odd count of numbers', Buffer.concat([pax([['GNU.sparse.size', '4096'], ['GNU.sparse.map', '0,512,1024']]), ustarHeader({ name: 'x', size: 512, flag: '0' })]), /map entry 1 is not a number/],
    ['a pax 1.0 map that is not decimal lines', Buffer.concat([v1, ustarHeader({ name: 'x', size: 1024, flag: '0' }), Buffer.alloc(512, 0x41)]), /map at the start of the data is malformed/],
    ['a pax 1.0 map declaring a million entries', Buffer.concat([v1, ustarHeader({ name: 'x', size: 1024, flag: '0' }), Buffer.from('1000000\n')]), /declares 1000000 entries/],
    ['a pax 1.0 map longer than the member', Buffer.concat([v1, ustarHeader({ name: 'x', size: 512, flag: '0' }), Buffer.from('300\n' + '0\n'.repeat(254))]), /runs past the end of the member/],
  ])('%s: tar-bad-header', async (_, head, why) => {
    const tar = Buffer.concat([head, Buffer.alloc(4096 - (head.length % 512)), END]);
    const r = await read(tar);
    expect(r.findings.map((f) => f.code)).toEqual(['tar-bad-header']);
    expect(r.findings[0]!.message).toMatch(why);
    expect(r.files.size).toBe(0);
  });
});

describe('a real snapshot archived with tar -S', () => {
  it.each(formats)('%s: verifies as the original does, and dump prints the same', async (_, args) => {
    const root = path.join(work, 'real');
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root);
    execFileSync('tar', ['xzf', fixturePath('snapshot-full.tgz'), '-C', root]);
    // Prometheus block files have no holes; zeros after a segment's last chunk are padding
    // Prometheus never reads, so a segment grown by a hole is still the same block.
    const segs = execFileSync('find', [root, '-path', '*/chunks/000001']).toString().trim().split('\n');
    for (const s of segs) fs.truncateSync(s, fs.statSync(s).size + (1 << 16));
    const out = path.join(work, `real-${args.join('')}.tgz`);
    execFileSync('tar', ['-czS', ...args, '-f', out, '-C', root, 'snapshots']);
    const raw = zlib.gunzipSync(fs.readFileSync(out));
    expect(flags(raw).includes('S') || raw.includes('GNU.sparse.')).toBe(true);
    const r = await verify(out);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const orig = await verify(fixturePath('snapshot-full.tgz'));
    expect(r.snapshots).toEqual(orig.snapshots);
    const [a, b] = await Promise.all([runCli(['dump', out]), runCli(['dump', fixturePath('snapshot-full.tgz')])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.length).toBeGreaterThan(1000);
  });
});
