// Usage errors: a missing file, a directory without blocks, an unreadable
// input. Each exits 2 with one line on stderr and nothing on stdout; a stack
// trace only with --debug.
//
// Tests run as root here, where mode 000 stops nothing. Permission errors are
// made real anyway: /proc/1/mem (EACCES even for root without ptrace rights),
// and the CLI run as user nobody on a mode-000 file and dir. The mapping from
// system errors to exit codes is also tested directly.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, TsdbError } from '../../src/encoding/errors.js';
import { describeError, EXIT_PROBLEMS, EXIT_USAGE, exitCodeFor, isInternal } from '../../src/cli/run.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'tsdb-inspect.js');
let work: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'usage-errors-'));
  fs.chmodSync(work, 0o755);
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function expectUsageError(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tsdb-inspect: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

/** The CLI as another user (root can give its children any uid). */
function runAs(uid: number, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { uid, gid: uid, stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

describe('verify usage errors exit 2 with one line', () => {
  it('a missing file (and --debug adds the stack)', async () => {
    const missing = path.join(work, 'no-such.tgz');
    expectUsageError(await runCli(['verify', missing]), /no-such\.tgz: cannot read it: no such file or directory/);
    expectUsageError(await runCli(['verify', missing, '--format', 'json']), /no such file/);
    const d = await runCli(['verify', missing, '--debug']);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/^\s+at /m);
  });

  it('a directory without blocks: empty, holding files only, an empty snapshots/, a dir of dirs that are not blocks', async () => {
    const empty = fs.mkdtempSync(path.join(work, 'empty-'));
    const junk = fs.mkdtempSync(path.join(work, 'junk-'));
    fs.writeFileSync(path.join(junk, 'notes.txt'), 'x');
    const root = fs.mkdtempSync(path.join(work, 'root-'));
    fs.mkdirSync(path.join(root, 'snapshots', '20261122T150000Z-0123456789abcdef'), { recursive: true });
    const dirs = fs.mkdtempSync(path.join(work, 'dirs-'));
    fs.mkdirSync(path.join(dirs, 'etc'));
    fs.mkdirSync(path.join(dirs, 'home'));
    for (const d of [empty, junk, root, dirs]) expectUsageError(await runCli(['verify', d, '--format', 'json']), /no block dirs found/);
  });

  it('a permission error: /proc/1/mem', async () => {
    let denied = false;
    try {
      fs.closeSync(fs.openSync('/proc/1/mem', 'r'));
    } catch (e) {
      denied = (e as NodeJS.ErrnoException).code === 'EACCES';
    }
    if (!denied) return; // this machine lets us read it; the nobody tests below still run
    expectUsageError(await runCli(['verify', '/proc/1/mem', '--format', 'json']), /\/proc\/1\/mem: cannot read it: permission denied/);
  });

  it.runIf(isRoot)('a permission error: a mode-000 file and a mode-000 dir, as user nobody', async () => {
    const file = path.join(work, 'secret.tgz');
    fs.copyFileSync(fixturePath('overlap.tgz'), file);
    fs.chmodSync(file, 0o000);
    expectUsageError(await runAs(NOBODY, ['verify', file]), /secret\.tgz: cannot read it: permission denied/);
    const dir = fs.mkdtempSync(path.join(work, 'locked-'));
    fs.mkdirSync(path.join(dir, 'snapshots'));
    fs.chmodSync(dir, 0o700);
    expectUsageError(await runAs(NOBODY, ['verify', dir]), /locked-\w+: cannot read it: permission denied/);
    // A block file nobody may read, inside a dir it may list.
    const open = fs.mkdtempSync(path.join(work, 'open-'));
    fs.cpSync(fixturePath('index-format-v1'), open, { recursive: true });
    const block = fs.readdirSync(open).find((n) => n !== 'README.md')!;
    for (const p of [open, path.join(open, block), path.join(open, block, 'chunks')]) fs.chmodSync(p, 0o755);
    for (const f of ['meta.json', 'tombstones', 'chunks/000001']) fs.chmodSync(path.join(open, block, f), 0o644);
    fs.chmodSync(path.join(open, block, 'index'), 0o000);
    expectUsageError(await runAs(NOBODY, ['verify', open]), /index: cannot read it: permission denied/);
  });

  it('a socket or a device is not an input', async () => {
    const sock = path.join(work, 's.sock');
    const server = net.createServer().listen(sock);
    await new Promise((r) => server.once('listening', r));
    try {
      expectUsageError(await runCli(['verify', sock]), /s\.sock is a socket, not an archive or a directory/);
    } finally {
      server.close();
    }
    expectUsageError(await runCli(['verify', '/dev/null']), /is a character device/);
  });
});

describe('the mapping from errors to exit codes and messages', () => {
  const errno = (code: string, message: string) => Object.assign(new Error(message), { code, path: '/x' });

  it("errors about the input or the machine and our own failures exit 2; a reader's error about the data exits 1", () => {
    for (const c of ['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'ENXIO']) expect(exitCodeFor(errno(c, `${c}: x`)), c).toBe(EXIT_USAGE);
    expect(exitCodeFor(errno('EIO', 'EIO: i/o error'))).toBe(EXIT_USAGE);
    expect(exitCodeFor(new TsdbError(ErrorCode.BadInput, 'x'))).toBe(EXIT_USAGE);
    expect(exitCodeFor(new TsdbError(ErrorCode.NotFound, 'x'))).toBe(EXIT_USAGE);
    expect(exitCodeFor(new TsdbError(ErrorCode.Corrupt, 'x'))).toBe(EXIT_PROBLEMS);
    expect(exitCodeFor(new TypeError('bug'))).toBe(EXIT_USAGE);
    expect(isInternal(new TypeError('bug'))).toBe(true);
    expect(isInternal(errno('EIO', 'EIO: i/o error'))).toBe(false);
    expect(isInternal(new TsdbError(ErrorCode.Corrupt, 'x'))).toBe(false);
  });

  it('messages are one line, with the place in the input when known', () => {
    expect(describeError(errno('EACCES', "EACCES: permission denied,\n  open '/x'"))).toBe("EACCES: permission denied, open '/x'");
    expect(describeError(new TsdbError(ErrorCode.Corrupt, 'bad\nthing', { block: 'B', file: 'index', offset: 7 }))).toBe('bad thing (block B, file index, offset 7)');
  });
});
