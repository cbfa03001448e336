// Test oracle helpers: run the real Prometheus tools (promtool, prometheus) on
// fixtures so tests can compare tsdb-inspect's output with Prometheus' own.
//
// Node builtins only. Nothing here ever writes into a fixture: every tool runs
// on a fresh copy in a temp dir.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of the repository's fixtures/ directory. */
export const FIXTURES_DIR = path.join(REPO_ROOT, 'fixtures');

/** Absolute path of a file or directory inside fixtures/. */
export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}

/** True when both `promtool` and `prometheus` can be run from PATH. */
export function hasPrometheus(): boolean {
  for (const bin of ['promtool', 'prometheus']) {
    const r = spawnSync(bin, ['--version'], { stdio: 'ignore' });
    if (r.error || r.status !== 0) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Process helpers

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** Runs a command, collecting all of stdout/stderr (no size limit, no truncation). */
function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }),
    );
  });
}

async function runOk(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<Buffer> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (code ${r.code}, signal ${r.signal}):\n${r.stderr.toString('utf8').slice(-4000)}`,
    );
  }
  return r.stdout;
}

async function makeTempDir(prefix: string): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

/**
 * Copies a TSDB directory into a fresh temp dir and returns the copy's path.
 * `dbDir` may be a DB directory (holding block dirs, like a snapshot dir) or a
 * single block directory (holding meta.json); a block is placed inside a new DB
 * dir under its ULID. The caller removes `root`.
 */
async function copyDb(dbDir: string, prefix: string): Promise<{ root: string; db: string }> {
  const root = await makeTempDir(prefix);
  const db = path.join(root, 'db');
  const metaPath = path.join(dbDir, 'meta.json');
  if (fs.existsSync(metaPath)) {
    const meta = JSON.parse(await fsp.readFile(metaPath, 'utf8')) as { ulid?: string };
    const ulid = meta.ulid ?? path.basename(dbDir);
    await fsp.mkdir(db, { recursive: true });
    await fsp.cp(dbDir, path.join(db, ulid), { recursive: true });
  } else {
    await fsp.cp(dbDir, db, { recursive: true });
  }
  // Fixture copies may be read-only (e.g. copied from a read-only share).
  await makeWritable(db);
  return { root, db };
}

async function makeWritable(p: string): Promise<void> {
  const st = await fsp.stat(p);
  await fsp.chmod(p, st.mode | 0o200 | (st.isDirectory() ? 0o100 : 0));
  if (st.isDirectory()) {
    for (const e of await fsp.readdir(p)) await makeWritable(path.join(p, e));
  }
}

async function rmrf(p: string): Promise<void> {
  await fsp.rm(p, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// Archives

/** Extracts a .tgz with the system `tar` into a fresh temp dir and returns that dir. */
export async function extractArchive(tgzPath: string): Promise<string> {
  const dir = await makeTempDir('tsdb-inspect-fixture-');
  await runOk('tar', ['xzf', path.resolve(tgzPath), '-C', dir]);
  return dir;
}

/** Absolute paths of the `snapshots/*` directories under an extracted archive root, sorted. */
export function snapshotDirs(root: string): string[] {
  const base = path.join(root, 'snapshots');
  if (!fs.existsSync(base)) return [];
  return fs
    .readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(base, e.name))
    .sort();
}

// ---------------------------------------------------------------------------
// promtool

export interface PromtoolBlock {
  ulid: string;
  minTime: number;
  maxTime: number;
  /** As printed by promtool, e.g. "1h59m0.001s". */
  duration: string;
  numSamples: number;
  numChunks: number;
  numSeries: number;
  /** Bytes. */
  size: number;
}

/** Parses the (non human-readable) output of `promtool tsdb list`. */
export function parsePromtoolList(text: string): PromtoolBlock[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0 || !lines[0].startsWith('BLOCK ULID')) {
    throw new Error(`unexpected promtool tsdb list output:\n${text}`);
  }
  return lines.slice(1).map((line) => {
    const f = line.trim().split(/\s+/);
    if (f.length !== 8) throw new Error(`unexpected promtool tsdb list line: ${JSON.stringify(line)}`);
    const num = (s: string) => {
      const n = Number(s);
      if (!Number.isFinite(n)) throw new Error(`bad number ${JSON.stringify(s)} in line ${JSON.stringify(line)}`);
      return n;
    };
    return {
      ulid: f[0],
      minTime: num(f[1]),
      maxTime: num(f[2]),
      duration: f[3],
      numSamples: num(f[4]),
      numChunks: num(f[5]),
      numSeries: num(f[6]),
      size: num(f[7]),
    };
  });
}

/**
 * `promtool tsdb list` of a DB dir (e.g. a snapshot dir) or of a single block
 * dir, run on a copy. Blocks in promtool's order.
 */
export async function promtoolList(dbDir: string): Promise<PromtoolBlock[]> {
  const { root, db } = await copyDb(dbDir, 'tsdb-inspect-list-');
  try {
    const out = await runOk('promtool', ['tsdb', 'list', db]);
    return parsePromtoolList(out.toString('utf8'));
  } finally {
    await rmrf(root);
  }
}

export interface PromtoolDumpOptions {
  /** Series selector, e.g. `{__name__="up"}`. */
  match?: string;
  /** Milliseconds (number or string). */
  minTime?: number | string;
  /** Milliseconds (number or string). */
  maxTime?: number | string;
}

