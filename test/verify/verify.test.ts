// verify end to end through the CLI: real snapshots pass in every input
// form; each kind of damage exits 1 with an error finding that names the
// right block and file.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { extractArchive, fixturePath } from '../helpers/prometheus.js';

let work: string;
let pristine: string; // extracted snapshot-full.tgz (holds snapshots/)
let snapName: string;
let blocks: string[];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-test-'));
  pristine = await extractArchive(fixturePath('snapshot-full.tgz'));
  snapName = fs.readdirSync(path.join(pristine, 'snapshots'))[0];
  blocks = fs.readdirSync(path.join(pristine, 'snapshots', snapName)).sort();
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(pristine, { recursive: true, force: true });
});

/** A fresh copy of the extracted fixture to damage. */
function copyRoot(): string {
  const d = fs.mkdtempSync(path.join(work, 'root-'));
  fs.cpSync(pristine, d, { recursive: true });
  return d;
}

function tgzOf(root: string, gzip = true): string {
  const out = path.join(work, `a-${Math.random().toString(36).slice(2)}.${gzip ? 'tgz' : 'tar'}`);
  execFileSync('tar', [gzip ? 'czf' : 'cf', out, '-C', root, 'snapshots']);
  return out;
}

async function verifyJson(args: string[], stdinFile?: string) {
  const r = await runCli(['verify', ...args, '--format', 'json'], { stdinFile });
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code}): ${r.stdout.slice(0, 500)} ${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
}

function errors(json: any) {
  return json.findings.filter((f: any) => f.severity === 'error');
}

function flipBit(file: string, at: number): void {
  const b = fs.readFileSync(file);
  b[at] ^= 0x10;
  fs.writeFileSync(file, b);
}

describe('healthy inputs exit 0', () => {
  it.each(['snapshot-full.tgz', 'overlap.tgz'])('%s as .tgz, and its blocks match meta.json', async (name) => {
    const { code, json } = await verifyJson([fixturePath(name)]);
    expect(errors(json)).toEqual([]);
    expect(code).toBe(0);
    expect(json.ok).toBe(true);
    const all = json.snapshots.flatMap((s: any) => s.blocks);
    expect(all.length).toBeGreaterThan(1);
    for (const b of all) expect(b.ok).toBe(true);
  });

  it('as a plain .tar, on stdin and as an extracted dir, with the same blocks', async () => {
    const a = await verifyJson([fixturePath('snapshot-full.tgz')]);
    const t = await verifyJson([tgzOf(pristine, false)]);
    const s = await verifyJson(['-'], fixturePath('snapshot-full.tgz'));
    const d = await verifyJson([pristine]);
    const d2 = await verifyJson([path.join(pristine, 'snapshots', snapName)]);
    for (const r of [t, s, d, d2]) {
      expect(errors(r.json)).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.json.snapshots[0].blocks).toEqual(a.json.snapshots[0].blocks);
    }
    expect(a.json.snapshots[0].blocks.map((b: any) => b.ulid).sort()).toEqual(blocks);
  });

  it('an archive that also holds an empty snapshot dir passes with a warning', async () => {
    const root = copyRoot();
    fs.mkdirSync(path.join(root, 'snapshots', '20261122T150000Z-0123456789abcdef'));
    const { code, json } = await verifyJson([tgzOf(root)]);
    expect(code).toBe(0);
    expect(json.findings.some((f: any) => f.severity === 'warning' && f.snapshot === '20261122T150000Z-0123456789abcdef')).toBe(true);
  });
});

