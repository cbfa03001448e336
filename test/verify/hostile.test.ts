// Hostile archives through the real CLI: each gets a clear finding, exits 1
// (or 0 where the archive is in fact fine), prints JSON, stays within a
// memory and time bound, and writes nothing: the CLI runs with an empty
// TMPDIR and an empty working directory, and both must stay empty.
//
// The big archives (a 1 GiB gzip bomb, a million members) are generated here
// by streaming generators, never committed. Peak RSS is measured by a preload
// that writes process.resourceUsage().maxRSS when the CLI exits.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/prometheus.js';
import { padTo512, sealHeader, ustarHeader } from '../fuzz/tarball.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'tsdb-inspect.js');
const SNAP = 'snapshots/20261122T144025Z-2939a76ec4c5dbb6';
const BLOCK = '01M81V437311AY8K10ZBCVFY88';
const B = `${SNAP}/${BLOCK}`;
const MiB = 1 << 20;
/** The CLI on the small fixture peaks at about 70 MiB; the hostile archives must stay near it. */
const RSS_BOUND = 256 * MiB;
const TIME_BOUND_MS = 60_000;

let work: string;
let probe: string;
const measured: Record<string, { rssMiB: number; ms: number }> = {};

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
  probe = path.join(work, 'rss-probe.mjs');
  fs.writeFileSync(
    probe,
    `import fs from 'node:fs';\nprocess.on('exit', () => fs.writeFileSync(process.env.TSDB_RSS_OUT, String(process.resourceUsage().maxRSS * 1024)));\n`,
  );
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
  console.log(`hostile archives, peak RSS and time: ${JSON.stringify(measured)}`);
});

interface Outcome {
  code: number | null;
  json: any;
  stderr: string;
  rss: number;
  ms: number;
}

