// TEST ONLY. Fixture paths, and the live Prometheus tools for the few tests
// that still run them (each skips when they are missing). The tools
// themselves are run by fixtures/derive/tools.mjs (shared with
// fixtures/derive-answers.mjs): always on a copy in a temp dir, servers on
// random loopback ports. Most tests read the committed answers instead
// (./answers.ts).

import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR, VERSIONS, extractArchive as extract, missingTools, promtoolOnCopy, startServer, toolPath } from '../../fixtures/derive/tools.mjs';

export { FIXTURES_DIR };

/** Absolute path of a file or directory inside fixtures/. */
export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}

/** True when Prometheus 2.42's `promtool` and `prometheus` run from PATH. */
export function hasPrometheus(): boolean {
  return missingTools(VERSIONS[0]) === '';
}

/** Extracts a .tgz with the system `tar` into a fresh temp dir and returns that dir. */
export function extractArchive(tgzPath: string): Promise<string> {
  return extract(tgzPath);
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

/** Prometheus 3.5.3's tools (TSDB_INSPECT_PROMETHEUS_35 says where, as in .ci/run). */
const V35 = VERSIONS[1];
export const PROMETHEUS_3 = toolPath(V35, 'prometheus');
export const PROMTOOL_3 = toolPath(V35, 'promtool');

/** True when Prometheus 3.5.3's promtool and prometheus run. */
export function hasPrometheus3(): boolean {
  return missingTools(V35) === '';
}

export interface PromtoolDumpOptions {
  /** Series selectors (`--match`). */
  match?: string | string[];
  /** Milliseconds. */
  minTime?: number | string;
  maxTime?: number | string;
  /** The promtool to run: PROMTOOL_3 for 3.5.3 (default 2.42). */
  promtool?: string;
}

/** stdout of the live `promtool tsdb dump` on a copy of dbDir (with an empty wal/); throws with stderr on failure. */
export async function promtoolDump(dbDir: string, opts: PromtoolDumpOptions = {}): Promise<string> {
  const version = opts.promtool === PROMTOOL_3 ? V35 : VERSIONS[0];
  const r = await promtoolOnCopy(version, dbDir, (db: string) => {
    const args = ['tsdb', 'dump'];
    for (const m of opts.match === undefined ? [] : ([] as string[]).concat(opts.match)) args.push(`--match=${m}`);
    if (opts.minTime !== undefined) args.push(`--min-time=${opts.minTime}`);
    if (opts.maxTime !== undefined) args.push(`--max-time=${opts.maxTime}`);
    return [...args, db];
  });
  if (r.code !== 0) throw new Error(`promtool tsdb dump failed (code ${r.code}):\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

export interface PrometheusServer {
  url: string;
  /** Its log so far (until stopped). */
  log(): string;
  stop(): Promise<void>;
}

/** A live server (2.42, or 3.5.3 with `bin: PROMETHEUS_3`) on a copy of dbDir; see fixtures/derive/tools.mjs. */
export function startPrometheus(dbDir: string, opts: { bin?: string; extraArgs?: string[]; configExtra?: string } = {}): Promise<PrometheusServer> {
  return startServer(opts.bin === PROMETHEUS_3 ? V35 : VERSIONS[0], dbDir, { extraArgs: opts.extraArgs, configExtra: opts.configExtra });
}

/**
 * The raw body of GET /api/v1/query?query=<sel>[<maxt - mint>ms]&time=<maxt>,
 * what `dump --format json --min-time mint --max-time maxt` answers.
 */
export async function rangeQueryBody(url: string, sel: string, mint: number, maxt: number): Promise<string> {
  const u = new URL('/api/v1/query', url + '/');
  u.searchParams.append('query', `${sel}[${maxt - mint}ms]`);
  u.searchParams.append('time', (maxt / 1000).toFixed(3));
  const res = await fetch(u);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${u} -> ${res.status}: ${text}`);
  return text;
}
