import { Code, type FindingCode } from '../encoding/finding-codes.js';
// A pull reader over an async iterator of byte chunks, for the archive
// parsers: take views, read exact lengths, skip, and put bytes back. Also the
// Fault that ends reading with a finding, and a fast zero scan.

export const EMPTY: Buffer = Buffer.alloc(0);

/** A problem that ends reading: becomes a finding. */
export class Fault extends Error {
  constructor(
    readonly code: FindingCode,
    message: string,
    /** Whether the problem is at the current read position (not, say, a CRC over earlier data). */
    readonly here = true,
  ) {
    super(message);
  }
}

/** Pulls bytes from an async iterator of chunks; `offset` counts bytes handed out. */
export class Pull {
  offset = 0;
  private buf: Buffer = EMPTY;
  private ended = false;

  constructor(
    private readonly it: AsyncIterator<Uint8Array>,
    private readonly onChunk?: (n: number) => void,
    /** Whether this reads the caller's input, whose errors are `input-error`s. */
    private readonly isInput = false,
  ) {}

  /** The next bytes, at most `max` of them (a view, no copy); empty at the end. */
  async take(max: number): Promise<Buffer> {
    while (this.buf.length === 0) {
      if (this.ended) return EMPTY;
      let r: IteratorResult<Uint8Array>;
      try {
        r = await this.it.next();
      } catch (e) {
        if (!this.isInput || e instanceof Fault) throw e;
        throw new Fault(Code.InputError, `reading the input failed after ${this.offset} bytes: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (r.done) {
        this.ended = true;
        return EMPTY;
      }
      const v = r.value;
      this.buf = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      this.onChunk?.(this.buf.length);
    }
    const b = this.buf.length <= max ? this.buf : this.buf.subarray(0, max);
    this.buf = this.buf.subarray(b.length);
    this.offset += b.length;
    return b;
  }

  /** Exactly `n` bytes (copied only when they span chunks); fewer only at the end. */
  async read(n: number): Promise<Buffer> {
    const first = await this.take(n);
    if (first.length === n || first.length === 0) return first;
    const parts = [first];
    let got = first.length;
    while (got < n) {
      const b = await this.take(n - got);
      if (b.length === 0) break;
      parts.push(b);
      got += b.length;
    }
    return Buffer.concat(parts, got);
  }

  /** Skip `n` bytes, showing each piece to `see`; returns how many were there. */
  async skip(n: number, see?: (b: Buffer) => void): Promise<number> {
    let left = n;
    while (left > 0) {
      const b = await this.take(left);
      if (b.length === 0) break;
      see?.(b);
      left -= b.length;
    }
    return n - left;
  }

  /** Put back the bytes just taken. */
  unread(b: Buffer): void {
    this.buf = this.buf.length === 0 ? b : Buffer.concat([b, this.buf]);
    this.offset -= b.length;
  }

  /** Stop early: ends (destroys) the source. */
  async close(): Promise<void> {
    this.ended = true;
    this.buf = EMPTY;
    try {
      await this.it.return?.();
    } catch {
      // already failed; its error was reported
    }
  }
}

const ZEROS = Buffer.alloc(1 << 16);

/**
 * Index of the first non-zero byte of `b`, or -1. Compares 64 KiB at a time
 * with memcmp, so a gigabyte of zeros (a gzip bomb) is scanned at memory speed.
 */
export function firstNonZero(b: Uint8Array): number {
  for (let at = 0; at < b.length; at += ZEROS.length) {
    const n = Math.min(ZEROS.length, b.length - at);
    if (Buffer.compare(b.subarray(at, at + n), n === ZEROS.length ? ZEROS : ZEROS.subarray(0, n)) === 0) continue;
    for (let i = at; i < at + n; i++) if (b[i] !== 0) return i;
  }
  return -1;
}
