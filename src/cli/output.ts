// Where human output goes: stdout, honouring backpressure, in tables as
// wide as the terminal (COLUMNS when stdout is not a terminal; no limit
// when neither says).

import { TableWriter, type Column, type TableFormat, type TableOptions } from '../report/table.js';

/** Write to stdout; resolves at once unless stdout asks to wait. */
export function writeOut(text: string): void | Promise<void> {
  if (process.stdout.write(text)) return;
  return new Promise<void>((resolve, reject) => {
    const done = (e?: Error) => {
      process.stdout.off('drain', done);
      process.stdout.off('error', done);
      if (e) reject(e);
      else resolve();
    };
    process.stdout.on('drain', done);
    process.stdout.on('error', done);
  });
}

/** The width tables fit: the terminal's, else $COLUMNS, else none. */
export function terminalWidth(): number | undefined {
  if (process.stdout.isTTY && process.stdout.columns > 0) return process.stdout.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : undefined;
}

export function stdoutTable(columns: readonly Column[], format: TableFormat, opts: Omit<TableOptions, 'format' | 'width'> = {}): TableWriter {
  return new TableWriter(columns, writeOut, { ...opts, format, width: terminalWidth() });
}

/** Write a whole small table (a few rows) and wait for it. */
export async function writeTable(columns: readonly Column[], rows: Iterable<readonly string[]>, format: TableFormat, opts: Omit<TableOptions, 'format' | 'width'> = {}): Promise<void> {
  const t = stdoutTable(columns, format, opts);
  for (const r of rows) await t.row(r);
  await t.end();
}
