// Where human output goes: stdout (or the Writable a command is given: a chunk-reading
// command first runs as a dry run into a sink, see run.ts withInput), honouring
// backpressure, in tables as wide as the terminal (COLUMNS when stdout is not a terminal;
// no limit when neither says).

import type { Writable } from 'node:stream';
import { writeDrained } from '../query/bytewriter.js';
import { TableWriter, type Column, type TableFormat, type TableOptions } from '../report/table.js';

/** Write to `out`; resolves at once unless it asks to wait. */
export function writeOut(text: string, out: Writable = process.stdout): void | Promise<void> {
  return writeDrained(out, text);
}

/** The width tables fit: the terminal's, else $COLUMNS, else none. */
export function terminalWidth(): number | undefined {
  if (process.stdout.isTTY && process.stdout.columns > 0) return process.stdout.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : undefined;
}

export function stdoutTable(columns: readonly Column[], format: TableFormat, opts: Omit<TableOptions, 'format' | 'width'> = {}, out: Writable = process.stdout): TableWriter {
  return new TableWriter(columns, (text) => writeOut(text, out), { ...opts, format, width: terminalWidth() });
}

/** Write a whole small table (a few rows) and wait for it. */
export async function writeTable(columns: readonly Column[], rows: Iterable<readonly string[]>, format: TableFormat, opts: Omit<TableOptions, 'format' | 'width'> = {}, out: Writable = process.stdout): Promise<void> {
  const t = stdoutTable(columns, format, opts, out);
  for (const r of rows) await t.row(r);
  await t.end();
}
