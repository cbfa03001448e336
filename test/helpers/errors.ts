// TEST ONLY. Assertions that a reader failed cleanly: a TsdbError with a known
// code, an offset inside the input when one is given, and no time wasted.

import { expect } from 'vitest';
import { ErrorCode, TsdbError } from '../../src/encoding/errors.js';

export const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** What running a reader on some input gave. */
export type Outcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'error'; error: TsdbError }
  /** Anything else: another error type, an unknown code, an offset outside the input. */
  | { kind: 'unclean'; reason: string; thrown: unknown };

/**
 * Run `fn` and sort its outcome. `inputLength` is the length of the input the
 * error's `context.offset` must point into (the offset may equal it only for
 * an error at the very end of the input).
 */
export function outcome<T>(fn: () => T, inputLength?: number): Outcome<T> {
  let value: T;
  try {
    value = fn();
  } catch (e) {
    const problem = uncleanReason(e, inputLength);
    if (problem) return { kind: 'unclean', reason: problem, thrown: e };
    return { kind: 'error', error: e as TsdbError };
  }
  return { kind: 'ok', value };
}

/** Why `e` is not a clean TsdbError, or null when it is. */
export function uncleanReason(e: unknown, inputLength?: number): string | null {
  if (!(e instanceof TsdbError)) {
    return `threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}, not a TsdbError`;
  }
  if (!ERROR_CODES.has(e.code)) return `TsdbError with unknown code ${String(e.code)}`;
  const off = e.context.offset;
  if (off !== undefined) {
    if (typeof off !== 'number' || !Number.isInteger(off) || off < 0) return `context.offset ${String(off)} is not a non-negative integer (${e.message})`;
    if (inputLength !== undefined && off > inputLength) return `context.offset ${off} lies outside the ${inputLength}-byte input (${e.message})`;
  }
  return null;
}

export interface ExpectErrorOptions {
  /** The code (or one of the codes) the error must have. */
  code?: string | readonly string[];
  /** Length of the input; `context.offset` must lie within it. */
  inputLength?: number;
  /** The error must be thrown within this many milliseconds of CPU time (see cpuMs). */
  maxMs?: number;
}

/** Assert that `fn` throws a clean TsdbError, and return it. */
export function expectTsdbError(fn: () => unknown, opts: ExpectErrorOptions = {}): TsdbError {
  const t0 = process.cpuUsage();
  const r = outcome(fn, opts.inputLength);
  const ms = cpuMs(t0);
  if (r.kind === 'ok') throw new Error('expected a TsdbError, but the call returned normally');
  if (r.kind === 'unclean') throw new Error(r.reason, { cause: r.thrown });
  if (opts.code !== undefined) {
    const codes = typeof opts.code === 'string' ? [opts.code] : opts.code;
    expect(codes, `error was ${r.error.code}: ${r.error.message}`).toContain(r.error.code);
  }
  if (opts.maxMs !== undefined) expect(ms, `took ${ms.toFixed(1)} ms of CPU`).toBeLessThan(opts.maxMs);
  return r.error;
}

/**
 * Hostile inputs must be refused at once, without allocating for the
 * claimed count: well under this budget even on a slow machine.
 */
export const FAST_MS = 100;

/**
 * Milliseconds of CPU time this process has used since `from` (process.cpuUsage()).
 * Time bounds measure work with it, not wall time, which a loaded machine
 * stretches at random: a loop over a hostile count costs CPU wherever it runs.
 */
export function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}
