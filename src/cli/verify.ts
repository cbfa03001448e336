// `tsdb-inspect verify`: a table of blocks, then the findings; or JSON.

import Table from 'cli-table3';
import { verify, type VerifyResult } from '../verify/verify.js';
import { progressBar } from './progress.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE } from './run.js';
import { Code } from '../encoding/finding-codes.js';
import type { CoverageOptions } from '../verify/check/coverage.js';

function utc(ms: number | null): string {
  if (ms === null) return '?';
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().replace('.000Z', 'Z');
}

/** 0 healthy, 1 problems in the data, 2 when the input could not be read to its end. */
function exitCode(r: VerifyResult): number {
  const unreadable = r.findings.find((f) => f.code === Code.InputError);
  if (unreadable) {
    process.stderr.write(`tsdb-inspect: ${unreadable.message.replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
    return EXIT_USAGE;
  }
  return r.ok ? EXIT_OK : EXIT_PROBLEMS;
}

/** `workers`: threads that check a directory, this one included (default: one per core from 192 MiB of blocks; 1: no worker threads). */
export async function verifyCommand(input: string, format: 'table' | 'json', workers: number | 'auto' = 'auto', coverage: CoverageOptions = {}): Promise<number> {
  const bar = progressBar('verifying');
  let r: VerifyResult;
  try {
    r = await verify(input, { workers, coverage, onProgress: (d, t) => bar.update(d, t) });
  } finally {
    bar.done();
  }
  if (format === 'json') {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return exitCode(r);
  }
  const t = new Table({ head: ['SNAPSHOT', 'BLOCK ULID', 'TIME RANGE (UTC)', 'SERIES', 'CHUNKS', 'SAMPLES', 'STATUS'], style: { head: [], border: [], compact: true } });
  for (const s of r.snapshots) {
    if (s.blocks.length === 0) t.push([s.name, '(no blocks)', '', '', '', '', '']);
    for (const b of s.blocks) {
      t.push([s.name, b.ulid, `${utc(b.minTime)} – ${utc(b.maxTime)}`, b.numSeries, b.numChunks, b.numSamples, b.ok ? 'ok' : 'ERROR'].map(String));
    }
    const h = s.head;
    if (h) t.push([s.name, '(head: WAL)', `${utc(h.minTime)} – ${utc(h.maxTime)}`, h.numSeries, '', h.numSamples, h.ok ? 'ok' : 'ERROR'].map(String));
  }
  process.stdout.write(t.toString() + '\n');
  if (r.findings.length) {
    const f = new Table({ head: ['SEVERITY', 'CODE', 'WHERE', 'MESSAGE'], style: { head: [], border: [], compact: true }, wordWrap: true, colWidths: [10, 26, 40, 80] });
    for (const x of r.findings) {
      const where = [x.snapshot, x.block, x.file].filter(Boolean).join('/') + (x.offset !== undefined ? ` @${x.offset}` : '');
      f.push([x.severity, x.code, where, x.message]);
    }
    process.stdout.write(f.toString() + '\n');
  }
  const errors = r.findings.filter((x) => x.severity === 'error').length;
  const warnings = r.findings.length - errors;
  const blocks = r.snapshots.reduce((n, s) => n + s.blocks.length, 0);
  process.stdout.write(`${r.ok ? 'OK' : 'FAILED'}: ${r.snapshots.length} snapshot(s), ${blocks} block(s), ${errors} error(s), ${warnings} warning(s)\n`);
  return exitCode(r);
}
