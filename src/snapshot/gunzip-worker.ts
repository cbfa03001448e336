// The worker side of gunzip-thread.ts: reads the archive file and runs
// gunzip() (gzip.ts) in its own thread, posting the decompressed bytes back
// in batches. Its event loop has nothing else to do, so zlib is fed again
// the moment it finishes a step, instead of when the main thread, busy
// checking blocks, next gets round to it.

import * as fs from 'node:fs';
import type { FindingCode } from '../encoding/finding-codes.js';
import { parentPort, workerData } from 'node:worker_threads';
import type { Finding } from '../encoding/errors.js';
import { gunzip } from './gzip.js';
import { Fault, Pull } from './pull.js';

export interface GunzipWorkerData {
  file: string;
  /** Bytes per posted batch. */
  batch: number;
  /** Decompressed bytes that may wait, posted but not yet taken, before the worker pauses. */
  ahead: number;
}

/** Messages to the main thread. */
export type GunzipMessage =
  | { type: 'data'; buf: ArrayBuffer; len: number }
  | { type: 'progress'; bytesIn: number }
  | { type: 'finding'; finding: Finding }
  | { type: 'fault'; code: FindingCode; message: string; here: boolean }
  | { type: 'failed'; message: string }
  | { type: 'end' };

const port = parentPort!;
const { file, batch, ahead } = workerData as GunzipWorkerData;
const post = (m: GunzipMessage, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

let unacked = 0;
let wake: (() => void) | undefined;
port.on('message', (m: { ack: number }) => {
  unacked -= m.ack;
  const w = wake;
  wake = undefined;
  w?.();
});

let out = new Uint8Array(batch);
let filled = 0;

/** Hand `len` bytes of `buf` over (it is detached here), then wait while too much is waiting there. */
async function send(buf: ArrayBuffer, len: number): Promise<void> {
  post({ type: 'data', buf, len }, [buf]);
  unacked += len;
  while (unacked > ahead) await new Promise<void>((r) => (wake = r));
}

async function flush(): Promise<void> {
  if (filled === 0) return;
  const buf = out.buffer as ArrayBuffer;
  out = new Uint8Array(batch);
  const len = filled;
  filled = 0;
  await send(buf, len);
}

/**
 * Whether a piece is a whole ArrayBuffer of its own that nothing else will touch: zlib
 * moves on to a fresh output buffer once one is full, so a full one can be handed over
 * as it is, with no copy and no garbage left behind in this thread.
 */
function ownsItsBuffer(piece: Buffer): boolean {
  return piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength && piece.byteLength >= 1 << 16 && piece.buffer instanceof ArrayBuffer;
}

async function run(): Promise<void> {
  let bytesIn = 0;
  const input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const raw = new Pull(
    input[Symbol.asyncIterator](),
    (n) => post({ type: 'progress', bytesIn: (bytesIn += n) }),
    true,
  );
  try {
    for await (const piece of gunzip(raw, (finding) => post({ type: 'finding', finding }))) {
      if (ownsItsBuffer(piece)) {
        await flush(); // what came before goes first
        await send(piece.buffer as ArrayBuffer, piece.byteLength);
        continue;
      }
      for (let at = 0; at < piece.length; ) {
        const n = Math.min(piece.length - at, batch - filled);
        out.set(piece.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === batch) await flush();
      }
    }
    await flush();
    post({ type: 'end' });
  } catch (e) {
    await flush();
    if (e instanceof Fault) post({ type: 'fault', code: e.code, message: e.message, here: e.here });
    else post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
  } finally {
    await raw.close();
  }
}

void run();
