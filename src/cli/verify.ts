// `tsdb-inspect verify`: a table of blocks, then the findings; or JSON.
// --quiet prints the summary line only; --strict fails on warnings too.

import * as fs from 'node:fs';
import type { Finding } from '../encoding/errors.js';
import type { TableFormat } from '../report/table.js';
import { verify, type VerifyResult } from '../verify/verify.js';
import { progressBar } from './progress.js';
import { names } from './options.js';
import { writeOut, writeTable } from './output.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError } from './run.js';
import { Code } from '../encoding/finding-codes.js';
import type { CoverageOptions } from '../verify/check/coverage.js';

export interface VerifyArgs {
  input: string;
  format: TableFormat | 'json';
  /** Threads that check a directory, this one included (default: one per core from 192 MiB of blocks; 1: no worker threads). */
  workers?: number;
  snapshot?: string;
  quiet?: boolean;
  strict?: boolean;
  /** --max-gap, --expect-range, --expect-head (coverage of each snapshot's time). */
  coverage?: CoverageOptions;
}

function utc(ms: number | null): string {
  if (ms === null) return '?';
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().replace('.000Z', 'Z');
}

/** 0 healthy, 1 problems in the data (warnings too with --strict), 2 when the input could not be read to its end. */
function exitCode(r: VerifyResult, strict: boolean): number {
  const unreadable = r.findings.find((f) => f.code === Code.InputError);
  if (unreadable) {
    process.stderr.write(`tsdb-inspect: ${unreadable.message.replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
    return EXIT_USAGE;
  }
  return r.ok && !(strict && r.findings.length > 0) ? EXIT_OK : EXIT_PROBLEMS;
}

/** The result for one snapshot: its blocks, and the findings that name it or no snapshot (the archive's own). */
export function onlySnapshot(r: VerifyResult, name: string): VerifyResult {
  const snapshots = r.snapshots.filter((s) => s.name === name);
  if (snapshots.length === 0) throw new UsageError(`no snapshot named ${JSON.stringify(name)}; the input holds: ${names(r.snapshots)}`);
  const findings = r.findings.filter((f) => f.snapshot === undefined || f.snapshot === name);
  return { ok: !findings.some((f) => f.severity === 'error'), snapshots, findings };
}

/** Whether the input is an archive (a file or stdin), where --workers does not apply. */
function isArchive(input: string): boolean {
  if (input === '-') return true;
  try {
    return !fs.statSync(input).isDirectory();
  } catch {
    return false;
  }
}

export function summaryLine(r: VerifyResult): string {
  const errors = r.findings.filter((x) => x.severity === 'error').length;
  const warnings = r.findings.length - errors;
  const blocks = r.snapshots.reduce((n, s) => n + s.blocks.length, 0);
  return `${r.ok ? 'OK' : 'FAILED'}: ${r.snapshots.length} snapshot(s), ${blocks} block(s), ${errors} error(s), ${warnings} warning(s)\n`;
}

/** Where a finding is: snapshot/block/file @offset (the table wraps it at the slashes, never inside a ULID). */
export function findingPlace(x: Finding): string {
  return [x.snapshot, x.block, x.file].filter(Boolean).join('/') + (x.offset !== undefined ? ` @${x.offset}` : '');
}

async function writeTables(r: VerifyResult, format: TableFormat): Promise<void> {
  // One snapshot (the usual case): its name above the table rather than in a column of every row.
  const multi = r.snapshots.length > 1;
  if (!multi && r.snapshots.length === 1 && format === 'table') await writeOut(`Snapshot ${r.snapshots[0].name}\n`);
  const rows: string[][] = [];
  for (const s of r.snapshots) {
    const row = (cells: (string | number | null)[]) => rows.push((multi || format === 'tsv' ? [s.name, ...cells] : cells).map((c) => String(c ?? '')));
    if (s.blocks.length === 0) row(['(no blocks)', '', '', '', '', '']);
    for (const b of s.blocks) row([b.ulid, `${utc(b.minTime)} – ${utc(b.maxTime)}`, b.numSeries, b.numChunks, b.numSamples, b.ok ? 'ok' : 'ERROR']);
    const h = s.head;
    if (h) row(['(head: WAL)', `${utc(h.minTime)} – ${utc(h.maxTime)}`, h.numSeries, '', h.numSamples, h.ok ? 'ok' : 'ERROR']);
  }
  const keep = (head: string) => ({ head, keep: true });
  const columns = [keep('BLOCK ULID'), { head: 'TIME RANGE (UTC)', min: 24 }, keep('SERIES'), keep('CHUNKS'), keep('SAMPLES'), keep('STATUS')];
  await writeTable(multi || format === 'tsv' ? [{ head: 'SNAPSHOT', min: 17 }, ...columns] : columns, rows, format);
  if (r.findings.length === 0) return;
  const findings = r.findings.map((x) => [x.severity, x.code, findingPlace(x), x.message]);
  // WHERE never narrower than a ULID plus its slash; MESSAGE takes what is left.
  await writeTable([keep('SEVERITY'), keep('CODE'), { head: 'WHERE', min: 27 }, { head: 'MESSAGE', min: 30 }], findings, format);
}

export async function verifyCommand(a: VerifyArgs): Promise<number> {
  if (a.workers !== undefined && isArchive(a.input)) {
    process.stderr.write(`tsdb-inspect: note: --workers applies to directories only; an archive is checked as it streams, in this thread (decompression has its own)\n`);
  }
  const bar = progressBar('verifying');
  let r: VerifyResult;
  try {
    r = await verify(a.input, { workers: a.workers ?? 'auto', coverage: a.coverage, onProgress: (d, t) => bar.update(d, t) });
  } finally {
    bar.done();
  }
  if (a.snapshot !== undefined) r = onlySnapshot(r, a.snapshot);
  if (a.format === 'json') await writeOut(JSON.stringify(r, null, 2) + '\n');
  else {
    if (!a.quiet) await writeTables(r, a.format);
    await writeOut(summaryLine(r));
  }
  return exitCode(r, a.strict === true);
}
