// Text output built as bytes: lines are written straight into a buffer
// (label prefixes encoded once, numbers digit by digit) that goes out about
// 1 MiB at a time, honouring backpressure.

import type { Writable } from 'node:stream';

/** Bytes a flush waits for. */
export const FLUSH_AT = 1 << 20;

export class ByteWriter {
  buf: Buffer;
  /** Bytes written to `buf` so far. */
  pos = 0;

  constructor(
    private readonly out: Writable,
    /** Buffered bytes at which the writer is full. */
    readonly flushAt = FLUSH_AT,
  ) {
    this.buf = Buffer.allocUnsafeSlow(flushAt + 4096);
  }

  /** Whether enough is buffered to flush. */
  get full(): boolean {
    return this.pos >= this.flushAt;
  }

  /** Make room for `n` more bytes: a line longer than the slack grows the buffer. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const b = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A string as UTF-8. */
  text(s: string): void {
    this.reserve(Buffer.byteLength(s, 'utf8'));
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /**
   * Hand what is buffered to the stream, in a buffer of its own (the stream
   * may keep it), and wait for 'drain' when the stream asks to.
   */
  async flush(): Promise<void> {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafeSlow(this.flushAt + 4096);
    this.pos = 0;
    return writeDrained(this.out, chunk);
  }
}

/**
 * Write `chunk` to `out`; when the stream asks to wait, resolve at its 'drain' (reject at its
 * 'error'). Both listeners go when either fires: one left behind per drain adds up
 * (MaxListenersExceededWarning).
 */
export function writeDrained(out: Writable, chunk: string | Uint8Array): void | Promise<void> {
  if (out.write(chunk)) return;
  return new Promise<void>((resolve, reject) => {
    const done = (e?: Error) => {
      out.off('drain', done);
      out.off('error', done);
      if (e) reject(e);
      else resolve();
    };
    out.on('drain', done);
    out.on('error', done);
  });
}
