// Option values the commands share: `--snapshot NAME` picks one snapshot of
// an input that holds several (without it every snapshot's blocks are read
// together), and whole numbers with messages that name the flag.

import type { OpenedInput } from '../snapshot/open.js';
import { UsageError } from './run.js';

export function names(list: readonly { name: string }[]): string {
  return list.map((s) => s.name).join(', ') || '(none)';
}

/** The input with only the named snapshot (all of them without a name). */
export function pickSnapshot(opened: OpenedInput, name: string | undefined): OpenedInput {
  if (name === undefined) {
    if (opened.snapshots.length > 1) process.stderr.write(`tsdb-inspect: note: the input holds ${opened.snapshots.length} snapshots (${names(opened.snapshots)}), read together; --snapshot NAME reads one\n`);
    return opened;
  }
  const s = opened.snapshots.filter((x) => x.name === name);
  if (s.length === 0) throw new UsageError(`no snapshot named ${JSON.stringify(name)}; the input holds: ${names(opened.snapshots)}`);
  return { ...opened, snapshots: s };
}

/** A whole number from the command line, with a message naming the flag when it is not one. */
export function integerOption(flag: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  const s = String(value).trim();
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${flag} must be a whole number of at least ${min}, not ${JSON.stringify(String(value))}`);
  return n;
}