/**
 * stdout of `promtool tsdb dump` (one `<labels> <value %g> <ts ms>` line per
 * float sample; promtool 2.42 does not print native histogram samples), run on
 * a copy of dbDir with an empty `wal/` created in the copy.
 */
export async function promtoolDump(dbDir: string, opts: PromtoolDumpOptions = {}): Promise<string> {
  const { root, db } = await copyDb(dbDir, 'tsdb-inspect-dump-');
  try {
    await fsp.mkdir(path.join(db, 'wal'), { recursive: true });
    const args = ['tsdb', 'dump'];
    if (opts.match !== undefined) args.push(`--match=${opts.match}`);
    if (opts.minTime !== undefined) args.push(`--min-time=${opts.minTime}`);
    if (opts.maxTime !== undefined) args.push(`--max-time=${opts.maxTime}`);
    args.push(db);
    const out = await runOk('promtool', args);
    return out.toString('utf8');
  } finally {
    await rmrf(root);
  }
}

// ---------------------------------------------------------------------------
// prometheus server

export interface StartPrometheusOptions {
  /** Extra command line flags for prometheus. */
  extraArgs?: string[];
  /** Also pass --web.enable-admin-api. */
  adminApi?: boolean;
  /** How long to wait for /-/ready (ms). Default 60 s. */
  readyTimeoutMs?: number;
}

export interface PrometheusServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Kills the server and removes the copy of the data. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Whether the Prometheus at `url` is the one started on `db` (its --storage.tsdb.path). */
async function servesDb(url: string, db: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v1/status/flags`);
    const body = (await res.json()) as { data?: Record<string, string> };
    return body.data?.['storage.tsdb.path'] === db;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/**
 * Starts a real Prometheus server on a copy of dbDir (a DB dir such as a
 * snapshot dir, or a single block dir) with an empty scrape config, native
 * histograms enabled and a 100y retention (so old fixture blocks are kept).
 * Resolves once /-/ready answers 200.
 */
export async function startPrometheus(dbDir: string, opts: StartPrometheusOptions = {}): Promise<PrometheusServer> {
  const { root, db } = await copyDb(dbDir, 'tsdb-inspect-prom-');
  const cfg = path.join(root, 'prometheus.yml');
  await fsp.writeFile(cfg, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const logPath = path.join(root, 'prometheus.log');
  const timeout = opts.readyTimeoutMs ?? 60_000;

  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const args = [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${db}`,
      `--storage.tsdb.retention.time=100y`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=native-histograms',
      ...(opts.adminApi ? ['--web.enable-admin-api'] : []),
      ...(opts.extraArgs ?? []),
    ];
    const logFd = fs.openSync(logPath, 'a');
    const child = spawn('prometheus', args, { stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    running.add(child);
    child.once('exit', () => running.delete(child));

    let spawnError: Error | undefined;
    child.once('error', (e) => (spawnError = e));
    const deadline = Date.now() + timeout;
    let ready = false;
    // Another process (another test's Prometheus, on a shared machine) may take the port
    // between freePort() and our bind, and answer /-/ready itself: ours is the one
    // serving our db dir.
    let taken = false;
    while (Date.now() < deadline) {
      if (spawnError) break;
      if (child.exitCode !== null || child.signalCode !== null) break;
      try {
        const res = await fetch(`${url}/-/ready`);
        await res.arrayBuffer();
        if (res.status === 200) {
          ready = await servesDb(url, db);
          taken = !ready;
          break;
        }
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
    if (ready) {
      let stopped = false;
      return {
        url,
        async stop() {
          if (stopped) return;
          stopped = true;
          child.kill('SIGTERM');
          if (!(await waitExit(child, 15_000))) {
            child.kill('SIGKILL');
            await waitExit(child, 5_000);
          }
          running.delete(child);
          await rmrf(root);
        },
      };
    }
    child.kill('SIGKILL');
    await waitExit(child, 5_000);
    running.delete(child);
    const log = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '';
    lastError = spawnError ? String(spawnError) : log.slice(-4000);
    // A port grabbed between freePort() and bind is the only case worth a retry.
    if (!taken && !/address already in use/i.test(log)) break;
    if (taken) lastError = `port ${port} was taken by another server before prometheus bound it`;
  }
  await rmrf(root);
  throw new Error(`prometheus did not become ready:\n${lastError}`);
}

/**
 * GETs `${url}${path}` with the given query parameters (array values are sent
 * as repeated parameters, e.g. `match[]`) and returns the parsed JSON body
 * (`{status, data, ...}`). Throws if the body is not JSON or status is not "success".
 */
export async function apiGet(
  url: string,
  apiPath: string,
  params: Record<string, string | number | Array<string | number>> = {},
): Promise<any> {
  const u = new URL(apiPath, url.endsWith('/') ? url : url + '/');
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const x of v) u.searchParams.append(k, String(x));
    else u.searchParams.append(k, String(v));
  }
  const res = await fetch(u);
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`GET ${u} -> HTTP ${res.status}, not JSON: ${text.slice(0, 500)}`);
  }
  if (body?.status !== 'success') {
    throw new Error(`GET ${u} -> HTTP ${res.status}: ${text.slice(0, 1000)}`);
  }
  return body;
}
