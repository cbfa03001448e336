// Shared CLI plumbing: open the input, map errors to messages and exit
// codes (0 healthy, 1 problems found in the data, 2 usage errors,
// unreadable input, and our own failures: a bug is not a finding).

import { Writable } from 'node:stream';
import { ErrorCode, isTsdbError, type Finding } from '../encoding/errors.js';
import { Code } from '../encoding/finding-codes.js';
import type { Needs, OpenedInput } from '../snapshot/open.js';
import { progressBar } from './progress.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

let debug = false;
export function setDebug(on: boolean): void {
  debug = on;
}

/** One line saying what went wrong and where (never a stack, never a newline). */
export function describeError(e: unknown): string {
  let msg: string;
  if (isTsdbError(e)) {
    const c = e.context;
    const where = [c.snapshot && `snapshot ${c.snapshot}`, c.block && `block ${c.block}`, c.file && `file ${c.file}`, c.offset !== undefined && `offset ${c.offset}`]
      .filter(Boolean)
      .join(', ');
    msg = where ? `${e.message} (${where})` : e.message;
  } else msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Whether an error is a bug of ours rather than something about the input or the command line. */
export function isInternal(e: unknown): boolean {
  if (e instanceof UsageError || isTsdbError(e)) return false;
  // A system call's error (EIO, ENOSPC …) is about the machine, not a bug.
  const code = (e as NodeJS.ErrnoException)?.code;
  return !(typeof code === 'string' && /^E[A-Z0-9]+$/.test(code));
}

export function exitCodeFor(e: unknown): number {
  // A reader's error about the data: the data has a problem.
  if (isTsdbError(e) && e.code !== ErrorCode.NotFound && e.code !== ErrorCode.BadInput) return EXIT_PROBLEMS;
  return EXIT_USAGE;
}

/** Say what went wrong on one line (the stack only with --debug); returns the exit code. */
export function reportError(e: unknown): number {
  const internal = isInternal(e) ? 'internal error: ' : '';
  const hint = internal && !debug ? ' (run with --debug for details; please report it)' : '';
  process.stderr.write(`tsdb-inspect: ${internal}${describeError(e)}${hint}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  return exitCodeFor(e);
}

/** One line per warning about the input, on stderr, with its place. */
function printWarnings(warnings: readonly Finding[]): void {
  // Hard links are how GNU tar stores a block shared by two snapshots: read as copies, nothing to
  // act on, so the query commands say it once (verify lists each).
  if (warnings.some((w) => w.code === Code.HardLink)) process.stderr.write('tsdb-inspect: note: the archive stores files as hard links to earlier ones (a block shared by snapshots); they are read as copies\n');
  for (const w of warnings) {
    if (w.code === Code.HardLink) continue;
    const where = [w.snapshot && `snapshot ${w.snapshot}`, w.block && `block ${w.block}`, w.file && `file ${w.file}`, w.offset !== undefined && `offset ${w.offset}`].filter(Boolean).join(', ');
    process.stderr.write(`tsdb-inspect: warning: ${w.message.replace(/\s*[\r\n]+\s*/g, ' ')}${where ? ` (${where})` : ''}\n`);
  }
}

/**
 * Open the input for what the command reads (`needs`), run `fn` writing to `out`, and let go
 * of what opening kept. For `chunks`, `fn` first runs as a dry run (its output discarded) that
 * says which chunk records to fetch from an archive.
 */
export async function withInput<T>(input: string, needs: Needs, fn: (o: OpenedInput, out: Writable) => Promise<T>, opts: { tmpDir?: string } = {}): Promise<T> {
  // Loaded here, not with the CLI: --help, --version and usage errors need none of the readers.
  const { openInput } = await import('../snapshot/open.js');
  const bar = progressBar('reading');
  const opened = await openInput(input, {
    needs,
    tmpDir: opts.tmpDir,
    // Only for tests of the temp files (a small archive held on disk).
    holdInMemory: process.env.TSDB_INSPECT_HOLD_IN_MEMORY ? Number(process.env.TSDB_INSPECT_HOLD_IN_MEMORY) : undefined,
    onProgress: (n, total) => bar.update(n, total),
    onNote: (m) => process.stderr.write(`tsdb-inspect: ${m}\n`),
  }).finally(() => bar.done());
  try {
    printWarnings(opened.warnings);
    if (needs === 'chunks') {
      await opened.fetchChunks((o) => fn(o, new Writable({ write: (_c, _e, cb) => cb() })));
      bar.done();
    }
    return await fn(opened, process.stdout);
  } finally {
    opened.close();
  }
}
