// gunzip() (gzip.ts) in a worker thread, for an archive that is a file: the
// same bytes, findings and faults, but decompression no longer waits for the
// main thread between zlib steps (see gunzip-worker.ts). Worth its start-up
// cost (a few tens of ms) only for large files.
//
// The worker may be started early (startGunzipEarly), before the rest of the
// command has loaded: it boots and decompresses its first AHEAD bytes while
// this thread is still loading modules, which otherwise it waits for.

import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Finding } from '../encoding/errors.js';
import type { GunzipMessage, GunzipWorkerData } from './gunzip-worker.js';
import { isGzipMagic } from './gzip.js';
import { Fault } from './pull.js';
import { workerScript } from '../threads/worker-script.js';

const BATCH = 1 << 20;
const AHEAD = 8 << 20;

/**
 * A gzip file at least this large is decompressed in a worker thread (when its path is
 * known). Below it the thread saves little, and its fixed cost in memory (a second
 * isolate and its buffers, 40-90 MB at peak) is not worth paying.
 */
export const THREAD_ABOVE = 16 << 20;

/** One worker decompressing one file, and what it has sent that nobody has taken yet. */
class GunzipRun {
  readonly worker: Worker;
  private readonly queue: Buffer[] = [];
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** Until `attach`: the findings and the last progress sent. */
  private report: ((f: Finding) => void) | undefined;
  private progress: ((bytesIn: number) => void) | undefined;
  private held: Finding[] = [];
  private bytesIn = -1;

  constructor(file: string) {
    const data: GunzipWorkerData = { file, batch: BATCH, ahead: AHEAD };
    this.worker = new Worker(workerScript(import.meta.url, 'gunzip-worker.js'), { workerData: data });
    this.worker.on('message', (m: GunzipMessage) => this.take(m));
    this.worker.on('error', (e) => {
      this.failure ??= new Error(`the decompression worker failed: ${e.message}`);
      this.notify();
    });
    this.worker.on('exit', (code) => {
      if (!this.ended) this.failure ??= new Error(`the decompression worker stopped (exit code ${code}) before the end of the input`);
      this.notify();
    });
  }

  /** From now on, findings go to `report` and progress to `onProgress` (what came before first). */
  attach(report: (f: Finding) => void, onProgress?: (bytesIn: number) => void): void {
    this.report = report;
    this.progress = onProgress;
    for (const f of this.held) report(f);
    this.held = [];
    if (this.bytesIn >= 0) onProgress?.(this.bytesIn);
  }

  /** The decompressed bytes, in order; the worker is stopped at the end, or when the reader stops. */
  async *read(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        const b = this.queue.shift();
        if (b) {
          this.worker.postMessage({ ack: b.length });
          yield b;
          continue;
        }
        // Data posted before a fault or the end arrives first, so the queue is empty here.
        if (this.failure) throw this.failure;
        if (this.ended) return;
        await new Promise<void>((r) => (this.wake = r));
      }
    } finally {
      await this.worker.terminate();
    }
  }

  private take(m: GunzipMessage): void {
    switch (m.type) {
      case 'data':
        this.queue.push(Buffer.from(m.buf, 0, m.len));
        break;
      case 'progress':
        if (this.progress) this.progress(m.bytesIn);
        else this.bytesIn = m.bytesIn;
        return;
      case 'finding':
        if (this.report) this.report(m.finding);
        else this.held.push(m.finding);
        return;
      case 'fault':
        this.failure ??= new Fault(m.code, m.message, m.here);
        break;
      case 'failed':
        this.failure ??= new Error(`decompressing in a worker thread: ${m.message}`);
        break;
      case 'end':
        this.ended = true;
        break;
    }
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

/** Runs started early, by path, until gunzipThread takes them. */
const early = new Map<string, GunzipRun>();

/**
 * Start decompressing `file` in a worker thread now, for the gunzipThread(file) to come, if
 * it is a gzip file of at least THREAD_ABOVE bytes (the ones that get a thread). A run that is
 * never taken does not keep the process alive. Returns whether one was started.
 */
export function startGunzipEarly(file: string): boolean {
  if (early.has(file)) return true;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const st = fs.fstatSync(fd);
      const magic = Buffer.alloc(2);
      if (!st.isFile() || st.size < THREAD_ABOVE || fs.readSync(fd, magic, 0, 2, 0) < 2 || !isGzipMagic(magic)) return false;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false; // the command itself will say what is wrong with the input
  }
  const run = new GunzipRun(file);
  run.worker.unref();
  early.set(file, run);
  return true;
}

/** Decompressed bytes of every gzip member of `file`, decompressed in a worker thread. */
export async function* gunzipThread(file: string, report: (f: Finding) => void, onProgress?: (bytesIn: number) => void): AsyncGenerator<Buffer> {
  let run = early.get(file);
  early.delete(file);
  if (run) run.worker.ref();
  else run = new GunzipRun(file);
  run.attach(report, onProgress);
  yield* run.read();
}
