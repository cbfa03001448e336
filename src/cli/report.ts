// `tsdb-inspect report <input> -o report.html`: one self-contained HTML page
// with the block timeline of each snapshot, verify's summary and findings, and
// analyze's cardinality over all blocks merged.
//
// Two passes over an archive: verify streams it once (as `verify` does), then
// the blocks are opened as the query commands open them (index kept, the chunk
// records analyze counts fetched by a pass that stops once it has them).
// verify lets go of each block as soon as it is checked, so that memory stays
// flat; analyze needs every block's index at once. Stdin is kept in a temp
// file for the second pass.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { verify, type VerifyResult } from '../verify/verify.js';
import { coverageHoles, isSnapshotHead, type CoverBlock } from '../verify/check/coverage.js';
import { analyze, type AnalyzeReport } from '../report/analyze.js';
import { renderReport } from '../report/html/page.js';
import type { TimelineSnapshot } from '../report/html/timeline.js';
import { progressBar } from './progress.js';
import { EXIT_OK, EXIT_PROBLEMS, UsageError, withInput } from './run.js';

export interface ReportArgs {
  input: string;
  out: string;
  limit?: number;
}

/** Each snapshot's blocks, levels and holes, as the timeline draws them. */
function timelines(r: VerifyResult, levels: ReadonlyMap<string, number>): TimelineSnapshot[] {
  return r.snapshots.map((s) => {
    const blocks = s.blocks.filter((b) => b.minTime !== null && b.maxTime !== null);
    const cover: CoverBlock[] = blocks.map((b) => ({ ulid: b.ulid, minTime: b.minTime!, maxTime: b.maxTime!, level: levels.get(`${s.name}/${b.ulid}`) }));
    const newest = cover.reduce<CoverBlock | undefined>((l, b) => (!l || b.maxTime > l.maxTime ? b : l), undefined);
    const h = s.head;
    return {
      name: s.name,
      blocks: cover.map((b, i) => ({ ...b, head: b === newest && !h && isSnapshotHead(b, s.name), ok: blocks[i]!.ok, numSamples: blocks[i]!.numSamples, numSeries: blocks[i]!.numSeries })),
      wal: h && h.minTime !== null && h.maxTime !== null ? { minTime: h.minTime, maxTime: h.maxTime, numSamples: h.numSamples + h.numHistogramSamples } : undefined,
      gaps: coverageHoles(cover, h),
    };
  });
}

export async function reportCommand(a: ReportArgs): Promise<number> {
  const limit = a.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit takes a non-negative integer, got ${a.limit}`);
  let input = a.input;
  let tmp: string | undefined;
  try {
    if (input === '-') {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-inspect-report-'));
      input = path.join(tmp, 'stdin.tar');
      await pipeline(process.stdin, fs.createWriteStream(input));
    }
    const bar = progressBar('verifying');
    let r: VerifyResult;
    try {
      r = await verify(input, { onProgress: (d, t) => bar.update(d, t) });
    } finally {
      bar.done();
    }
    const levels = new Map<string, number>();
    let report: AnalyzeReport | undefined;
    if (r.snapshots.some((s) => s.blocks.length > 0)) {
      report = await withInput(input, 'chunks', async (opened) => {
        const all = opened.snapshots.flatMap((s) => s.blocks.map((b) => (levels.set(`${s.name}/${b.name}`, b.meta.compaction.level), b)));
        return all.length ? analyze(all.sort((x, y) => x.meta.minTime - y.meta.minTime), { limit }) : undefined;
      });
    }
    const html = renderReport({ input: a.input, made: Date.now(), ok: r.ok, snapshots: timelines(r, levels), findings: r.findings, analyze: report });
    fs.writeFileSync(a.out, html);
    process.stderr.write(`tsdb-inspect: wrote ${a.out} (${r.ok ? 'OK' : 'FAILED'}: ${r.findings.length} finding(s))\n`);
    return r.ok ? EXIT_OK : EXIT_PROBLEMS;
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}
