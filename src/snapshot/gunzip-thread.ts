// gunzip() (gzip.ts) in a worker thread, for an archive that is a file: the
// same bytes, findings and faults, but decompression no longer waits for the
// main thread between zlib steps (see gunzip-worker.ts). Worth its start-up
// cost (a few tens of ms) only for large files.

import { Worker } from 'node:worker_threads';
import type { Finding } from '../encoding/errors.js';
import type { GunzipMessage, GunzipWorkerData } from './gunzip-worker.js';
import { Fault } from './pull.js';
import { workerScript } from './worker-script.js';

const BATCH = 1 << 20;
const AHEAD = 8 << 20;

/** Decompressed bytes of every gzip member of `file`, decompressed in a worker thread. */
export async function* gunzipThread(file: string, report: (f: Finding) => void, onProgress?: (bytesIn: number) => void): AsyncGenerator<Buffer> {
  const data: GunzipWorkerData = { file, batch: BATCH, ahead: AHEAD };
  const worker = new Worker(workerScript(import.meta.url, 'gunzip-worker.js'), { workerData: data });
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  worker.on('message', (m: GunzipMessage) => {
    switch (m.type) {
      case 'data':
        queue.push(Buffer.from(m.buf, 0, m.len));
        break;
      case 'progress':
        onProgress?.(m.bytesIn);
        return;
      case 'finding':
        report(m.finding);
        return;
      case 'fault':
        failure ??= new Fault(m.code, m.message, m.here);
        break;
      case 'failed':
        failure ??= new Error(`decompressing in a worker thread: ${m.message}`);
        break;
      case 'end':
        ended = true;
        break;
    }
    notify();
  });
  worker.on('error', (e) => {
    failure ??= new Error(`the decompression worker failed: ${e.message}`);
    notify();
  });
  worker.on('exit', (code) => {
    if (!ended) failure ??= new Error(`the decompression worker stopped (exit code ${code}) before the end of the input`);
    notify();
  });
  try {
    for (;;) {
      const b = queue.shift();
      if (b) {
        worker.postMessage({ ack: b.length });
        yield b;
        continue;
      }
      // Data posted before a fault or the end arrives first, so the queue is empty here.
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    await worker.terminate();
  }
}
