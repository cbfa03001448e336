// verify on a directory: an extracted archive root, a snapshot dir, a data
// dir or one block dir. Each block's files are checked as one job, in this
// thread or split between this thread and worker threads (split.ts); the results are put
// together in the order of the walk, so they are the same either way.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, TsdbError, type Finding } from '../../encoding/errors.js';
import { classify, type Place } from '../../snapshot/classify.js';
import { stripRel, walkInput, type Walked } from '../../snapshot/layout.js';
import { dirDataFiles, type DataDirFiles } from '../../wal/head.js';
import { checkBlockFiles, UnreadableFile, type BlockJob } from './block-files.js';
import { Collector, INDEX_SPILL_AT, type BlockOutcome } from '../stream/collect.js';
import { checkSplit } from './split.js';
import { finish, type VerifyOptions, type VerifyResult } from '../result.js';
import { errnoPath, isErrno, unreadable } from '../usage.js';
import { workerScript } from '../../threads/worker-script.js';
import { Code } from '../../encoding/finding-codes.js';

/**
 * Bytes of blocks from which 'auto' uses one thread per core: below it, a worker's own
 * start and warm-up cost what the second core gives (measurements: docs/performance.md).
 */
export const AUTO_WORKERS_FROM = 192 * 2 ** 20;

/** Threads for `jobs` blocks of `total` bytes: `workers` as given (1 by default), or by size for 'auto'. */
export function threadsFor(workers: number | 'auto' | undefined, total: number, jobs: number, cores: number): number {
  const want = workers === 'auto' ? (total >= AUTO_WORKERS_FROM ? cores : 1) : (workers ?? 1);
  return Math.min(jobs, Math.max(1, Math.floor(want)));
}

/** The compiled worker script, next to this module in dist/ (also when this runs from src/ under vitest). */
export const SEGMENT_WORKER_SCRIPT = workerScript(import.meta.url, 'segment-worker.js');

/** The members of `abs` as an archive of it would hold them (`tar czf x.tgz <dir>/`), and where each belongs. */
function walkDir(abs: string): { files: Walked[]; places: Place[]; findings: Finding[]; heads: Map<string, DataDirFiles> } {
  const { members, outer } = walkInput(abs);
  const c = classify(members, { archive: false, outer });
  const heads = new Map<string, DataDirFiles>();
  c.places.forEach((p, i) => {
    if (p.kind === 'head' && !heads.has(p.snapshot)) heads.set(p.snapshot, dirDataFiles(stripRel(members[i]!.path, p.rel)));
  });
  return { files: members, places: c.places, findings: c.findings, heads };
}

/** One job per block, in the order its first file was walked. */
function blockJobs(files: Walked[], places: Place[]): { job: BlockJob; bytes: number }[] {
  const jobs = new Map<string, { job: BlockJob; bytes: number }>();
  files.forEach((f, i) => {
    const p = places[i]!;
    if (f.type !== 'file' || p.kind !== 'block' || p.rel === undefined) return;
    const key = `${p.snapshot}/${p.block}`;
    let j = jobs.get(key);
    if (!j) jobs.set(key, (j = { job: { snapshot: p.snapshot, block: p.block, files: [] }, bytes: 0 }));
    j.job.files.push({ rel: p.rel, path: f.path });
    j.bytes += f.size;
  });
  return [...jobs.values()];
}

/** A job that a worker could not finish (it threw, or the thread died): an error finding on its block. */
function failedBlock(job: BlockJob, why: string): BlockOutcome {
  const f: Finding = { severity: 'error', code: Code.InternalError, snapshot: job.snapshot, block: job.block, message: `checking the block in a worker thread failed (a bug): ${why}` };
  const summary = { ulid: job.block, minTime: null, maxTime: null, numSeries: 0, numChunks: 0, numSamples: 0, numTombstones: 0 };
  return { snapshot: job.snapshot, block: job.block, read: [], check: [f], summary };
}

/** A directory: an extracted archive root, a snapshot dir, a data dir, or one block dir. */
export async function verifyDir(dir: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  let walked: ReturnType<typeof walkDir>;
  try {
    walked = walkDir(path.resolve(dir));
  } catch (e) {
    throw isErrno(e) ? unreadable(errnoPath(e) ?? dir, e) : e;
  }
  const { files, places, heads } = walked;
  // A dir with no block dir (nor WAL) in it is not something to verify: the wrong path, most likely.
  if (!places.some((p) => p.kind === 'block' || p.kind === 'head')) {
    throw new TsdbError(
      ErrorCode.BadInput,
      `${dir}: no block dirs found: give an extracted archive root (holding snapshots/), a snapshot dir, a Prometheus data dir or a block dir`,
    );
  }
  const total = files.reduce((n, f) => n + f.size, 0);
  let done = 0;
  const onBytes = (n: number) => opts.onProgress?.((done += n), total);
  const jobs = blockJobs(files, places);
  // Large indexes wait in temp files under one dir of ours, removed whatever becomes of the workers.
  const spillAt = opts.spillAt ?? INDEX_SPILL_AT;
  const big = files.some((f) => f.size > spillAt && f.name.endsWith('/index'));
  const tmpDir = big ? fs.mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), 'tsdb-inspect-verify-')) : opts.tmpDir;
  for (const { job } of jobs) Object.assign(job, { spillAt, tmpDir });
  try {
    const workers = threadsFor(opts.workers, total, jobs.length, os.availableParallelism());
    let outcomes: BlockOutcome[] = [];
    if (workers > 1) {
      const r = await checkSplit(jobs, workers, SEGMENT_WORKER_SCRIPT, { onBytes });
      if (r.unreadable) throw unreadable(r.unreadable.path, r.unreadable.errno);
      outcomes = r.outcomes.map((o, i) => o ?? failedBlock(jobs[i]!.job, r.failed.get(i) ?? 'no outcome'));
    } else {
      for (const { job } of jobs) {
        try {
          outcomes.push(await checkBlockFiles(job, onBytes));
        } catch (e) {
          throw e instanceof UnreadableFile ? unreadable(e.path, e.errno) : e;
        }
      }
    }
    const findings: Finding[] = [];
    const collector = new Collector(findings, opts);
    for (const o of outcomes) collector.adopt(o);
    const r = finish(collector, files, places, findings, heads);
    findings.unshift(...walked.findings);
    r.ok = !findings.some((f) => f.severity === 'error');
    return r;
  } finally {
    if (big) fs.rmSync(tmpDir!, { recursive: true, force: true });
  }
}
