// Is a running Prometheus using the data dir? Prometheus holds an exclusive
// flock(2) on <data-dir>/lock while it runs (tsdb/fileutil/flock_unix.go:
// Flock(fd, LOCK_EX|LOCK_NB)). Node has no flock, so the same non-blocking
// attempt is made by util-linux's `flock -n` (no native addon): it takes the
// lock and lets it go at once, or fails while another process holds it.
// A data dir without a lock file is held by no one (Prometheus creates it on
// start), and then nothing is run or created.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

/** flock's exit code when the lock is held (its -E option), told apart from its own failures. */
const HELD = 75;

/** Throws (a usage error) when a process holds <dataDir>/lock, or when that cannot be told. */
export function assertUnlocked(dataDir: string): void {
  const lock = path.join(dataDir, 'lock');
  if (!fs.existsSync(lock)) return;
  const r = spawnSync('flock', ['--nonblock', '--conflict-exit-code', String(HELD), lock, 'true'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  if (r.status === 0) return;
  if (r.status === HELD) {
    throw new TsdbError(ErrorCode.BadInput, `${dataDir} is in use: a process (a running Prometheus) holds a lock on ${lock}; stop it before restoring into its data dir`);
  }
  const why = r.error ? `flock could not be run (${r.error.message}); it comes with util-linux` : `flock failed: ${String(r.stderr).trim()}`;
  throw new TsdbError(ErrorCode.BadInput, `cannot tell whether a Prometheus holds ${lock}: ${why}; if no Prometheus runs on ${dataDir}, remove ${lock} and try again`);
}
