// Shared CLI plumbing: open the input, map errors to messages and exit
// codes (0 healthy, 1 problems found, 2 usage or unreadable input).

import { ErrorCode, isTsdbError } from '../encoding/errors.js';
import { openInput, type OpenedInput } from '../snapshot/open.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

let debug = false;
export function setDebug(on: boolean): void {
  debug = on;
}

/** One line saying what went wrong and where. */
export function describeError(e: unknown): string {
  if (isTsdbError(e)) {
    const c = e.context;
    const where = [c.snapshot && `snapshot ${c.snapshot}`, c.block && `block ${c.block}`, c.file && `file ${c.file}`, c.offset !== undefined && `offset ${c.offset}`]
      .filter(Boolean)
      .join(', ');
    return where ? `${e.message} (${where})` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return EXIT_USAGE;
  if (isTsdbError(e)) return e.code === ErrorCode.NotFound || e.code === ErrorCode.BadInput ? EXIT_USAGE : EXIT_PROBLEMS;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR') return EXIT_USAGE;
  return EXIT_PROBLEMS;
}

export function reportError(e: unknown): number {
  process.stderr.write(`tsdb-inspect: ${describeError(e)}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  return exitCodeFor(e);
}

/** Open the input, run `fn`, and always clean up what opening created. */
export async function withInput<T>(input: string, fn: (o: OpenedInput) => Promise<T>): Promise<T> {
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
