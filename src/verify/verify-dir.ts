// verify on a directory: an extracted archive root, a snapshot dir, a data
// dir or one block dir. Each block's files are checked as one job, in this
// thread or split between this thread and worker threads (split.ts); the results are put
// together in the order of the walk, so they are the same either way.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, TsdbError, type Finding } from '../encoding/errors.js';
import { isULID } from '../meta/meta.js';
import { splitMemberPath, type MemberInfo } from '../snapshot/layout-check.js';
import { dirDataFiles, type DataDirFiles } from '../wal/head.js';
import { checkBlockFiles, UnreadableFile, type BlockJob } from './block-files.js';
import { Collector, INDEX_SPILL_AT, type BlockOutcome } from './collect.js';
import { checkSplit } from './split.js';
import { finish, type VerifyOptions, type VerifyResult } from './result.js';
import { errnoPath, isErrno, unreadable } from './usage.js';
import { workerScript } from '../snapshot/worker-script.js';
import { Code } from '../encoding/finding-codes.js';

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

interface Walked {
  member: MemberInfo;
  file: string;
}

/** Files under `dir`, recursively, as archive members named `prefix/…`. */
function walk(dir: string, prefix: string, out: Walked[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    const name = prefix + '/' + e.name;
    if (e.isDirectory()) {
      out.push({ member: { name: name + '/', type: 'directory', size: 0 }, file: full });
      walk(full, name, out);
    } else if (e.isFile()) {
      out.push({ member: { name, type: 'file', size: fs.statSync(full).size }, file: full });
    }
    // Links and special files are never followed.
  }
}

/** The members of `abs` as an archive would hold them, and what kind of dir it is. */
function walkInput(abs: string): { files: Walked[]; heads: Map<string, DataDirFiles>; checkNames: boolean; hasBlocks: boolean } {
  const files: Walked[] = [];
  const heads = new Map<string, DataDirFiles>();
  if (fs.existsSync(path.join(abs, 'snapshots')) && !fs.existsSync(path.join(abs, 'meta.json'))) {
    walk(path.join(abs, 'snapshots'), 'snapshots', files);
    // In the archive layout every dir at block depth is meant as a block (the layout check judges its name).
    const hasBlocks = files.some((f) => f.member.type === 'directory' && splitMemberPath(f.member.name)?.block !== undefined);
    return { files, heads, checkNames: true, hasBlocks };
  }
  if (fs.existsSync(path.join(abs, 'meta.json'))) {
    // One block: its parent is the snapshot.
    walk(abs, `snapshots/${path.basename(path.dirname(abs))}/${path.basename(abs)}`, files);
    return { files, heads, checkNames: false, hasBlocks: true };
  }
  // A snapshot dir or a data dir: its name is the user's choice, so only its contents are checked.
  const dataDir = fs.existsSync(path.join(abs, 'wal')) || fs.existsSync(path.join(abs, 'chunks_head'));
  const name = path.basename(abs);
  let hasBlocks = dataDir;
  if (dataDir) heads.set(name, dirDataFiles(abs));
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
    if (dataDir && !isULID(e.name)) continue; // the rest of a data dir is not blocks
    const full = path.join(abs, e.name);
    if (e.isDirectory()) {
      hasBlocks ||= isULID(e.name) || fs.existsSync(path.join(full, 'meta.json'));
      files.push({ member: { name: `snapshots/${name}/${e.name}/`, type: 'directory', size: 0 }, file: full });
      walk(full, `snapshots/${name}/${e.name}`, files);
    } else if (e.isFile()) files.push({ member: { name: `snapshots/${name}/${e.name}`, type: 'file', size: fs.statSync(full).size }, file: full });
  }
  return { files, heads, checkNames: false, hasBlocks };
}

/** One job per block, in the order its first file was walked. */
function blockJobs(files: Walked[]): { job: BlockJob; bytes: number }[] {
  const jobs = new Map<string, { job: BlockJob; bytes: number }>();
  for (const f of files) {
    if (f.member.type !== 'file') continue;
    const p = splitMemberPath(f.member.name);
    if (!p || !p.block || !p.rel) continue;
    const key = `${p.snapshot}/${p.block}`;
    let j = jobs.get(key);
    if (!j) jobs.set(key, (j = { job: { snapshot: p.snapshot, block: p.block, files: [] }, bytes: 0 }));
    j.job.files.push({ rel: p.rel, path: f.file });
    j.bytes += f.member.size;
  }
  return [...jobs.values()];
}

/** A job that a worker could not finish (it threw, or the thread died): an error finding on its block. */
function failedBlock(job: BlockJob, why: string): BlockOutcome {
  const f: Finding = { severity: 'error', code: Code.InternalError, snapshot: job.snapshot, block: job.block, message: `checking the block in a worker thread failed (a bug): ${why}` };
  const summary = { ulid: job.block, minTime: null, maxTime: null, numSeries: 0, numChunks: 0, numSamples: 0, numTombstones: 0, ok: false };
  return { snapshot: job.snapshot, block: job.block, read: [], check: [f], summary };
}

/** A directory: an extracted archive root, a snapshot dir, a data dir, or one block dir. */
export async function verifyDir(dir: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  let walked: ReturnType<typeof walkInput>;
  try {
    walked = walkInput(path.resolve(dir));
  } catch (e) {
    throw isErrno(e) ? unreadable(errnoPath(e) ?? dir, e) : e;
  }
  const { files, heads, checkNames, hasBlocks } = walked;
  // A dir with no block dir in it is not something to verify: the wrong path, most likely.
  if (!hasBlocks) {
    throw new TsdbError(
      ErrorCode.BadInput,
      `${dir}: no block dirs found: give an extracted archive root (holding snapshots/), a snapshot dir, a Prometheus data dir or a block dir`,
    );
  }
  const total = files.reduce((n, f) => n + f.member.size, 0);
  let done = 0;
  const onBytes = (n: number) => opts.onProgress?.((done += n), total);
  const jobs = blockJobs(files);
  // Large indexes wait in temp files under one dir of ours, removed whatever becomes of the workers.
  const spillAt = opts.spillAt ?? INDEX_SPILL_AT;
  const big = files.some((f) => f.member.size > spillAt && f.member.name.endsWith('/index'));
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
    return finish(
      collector,
      files.map((f) => f.member),
      findings,
      checkNames,
      heads,
    );
  } finally {
    if (big) fs.rmSync(tmpDir!, { recursive: true, force: true });
  }
}
