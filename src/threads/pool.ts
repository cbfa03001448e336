// A pool of worker threads for a fixed list of jobs that this thread works
// on too. Jobs are claimed through shared memory (one Int32 a job), so the
// giving thread may take any job a worker has not started, even one already
// sent to it, while it is busy with long synchronous work; answers come over
// a MessagePort that this thread reads without waiting (receiveMessageOnPort)
// between its own pieces of work. Each worker holds DEPTH jobs at a time, so
// it never waits for this thread to hand it the next.
//
// A worker that dies (an uncaught exception, a crash, process.exit, a script
// that does not load) fails the job it had started, or, if it never answered
// one, the first it held (so a script that cannot start still ends the
// pool); a fresh worker takes the rest. Both sides of the protocol are here: ClaimPool
// in the giving thread, serveClaims in the worker script.

import { MessageChannel, receiveMessageOnPort, Worker, workerData, type MessagePort } from 'node:worker_threads';

/** A job's error, as plain data: the name and message, and an errno code and path when there were. */
export interface JobError {
  name: string;
  message: string;
  code?: string;
  path?: string;
}

export type JobResult<R> = { ok: true; value: R } | { ok: false; error: JobError };

type Reply<R> = { id: number; value: R } | { id: number; error: JobError } | { id: number; skipped: true } | { note: unknown };

export function asJobError(e: unknown): JobError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const x = e as NodeJS.ErrnoException;
  const out: JobError = { name: x.name, message: x.message };
  if (typeof x.code === 'string') out.code = x.code;
  if (typeof x.path === 'string') out.path = x.path;
  return out;
}

/** Claims: nobody yet, a worker, the giving thread, or failed by a worker's death. */
const FREE = 0;
const WORKER = 1;
const HERE = 2;
const DEAD = 3;
/** Jobs a worker holds at a time. */
const DEPTH = 2;

export interface ClaimPoolOptions<R> {
  /** Whether job `id` may start now (false for every later job too: jobs are given in order). */
  ready?(id: number): boolean;
  /** A worker's answer to job `id` (never called for jobs claimed here). */
  onResult(id: number, r: JobResult<R>): void;
  /** What a worker sends while it works (progress). */
  onNote?(note: unknown): void;
}

interface Live {
  worker: Worker;
  port: MessagePort;
  held: Set<number>;
  /** Jobs it answered. */
  answered: number;
}