/** `tsdb-inspect verify <file> --format json` with an empty TMPDIR and cwd, which must stay empty. */
async function verifyCli(label: string, file: string): Promise<Outcome> {
  const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
  const cwd = fs.mkdtempSync(path.join(work, 'cwd-'));
  const rssOut = path.join(work, `rss-${label.replace(/\W+/g, '-')}`);
  const t0 = Date.now();
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', probe, BIN, 'verify', file, '--format', 'json'], {
      cwd,
      env: { ...process.env, TMPDIR: tmp, TSDB_RSS_OUT: rssOut },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIME_BOUND_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
  const ms = Date.now() - t0;
  const rss = Number(fs.readFileSync(rssOut, 'utf8'));
  measured[label] = { rssMiB: Math.round(rss / MiB), ms };
  expect(fs.readdirSync(tmp), `${label}: wrote into TMPDIR`).toEqual([]);
  expect(fs.readdirSync(cwd), `${label}: wrote into the working dir`).toEqual([]);
  expect(ms, label).toBeLessThan(TIME_BOUND_MS);
  expect(rss, `${label}: peak RSS ${Math.round(rss / MiB)} MiB`).toBeLessThan(RSS_BOUND);
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`${label}: stdout is not JSON (exit ${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr, rss, ms };
}

const codes = (o: Outcome) => o.json.findings.map((f: any) => f.code);
const errors = (o: Outcome) => o.json.findings.filter((f: any) => f.severity === 'error');

/** A gzip'd archive from a generator of tar bytes, streamed to disk. */
async function writeTgz(name: string, gen: () => AsyncGenerator<Buffer> | Generator<Buffer>, level = 6): Promise<string> {
  const file = path.join(work, name);
  await pipeline(Readable.from(gen()), zlib.createGzip({ level }), fs.createWriteStream(file));
  return file;
}

function fileMember(name: string, data: Buffer | string): Buffer {
  const d = Buffer.from(data);
  return Buffer.concat([ustarHeader({ name, size: d.length, flag: '0' }), d, Buffer.alloc(padTo512(d.length))]);
}

function paxMember(records: Record<string, string>): Buffer {
  let body = '';
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(rest) + 1;
    while (String(len).length + Buffer.byteLength(rest) !== len) len++;
    body += `${len}${rest}`;
  }
  const d = Buffer.from(body);
  return Buffer.concat([ustarHeader({ name: 'PaxHeader', size: d.length, flag: 'x' }), d, Buffer.alloc(padTo512(d.length))]);
}

function gnuLongName(name: string): Buffer {
  const d = Buffer.from(name + '\0');
  return Buffer.concat([ustarHeader({ name: '././@LongLink', size: d.length, flag: 'L' }), d, Buffer.alloc(padTo512(d.length))]);
}

const END = Buffer.alloc(1024);

describe('paths and member types', () => {
  it('`..`, absolute paths (ustar, pax and GNU long names) are unsafe-member errors, and nothing is written', async () => {
    const tag = `tsdb-inspect-pwned-${process.pid}-${Date.now()}`;
    const abs = path.join(os.tmpdir(), `${tag}-abs`);
    const file = await writeTgz('traversal.tgz', function* () {
      yield fileMember(`${B}/meta.json`, '{}');
      yield fileMember(`${SNAP}/../../${tag}-dotdot`, 'x');
      yield fileMember(abs, 'x');
      yield paxMember({ path: `../${tag}-pax` });
      yield fileMember(`${B}/harmless-looking`, 'x');
      yield gnuLongName(`/${tag}-gnu/${'a'.repeat(120)}`);
      yield fileMember('truncated-name', 'x');
      yield END;
    });
    const o = await verifyCli('traversal', file);
    expect(o.code).toBe(1);
    const unsafe = o.json.findings.filter((f: any) => f.code === 'unsafe-member');
    expect(unsafe.map((f: any) => f.message.match(/has (a `\.\.` path component|an absolute path)/)?.[1])).toEqual([
      'a `..` path component',
      'an absolute path',
      'a `..` path component',
      'an absolute path',
    ]);
    for (const p of [abs, path.join(os.tmpdir(), `${tag}-dotdot`), path.resolve(work, '..', `${tag}-dotdot`), `/${tag}-gnu`]) expect(fs.existsSync(p), p).toBe(false);
  });

  it('symlinks, hard links that do not point at an earlier file under snapshots/, devices and FIFOs are unsafe-member errors', async () => {
    const file = await writeTgz('links.tgz', function* () {
      yield fileMember(`${B}/meta.json`, '{}');
      yield ustarHeader({ name: `${B}/index`, size: 0, flag: '2', linkname: '/etc/passwd' });
      yield ustarHeader({ name: `${B}/tombstones`, size: 0, flag: '1', linkname: '/etc/shadow' });
      yield ustarHeader({ name: `${B}/chunks/000001`, size: 0, flag: '1', linkname: `${B}/later` });
      yield ustarHeader({ name: `${B}/chunks/000002`, size: 0, flag: '1', linkname: `${SNAP}/../../etc/hosts` });
      yield ustarHeader({ name: `${B}/chunks/000003`, size: 0, flag: '1', linkname: 'outside.txt' });
      yield ustarHeader({ name: `${B}/tty`, size: 0, flag: '3' });
      yield ustarHeader({ name: `${B}/disk`, size: 0, flag: '4' });
      yield ustarHeader({ name: `${B}/pipe`, size: 0, flag: '6' });
      yield fileMember(`${B}/later`, 'x');
      yield END;
    });
    const o = await verifyCli('links-devices', file);
    expect(o.code).toBe(1);
    const unsafe = o.json.findings.filter((f: any) => f.code === 'unsafe-member');
    expect(unsafe.map((f: any) => f.file)).toEqual(['index', 'tombstones', 'chunks/000001', 'chunks/000002', 'chunks/000003', 'tty', 'disk', 'pipe']);
    expect(unsafe.every((f: any) => f.severity === 'error' && f.block === BLOCK)).toBe(true);
  });

  it('deep nesting: a path longer than PATH_MAX is unsafe; 1000 nested dirs are an unexpected file in the block', async () => {
    const deep = `${B}/${'d/'.repeat(2100)}f`;
    const file = await writeTgz('deep.tgz', function* () {
      yield paxMember({ path: deep });
      yield fileMember('placeholder', 'x');
      let dir = B;
      for (let i = 0; i < 1000; i++) {
        dir += '/n';
        yield paxMember({ path: dir + '/' });
        yield ustarHeader({ name: 'placeholder/', size: 0, flag: '5' });
      }
      yield paxMember({ path: `${dir}/leaf` });
      yield fileMember('placeholder', 'leaf');
      yield END;
    });
    const o = await verifyCli('deep-nesting', file);
    expect(o.code).toBe(1);
    const unsafe = o.json.findings.find((f: any) => f.code === 'unsafe-member');
    expect(unsafe.message).toMatch(/longer than PATH_MAX/);
    expect(unsafe.message.length).toBeLessThan(1000); // the 4 KiB path is clipped in messages
    expect(o.json.findings.some((f: any) => f.code === 'unexpected-file' && f.file === 'n')).toBe(true);
  });
});

describe('sizes', () => {
  it('a member that declares 1 TB (base-256 and pax) but holds 1 MiB: tar-truncated, memory bounded', async () => {
    for (const how of ['base256', 'pax']) {
      const file = await writeTgz(`tera-${how}.tgz`, function* () {
        if (how === 'pax') {
          yield paxMember({ size: String(2 ** 40) });
          yield ustarHeader({ name: `${B}/chunks/000001`, size: 0, flag: '0' });
        } else yield ustarHeader({ name: `${B}/chunks/000001`, size: 2 ** 40, flag: '0', base256: true });
        for (let i = 0; i < 16; i++) yield Buffer.alloc(64 * 1024, i + 1);
      });
      const o = await verifyCli(`1TB-member-${how}`, file);
      expect(o.code).toBe(1);
      const t = o.json.findings.find((f: any) => f.code === 'tar-truncated');
      expect(t).toMatchObject({ severity: 'error', block: BLOCK, file: 'chunks/000001', offset: MiB });
      expect(t.message).toContain(`${MiB} of its ${2 ** 40} bytes`);
    }
  });

  it('a million tiny members: too-many-members after 100,000, memory bounded', async () => {
    const file = await writeTgz(
      'million.tgz',
      function* () {
        const batch: Buffer[] = [];
        for (let i = 0; i < 1_000_000; i++) {
          batch.push(ustarHeader({ name: `${B}/f${i}`, size: 0, flag: '0' }));
          if (batch.length === 4096) yield Buffer.concat(batch.splice(0));
        }
        yield Buffer.concat(batch);
        yield END;
      },
      1,
    );
    const o = await verifyCli('million-members', file);
    expect(o.code).toBe(1);
    expect(codes(o)[0]).toBe('too-many-members');
    expect(o.json.findings.length).toBeLessThan(100); // repeated findings are summarized
    expect(o.json.findings.some((f: any) => f.code === 'unexpected-file' && /more unexpected-file findings not listed \(100000 in all\)/.test(f.message))).toBe(true);
  });

  it('50,000 snapshot dirs of one empty block each: summarized findings, in linear time', async () => {
    const file = await writeTgz(
      'many-snapshots.tgz',
      function* () {
        const batch: Buffer[] = [];
        for (let i = 0; i < 50_000; i++) {
          batch.push(ustarHeader({ name: `snapshots/s${i}/`, size: 0, flag: '5' }), ustarHeader({ name: `snapshots/s${i}/${BLOCK}/`, size: 0, flag: '5' }));
          if (batch.length >= 4096) yield Buffer.concat(batch.splice(0));
        }
        yield Buffer.concat(batch);
        yield END;
      },
      1,
    );
    const o = await verifyCli('50k-snapshots', file);
    expect(o.code).toBe(1);
    expect(o.json.snapshots.length).toBe(50_000);
    expect(o.json.findings.length).toBeLessThan(200);
    expect(o.ms).toBeLessThan(20_000);
  });

  it('a gzip bomb: 1 GiB of zeros in about 1 MiB: no blocks, read at streaming speed, memory bounded', async () => {
    const zeros = Buffer.alloc(MiB);
    const file = await writeTgz(
      'bomb.tgz',
      function* () {
        for (let i = 0; i < 1024; i++) yield zeros;
      },
      9,
    );
    expect(fs.statSync(file).size).toBeLessThan(1.5 * MiB);
    const o = await verifyCli('gzip-bomb-zeros', file);
    expect(o.code).toBe(1);
    expect(codes(o)).toEqual(['no-blocks']);
  });

  it('a gzip bomb as an index: 256 MiB of zeros named index is refused at its magic, never buffered or spilled', async () => {
    const zeros = Buffer.alloc(MiB);
    const file = await writeTgz(
      'bomb-index.tgz',
      function* () {
        yield ustarHeader({ name: `${B}/index`, size: 256 * MiB, flag: '0' });
        for (let i = 0; i < 256; i++) yield zeros;
        yield END;
      },
      9,
    );
    const o = await verifyCli('gzip-bomb-index', file);
    expect(o.code).toBe(1);
    expect(errors(o).find((f: any) => f.file === 'index')).toMatchObject({ code: 'index-corrupt', block: BLOCK, offset: 0 });
  });
});

describe('formats', () => {
  it('a file named .tgz that is not gzip: not-an-archive, and a plain tar named .tgz is read with a warning', async () => {
    const text = path.join(work, 'notes.tgz');
    fs.writeFileSync(text, 'these are my notes, not an archive\n'.repeat(100));
    const o = await verifyCli('text-named-tgz', text);
    expect(o.code).toBe(1);
    expect(codes(o)).toEqual(['not-gzip', 'not-an-archive', 'no-blocks']);
    const tar = path.join(work, 'plain-tar.tgz');
    fs.writeFileSync(tar, zlib.gunzipSync(fs.readFileSync(fixturePath('overlap.tgz'))));
    const p = await verifyCli('plain-tar-named-tgz', tar);
    expect(p.code).toBe(0);
    expect(codes(p)).toContain('not-gzip');
  });

  it('concatenated gzip members: one tar split over them reads whole; two archives catted together is an error', async () => {
    const plain = zlib.gunzipSync(fs.readFileSync(fixturePath('overlap.tgz')));
    const split = path.join(work, 'split.tgz');
    fs.writeFileSync(split, Buffer.concat([zlib.gzipSync(plain.subarray(0, 5000)), zlib.gzipSync(plain.subarray(5000, 20000)), zlib.gzipSync(plain.subarray(20000))]));
    const o = await verifyCli('gzip-members-split', split);
    expect(o.code).toBe(0);
    expect(o.json.snapshots[0].blocks.length).toBe(5);
    const two = path.join(work, 'catted.tgz');
    fs.writeFileSync(two, Buffer.concat([fs.readFileSync(fixturePath('overlap.tgz')), fs.readFileSync(fixturePath('snapshot-full.tgz'))]));
    const c = await verifyCli('two-archives-catted', two);
    expect(c.code).toBe(1);
    const g = c.json.findings.find((f: any) => f.code === 'tar-trailing-garbage');
    expect(g.message).toMatch(/another tar appended .* --ignore-zeros/);
    expect(c.json.snapshots.map((s: any) => s.blocks.length)).toEqual([5]); // what tar xzf restores
  });

  it('pax (tar --format=posix) and GNU long names (tar --format=gnu) of a real snapshot read correctly', async () => {
    const root = fs.mkdtempSync(path.join(work, 'root-'));
    execFileSync('tar', ['xzf', fixturePath('overlap.tgz'), '-C', root]);
    const snap = fs.readdirSync(path.join(root, 'snapshots'))[0]!;
    const block = fs.readdirSync(path.join(root, 'snapshots', snap))[0]!;
    const long = 'operator-notes-' + 'x'.repeat(140);
    fs.writeFileSync(path.join(root, 'snapshots', snap, block, long), 'hello');
    for (const format of ['posix', 'gnu']) {
      const file = path.join(work, `${format}.tgz`);
      execFileSync('tar', [`--format=${format}`, '-czf', file, '-C', root, 'snapshots']);
      const o = await verifyCli(`tar-format-${format}`, file);
      expect(o.code, JSON.stringify(errors(o))).toBe(0);
      expect(o.json.findings.filter((f: any) => f.code !== 'blocks-overlap').map((f: any) => [f.code, f.file])).toEqual([['unexpected-file', long]]);
      expect(o.json.snapshots[0].blocks.length).toBe(5);
    }
  });
});

describe('a hand-made header', () => {
  it('with a checksum that tar accepts (signed sums of old tars) still reads', async () => {
    const h = ustarHeader({ name: `${B}/meta.json`, size: 2, flag: '0' });
    h[345] = 0xe9; // a high byte in the prefix: signed and unsigned sums differ
    sealHeader(h);
    const file = await writeTgz('signed.tgz', function* () {
      yield Buffer.concat([h, Buffer.from('{}'), Buffer.alloc(510)]);
      yield END;
    });
    const o = await verifyCli('high-byte-header', file);
    expect(codes(o)).not.toContain('tar-bad-header');
  });
});
