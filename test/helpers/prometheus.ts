// TEST ONLY. Fixture paths, and the live Prometheus tools for the few tests
// that still run them (each skips when they are missing). The tools
// themselves are run by fixtures/derive/tools.mjs (shared with
// fixtures/derive-answers.mjs): always on a copy in a temp dir, servers on
// random loopback ports. Most tests read the committed answers instead
// (./answers.ts).

import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR, VERSIONS, extractArchive as extract, missingTools, promtoolOnCopy } from '../../fixtures/derive/tools.mjs';

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

/** stdout of the live 2.42 `promtool tsdb dump` on a copy of dbDir (with an empty wal/); throws with stderr on failure. */
export async function promtoolDump(dbDir: string): Promise<string> {
  const r = await promtoolOnCopy(VERSIONS[0], dbDir, (db: string) => ['tsdb', 'dump', db]);
  if (r.code !== 0) throw new Error(`promtool tsdb dump failed (code ${r.code}):\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}
