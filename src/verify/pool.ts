// A pool of worker threads: each worker takes the next job as it finishes
// one, and its answers are plain data (structured clone). A worker that dies
// (an uncaught exception, a crash, process.exit, a script that does not load)
// fails the one job it had, and a fresh worker takes the rest: every job
// ends, with a result or an error, and nothing waits forever.
//
// Both sides of the protocol are here: runPool in the thread that gives the
// jobs, serveJobs in the worker script.

import { parentPort, Worker } from 'node:worker_threads';

/** A job's error, as plain data: the name and message, and an errno code and path when there were. */
export interface JobError {
  name: string;
  message: string;
  code?: string;
  path?: string;
}

export type JobResult<R> = { ok: true; value: R } | { ok: false; error: JobError };

type Reply<R> = { id: number; value: R } | { id: number; error: JobError } | { note: unknown };

export interface PoolOptions {
  /** Workers at most (never more than there are jobs). */
  size: number;
  /** What a worker sends while it works (progress). */
  onNote?(note: unknown): void;
}

function asJobError(e: unknown): JobError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const x = e as NodeJS.ErrnoException;
  const out: JobError = { name: x.name, message: x.message };
  if (typeof x.code === 'string') out.code = x.code;
  if (typeof x.path === 'string') out.path = x.path;
  return out;
}

/** Run `jobs` in worker threads started from `script`; results in the order of `jobs`. */
export function runPool<J, R>(script: URL, jobs: readonly J[], opts: PoolOptions): Promise<JobResult<R>[]> {
  const results: JobResult<R>[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const live = new Set<Worker>();
  return new Promise((resolve) => {
    const settle = (id: number, r: JobResult<R>) => {
      if (results[id]) return;
      results[id] = r;
      if (++done < jobs.length) return;
      for (const w of live) void w.terminate();
      resolve(results);
    };
    const start = () => {
      const w = new Worker(script);
      live.add(w);
      let current = -1;
      // Every worker gets a job as it starts, so each death uses one up: the pool always ends.
      const give = () => {
        if (next === jobs.length) {
          current = -1;
          void w.terminate();
          return;
        }
        current = next++;
        w.postMessage({ id: current, job: jobs[current] });
      };
      const fail = (error: JobError) => {
        if (current >= 0) settle(current, { ok: false, error });
        current = -1;
      };
      w.on('message', (m: Reply<R>) => {
        if ('note' in m) return opts.onNote?.(m.note);
        settle(m.id, 'error' in m ? { ok: false, error: m.error } : { ok: true, value: m.value });
        give();
      });
      w.on('messageerror', (e) => {
        fail(asJobError(e));
        void w.terminate(); // its answer is lost; a fresh worker takes the rest
      });
      w.on('error', (e) => fail(asJobError(e)));
      w.on('exit', (code) => {
        live.delete(w);
        fail({ name: 'Error', message: `the worker thread exited with code ${code}` });
        if (next < jobs.length) start();
      });
      give();
    };
    if (jobs.length === 0) resolve(results);
    for (let i = 0; i < Math.min(opts.size, jobs.length); i++) start();
  });
}

/** In a worker script: answer each job with `handle`'s result, or its error. */
export function serveJobs<J, R>(handle: (job: J, note: (n: unknown) => void) => Promise<R>): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs runs in a worker thread');
  const note = (n: unknown) => port.postMessage({ note: n });
  port.on('message', (m: { id: number; job: J }) => {
    handle(m.job, note).then(
      (value) => port.postMessage({ id: m.id, value }),
      (e: unknown) => port.postMessage({ id: m.id, error: asJobError(e) }),
    );
  });
}
