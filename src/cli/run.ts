// Shared CLI plumbing: open the input, map errors to messages and exit
// codes (0 healthy, 1 problems found, 2 usage or unreadable input).

import { ErrorCode, isTsdbError } from '../encoding/errors.js';
import type { OpenedInput } from '../snapshot/open.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

let debug = false;
export function setDebug(on: boolean): void {
  debug = on;
}

/** System errors that mean the input cannot be read as given: the user's to fix. */
const USAGE_ERRNO = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'ENXIO', 'ENODEV']);

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

export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return EXIT_USAGE;
  if (isTsdbError(e)) return e.code === ErrorCode.NotFound || e.code === ErrorCode.BadInput ? EXIT_USAGE : EXIT_PROBLEMS;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && USAGE_ERRNO.has(code)) return EXIT_USAGE;
  return EXIT_PROBLEMS;
}

/** Say what went wrong on one line (the stack only with --debug); returns the exit code. */
export function reportError(e: unknown): number {
  process.stderr.write(`tsdb-inspect: ${describeError(e)}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  return exitCodeFor(e);
}

/** Open the input, run `fn`, and always clean up what opening created. */
export async function withInput<T>(input: string, fn: (o: OpenedInput) => Promise<T>): Promise<T> {
  // Loaded here, not with the CLI: --help, --version and usage errors need none of the readers.
  const { openInput } = await import('../snapshot/open.js');
  const opened = await openInput(input);
  const cleanup = (sig: NodeJS.Signals) => {
    opened.closeSync();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', cleanup);
  process.once('SIGTERM', cleanup);
  try {
    return await fn(opened);
  } finally {
    process.off('SIGINT', cleanup);
    process.off('SIGTERM', cleanup);
    await opened.close();
  }
}
