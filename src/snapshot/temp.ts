// Every temp path the process creates (a spilled index, a segment held until
// its index arrives), in one registry that is emptied synchronously on exit:
// after an error, a signal or an early-closed stdout, nothing is left behind.
// The CLI installs the exit and signal hooks (cleanupOnExit); a library user
// calls removeAllTemp itself.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

const paths = new Set<string>();

/** A fresh temp dir under `parent` (default $TMPDIR), registered for removal. */
export function makeTempDir(parent: string | undefined, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(parent ?? os.tmpdir(), prefix));
  paths.add(dir);
  return dir;
}

/** Register a path made elsewhere (e.g. a block's `.tmp-for-creation` dir), for removal. */
export function registerTemp(p: string): void {
  paths.add(p);
}

/** Keep a registered path: it is no longer temporary (renamed into place). */
export function forgetTemp(p: string): void {
  paths.delete(p);
}

/** Remove one registered path now. */
export function removeTemp(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
  paths.delete(p);
}

/** Remove every registered path (synchronous: safe in exit and signal handlers). */
export function removeAllTemp(): void {
  for (const p of paths) {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // nothing more can be done on the way out
    }
  }
  paths.clear();
}

let installed = false;
const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** Remove the temp paths on exit, and on SIGINT, SIGTERM and SIGHUP (then exit 128 + signal). */
export function cleanupOnExit(): void {
  if (installed) return;
  installed = true;
  process.on('exit', removeAllTemp);
  for (const [sig, code] of Object.entries(SIGNALS)) {
    process.on(sig, () => {
      removeAllTemp();
      process.exit(code);
    });
  }
}

/** Errors that mean the temp dir is full. */
export function isNoSpace(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** A full temp dir, said as the user can act on it: where, and how much was being written. */
export function noSpaceError(e: unknown, dir: string, what: string, bytes: number): TsdbError {
  return new TsdbError(
    ErrorCode.BadInput,
    `no space left in ${dir} while writing ${what} (${bytes} bytes) to a temp file; free space there or point $TMPDIR at another dir`,
    {},
    { cause: e },
  );
}