describe('damage exits 1 with an error naming the block and file', () => {
  const blockWith = (root: string, file: string) => {
    // The block with tombstones entries (larger than the 9-byte empty file) for tombstone flips.
    for (const b of blocks) if (fs.statSync(path.join(root, 'snapshots', snapName, b, file)).size > 9) return b;
    return blocks[0];
  };
  const cases: [string, string, (b: string) => number][] = [
    ['chunks/000001', 'chunks/000001', (f) => 100 + Math.floor((fs.statSync(f).size - 200) / 2)],
    ['index', 'index', (f) => Math.floor(fs.statSync(f).size / 3)],
    ['tombstones', 'tombstones', (f) => fs.statSync(f).size - 6],
  ];
  it.each(cases)('a bit flip in %s', async (_n, file, where) => {
    const root = copyRoot();
    const block = blockWith(root, file);
    const f = path.join(root, 'snapshots', snapName, block, file);
    flipBit(f, where(f));
    const { code, json } = await verifyJson([tgzOf(root)]);
    expect(code).toBe(1);
    const e = errors(json);
    expect(e.length).toBeGreaterThan(0);
    expect(e.some((x: any) => x.block === block && x.file === file && x.snapshot === snapName)).toBe(true);
  });

  it('a changed meta.json stat', async () => {
    const root = copyRoot();
    const f = path.join(root, 'snapshots', snapName, blocks[1], 'meta.json');
    const m = JSON.parse(fs.readFileSync(f, 'utf8'));
    m.stats.numSamples += 1;
    fs.writeFileSync(f, JSON.stringify(m, null, '\t'));
    const { code, json } = await verifyJson([tgzOf(root)]);
    expect(code).toBe(1);
    expect(errors(json).some((x: any) => x.block === blocks[1] && x.file === 'meta.json' && /numSamples/.test(x.message))).toBe(true);
  });

  it('a missing index', async () => {
    const root = copyRoot();
    fs.rmSync(path.join(root, 'snapshots', snapName, blocks[2], 'index'));
    const { code, json } = await verifyJson([tgzOf(root)]);
    expect(code).toBe(1);
    expect(errors(json).some((x: any) => x.block === blocks[2] && x.file === 'index')).toBe(true);
  });

  it('a block dir renamed to another ULID', async () => {
    const root = copyRoot();
    const other = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    fs.renameSync(path.join(root, 'snapshots', snapName, blocks[0]), path.join(root, 'snapshots', snapName, other));
    const { code, json } = await verifyJson([tgzOf(root)]);
    expect(code).toBe(1);
    expect(errors(json).some((x: any) => x.block === other && x.file === 'meta.json' && /ulid/.test(x.message))).toBe(true);
  });

  it('a truncated chunk segment', async () => {
    const root = copyRoot();
    const f = path.join(root, 'snapshots', snapName, blocks[0], 'chunks', '000001');
    fs.truncateSync(f, fs.statSync(f).size - 37);
    const { code, json } = await verifyJson([tgzOf(root)]);
    expect(code).toBe(1);
    expect(errors(json).some((x: any) => x.block === blocks[0] && x.file === 'chunks/000001')).toBe(true);
  });

  it('a truncated gzip stream', async () => {
    const b = fs.readFileSync(fixturePath('snapshot-full.tgz'));
    const f = path.join(work, 'trunc.tgz');
    fs.writeFileSync(f, b.subarray(0, Math.floor(b.length * 0.6)));
    const { code, json } = await verifyJson([f]);
    expect(code).toBe(1);
    expect(errors(json).length).toBeGreaterThan(0);
    expect(errors(json).some((x: any) => /gzip|truncat|end/i.test(x.code + ' ' + x.message))).toBe(true);
  });

  it('a member with ../ in its path is reported and never written', async () => {
    const pack = tar.pack();
    const f = path.join(work, 'evil.tgz');
    const out = fs.createWriteStream(f);
    const done = new Promise((r) => out.on('close', r));
    pack.pipe(zlib.createGzip()).pipe(out);
    const src = fs.readdirSync(path.join(pristine, 'snapshots', snapName, blocks[0]));
    expect(src).toContain('meta.json');
    pack.entry({ name: `snapshots/${snapName}/${blocks[0]}/meta.json` }, fs.readFileSync(path.join(pristine, 'snapshots', snapName, blocks[0], 'meta.json')));
    pack.entry({ name: `snapshots/${snapName}/../../evil-tsdb-inspect.txt` }, 'pwned');
    pack.finalize();
    await done;
    const { code, json } = await verifyJson([f]);
    expect(code).toBe(1);
    expect(errors(json).some((x: any) => x.code === 'unsafe-member' && /\.\./.test(x.message))).toBe(true);
    expect(fs.existsSync(path.join(work, 'evil-tsdb-inspect.txt'))).toBe(false);
    expect(fs.existsSync(path.join(process.cwd(), 'evil-tsdb-inspect.txt'))).toBe(false);
  });

  it('an archive with no blocks', async () => {
    const root = fs.mkdtempSync(path.join(work, 'empty-'));
    fs.mkdirSync(path.join(root, 'snapshots', '20261122T150000Z-0123456789abcdef'), { recursive: true });
    const { code, json } = await verifyJson([tgzOf(root)]);
    expect(code).toBe(1);
    expect(errors(json).some((x: any) => x.code === 'no-blocks')).toBe(true);
  });
});
