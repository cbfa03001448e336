// The query commands read archives as a stream: no file is created, and the
// temp files that stdin may need (segments before their index) are gone after
// an early-closed stdout or a signal. Each run gets its own empty TMPDIR.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/prometheus.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'tsdb-inspect.js');
const FULL = fixturePath('snapshot-full.tgz');
let work: string;
beforeAll(() => void (work = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-'))));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

let n = 0;
function emptyTmp(): string {
  const d = path.join(work, `tmp${n++}`);
  fs.mkdirSync(d);
  return d;
}

function run(args: string[], tmp: string, stdin?: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, TMPDIR: tmp, ...env }, input: stdin ? fs.readFileSync(stdin) : undefined, encoding: 'utf8', maxBuffer: 1 << 28 });
}

describe('archives are read as a stream', () => {
  const commands = [['blocks'], ['dump'], ['series', '--match', 'up'], ['labels'], ['label-values', 'job'], ['analyze']];
  it.each(commands)('%s on a file and on stdin writes nothing and answers alike', (...cmd) => {
    const tmp = emptyTmp();
    const file = run([cmd[0]!, FULL, ...cmd.slice(1)], tmp);
    expect(file.status, file.stderr).toBe(0);
    const stdin = run([cmd[0]!, '-', ...cmd.slice(1)], tmp, FULL);
    expect(stdin.status, stdin.stderr).toBe(0);
    expect(stdin.stdout).toBe(file.stdout);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('segments held in temp files (stdin, held budget 0) give the same dump, said on stderr, and are removed', () => {
    const tmp = emptyTmp();
    const want = run(['dump', FULL], tmp).stdout;
    const got = run(['dump', '-'], tmp, FULL, { TSDB_INSPECT_HOLD_IN_MEMORY: '0' });
    expect(got.status, got.stderr).toBe(0);
    expect(got.stdout).toBe(want);
    expect(got.stderr).toMatch(/came before their index and wait in temp files/);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('dump | head -1 leaves TMPDIR empty', () => {
    const tmp = emptyTmp();
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" dump - < "${FULL}" | head -1`], { env: { ...process.env, TMPDIR: tmp, TSDB_INSPECT_HOLD_IN_MEMORY: '0' }, encoding: 'utf8' });
    expect(r.stdout.split('\n').length).toBe(2);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s while reading stdin removes the temp files', async (sig) => {
    const tmp = emptyTmp();
    const child = spawn(process.execPath, [BIN, 'dump', '-'], { env: { ...process.env, TMPDIR: tmp, TSDB_INSPECT_HOLD_IN_MEMORY: '0' }, stdio: ['pipe', 'ignore', 'ignore'] });
    // The whole archive, but stdin left open: the command waits for its end with segments in temp files.
    child.stdin.write(fs.readFileSync(FULL));
    for (let i = 0; i < 100 && fs.readdirSync(tmp).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.readdirSync(tmp).length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    child.kill(sig);
    expect(await closed).toBe({ SIGINT: 130, SIGTERM: 143, SIGHUP: 129 }[sig]);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});

describe('bad block files', () => {
  let block: string;
  beforeAll(() => {
    spawnSync('tar', ['xzf', FULL, '-C', work]);
    const snap = path.join(work, 'snapshots', fs.readdirSync(path.join(work, 'snapshots'))[0]!);
    block = path.join(snap, fs.readdirSync(snap).sort()[0]!);
  });

  it('an index that is a FIFO is refused (exit 2), not read', () => {
    const dir = path.join(work, 'fifo', path.basename(block));
    fs.cpSync(block, dir, { recursive: true });
    fs.rmSync(path.join(dir, 'index'));
    spawnSync('mkfifo', [path.join(dir, 'index')]);
    for (const cmd of ['dump', 'labels', 'analyze']) {
      const r = spawnSync(process.execPath, [BIN, cmd, dir], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, cmd).toBe(2);
      expect(r.stderr).toMatch(/index is a FIFO, not a regular file/);
    }
  });

  it('a missing index is damaged data (exit 1, as verify)', () => {
    const dir = path.join(work, 'noindex', path.basename(block));
    fs.cpSync(block, dir, { recursive: true });
    fs.rmSync(path.join(dir, 'index'));
    const r = spawnSync(process.execPath, [BIN, 'dump', dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/has no index/);
  });

  it('a block whose meta.json is huge whitespace is skipped with a warning naming it', () => {
    const root = path.join(work, 'bigmeta');
    fs.cpSync(path.dirname(block), root, { recursive: true });
    const meta = path.join(root, path.basename(block), 'meta.json');
    fs.writeFileSync(meta, ' '.repeat(2 << 20) + fs.readFileSync(meta, 'utf8'));
    const r = spawnSync(process.execPath, [BIN, 'blocks', root], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`warning: block ${path.basename(block)} is skipped.*meta.json is \\d+ bytes.*file meta.json, offset 1048576`));
    expect(r.stdout).not.toContain(path.basename(block));
  });
});
