// TEST ONLY. Worker threads (gunzip-worker, segment-worker) and the bin run
// compiled code from dist/, also under vitest, which transforms only what the
// test process itself imports. So a test after an edit would silently run the
// old worker: vitest's global setup (test/global-setup.ts) builds dist/ first
// whenever it is older than src/.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Sources under `root`/src whose dist/ output is missing or older than they are. */
export function staleOutputs(root: string): string[] {
  const src = path.join(root, 'src');
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const out = path.join(root, 'dist', path.relative(src, p)).replace(/\.ts$/, '.js');
        const built = fs.statSync(out, { throwIfNoEntry: false });
        if (!built || built.mtimeMs < fs.statSync(p).mtimeMs) stale.push(path.relative(root, p));
      }
    }
  };
  walk(src);
  return stale;
}

/**
 * Build dist/ with the project's tsc when any output is stale. A type error does not stop
 * the build (tsc still emits) but is printed; an output still stale afterwards throws.
 */
export function buildIfStale(root: string): void {
  const before = staleOutputs(root);
  if (before.length === 0) return;
  const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', root], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const out = (e as { stdout?: Buffer }).stdout?.toString() ?? String(e);
    process.stderr.write(`tsc -p ${root} reported errors (dist/ was emitted anyway):\n${out}\n`);
  }
  const after = staleOutputs(root);
  if (after.length > 0) throw new Error(`dist/ is still older than ${after.slice(0, 5).join(', ')} after tsc: worker threads would run old code`);
}