export class ClaimPool<J, R> {
  private readonly claims: Int32Array;
  private readonly sent: Int8Array;
  private readonly done: Uint8Array;
  private readonly live = new Set<Live>();
  private cursor = 0;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly script: URL,
    private readonly size: number,
    private readonly jobs: readonly J[],
    private readonly opts: ClaimPoolOptions<R>,
  ) {
    this.claims = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, jobs.length)));
    this.sent = new Int8Array(jobs.length);
    this.done = new Uint8Array(jobs.length);
    this.feed();
  }

  /** Take job `id` for this thread: true if no worker started it (nor will). */
  claim(id: number): boolean {
    if (this.done[id] || Atomics.compareExchange(this.claims, id, FREE, HERE) !== FREE) return false;
    this.done[id] = 1;
    return true;
  }

  /** A job that may start now and no worker started, to claim here: the last such, as workers go from the first. */
  spare(): number {
    let last = -1;
    for (let id = this.cursor; id < this.jobs.length; id++) {
      if (this.opts.ready && !this.opts.ready(id)) break;
      if (!this.done[id] && Atomics.load(this.claims, id) === FREE) last = id;
    }
    return last;
  }

  /** Take in every answer that arrived, and hand out jobs, without waiting. */
  pump(): void {
    for (const l of this.live) {
      for (let m = receiveMessageOnPort(l.port); m; m = receiveMessageOnPort(l.port)) this.answer(l, m.message as Reply<R>);
    }
    this.feed();
  }

  /** Wait for the next answer or worker exit (then pump). */
  async wait(): Promise<void> {
    if (this.live.size === 0) return;
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.pump();
  }

  /** Stop every worker (jobs in hand are dropped). */
  close(): void {
    this.closed = true;
    for (const l of this.live) {
      l.port.close();
      void l.worker.terminate();
    }
    this.live.clear();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private start(): void {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(this.script, { workerData: { port: port2, claims: this.claims }, transferList: [port2] });
    const l: Live = { worker, port: port1, held: new Set(), answered: 0 };
    this.live.add(l);
    port1.on('message', (m: Reply<R>) => {
      this.answer(l, m);
      this.feed();
      this.signal();
    });
    let error: JobError | undefined;
    worker.on('error', (e) => (error ??= asJobError(e)));
    worker.on('exit', (code) => this.died(l, error ?? { name: 'Error', message: `the worker thread exited with code ${code}` }));
  }

  private answer(l: Live, m: Reply<R>): void {
    if ('note' in m) return this.opts.onNote?.(m.note);
    l.held.delete(m.id);
    l.answered++;
    if ('skipped' in m) return; // claimed here before the worker came to it
    this.done[m.id] = 1;
    this.opts.onResult(m.id, 'error' in m ? { ok: false, error: m.error } : { ok: true, value: m.value });
  }

  /** Hand each worker jobs up to DEPTH, in order; a worker starts only to be given one at once. */
  private feed(): void {
    if (this.closed) return;
    while (this.live.size < this.size && this.nextToSend() >= 0) this.start();
    for (const l of this.live) {
      while (l.held.size < DEPTH) {
        const id = this.nextToSend();
        if (id < 0) return;
        this.sent[id] = 1;
        l.held.add(id);
        l.port.postMessage({ id, job: this.jobs[id] });
      }
    }
  }

  private nextToSend(): number {
    while (this.cursor < this.jobs.length && (this.done[this.cursor] || this.sent[this.cursor] || Atomics.load(this.claims, this.cursor) !== FREE)) this.cursor++;
    const id = this.cursor;
    return id < this.jobs.length && (!this.opts.ready || this.opts.ready(id)) ? id : -1;
  }

  private died(l: Live, error: JobError): void {
    if (!this.live.delete(l)) return; // closed
    // Answers it sent before it died count.
    for (let m = receiveMessageOnPort(l.port); m; m = receiveMessageOnPort(l.port)) this.answer(l, m.message as Reply<R>);
    l.port.close();
    const held = [...l.held];
    let failed = held.filter((id) => Atomics.load(this.claims, id) === WORKER);
    // One that never answered (a script that does not load) uses up the first job it held;
    // jobs it held but did not start go to others.
    if (failed.length === 0 && l.answered === 0 && held.length > 0 && Atomics.compareExchange(this.claims, held[0]!, FREE, DEAD) === FREE) failed = [held[0]!];
    for (const id of held) {
      this.sent[id] = 0;
      if (id < this.cursor) this.cursor = id;
    }
    for (const id of failed) {
      this.done[id] = 1;
      this.opts.onResult(id, { ok: false, error });
    }
    this.feed();
    this.signal();
  }
}

/**
 * In a worker script: answer each job that this worker claims with `handle`'s result (moving
 * the buffers `transfer` names), or its error; a job claimed elsewhere first is skipped.
 */
export function serveClaims<J, R>(handle: (job: J, note: (n: unknown) => void) => R, transfer: (r: R) => ArrayBuffer[] = () => []): void {
  const { port, claims } = (workerData ?? {}) as { port?: MessagePort; claims?: Int32Array };
  if (!port || !claims) throw new Error('serveClaims runs in a worker thread of a ClaimPool');
  const note = (n: unknown) => port.postMessage({ note: n });
  port.on('message', (m: { id: number; job: J }) => {
    if (Atomics.compareExchange(claims, m.id, FREE, WORKER) !== FREE) return port.postMessage({ id: m.id, skipped: true });
    let value: R;
    try {
      value = handle(m.job, note);
    } catch (e) {
      return port.postMessage({ id: m.id, error: asJobError(e) });
    }
    port.postMessage({ id: m.id, value }, transfer(value));
  });
}
