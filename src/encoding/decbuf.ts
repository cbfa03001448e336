// A bounds-checked reader over a byte range with a sticky error, after
// Prometheus's tsdb/encoding Decbuf: once a read runs short, every later
// read returns 0 and `err` keeps the first failure, so a caller reads a
// group of fields and checks once.

import { crc32c } from './crc32c.js';
import { ErrorCode, TsdbError } from './errors.js';
import { readUvarint, uvarint64At, VARINT_CUT, zigzag, zigzag64, type Uint64Result, type VarintResult } from './varint.js';

// ignoreBOM: a leading U+FEFF is part of the string (Go keeps it); by default TextDecoder drops it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const TWO_POW_32 = 4294967296;

// be64Float64's alias of a float64 over its two 32-bit words (little-endian: low word first).
const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

export class Decbuf {
  buf: Uint8Array;
  /** Absolute offset of the next byte to read. */
  off: number;
  /** Absolute end (exclusive). */
  end: number;
  err: TsdbError | null = null;
  private readonly vr: VarintResult = { value: 0, next: 0 };
  private readonly v64: Uint64Result = { hi: 0, lo: 0, next: 0 };

  constructor(buf: Uint8Array, off = 0, end = buf.length) {
    this.buf = buf;
    this.off = 0;
    this.end = 0;
    this.reset(buf, off, end);
  }

  /** Read [off, end) of `buf` from now on, with no error: a walk reuses one Decbuf per entry. */
  reset(buf: Uint8Array, off: number, end = buf.length): this {
    this.buf = buf;
    this.off = off;
    this.end = Math.min(end, buf.length);
    this.err = null;
    if (off > this.end) this.fail(ErrorCode.ShortBuffer, `range starts at ${off} past the end ${this.end}`);
    return this;
  }

  /** Bytes left. */
  get len(): number {
    return this.end - this.off;
  }

  /** The sticky error (a method, so TypeScript does not narrow it across reads). */
  error(): TsdbError | null {
    return this.err;
  }

  fail(code: ErrorCode, message: string): void {
    if (!this.err) this.err = new TsdbError(code, message, { offset: this.off });
  }

  private need(n: number, what: string): boolean {
    if (this.err) return false;
    if (n > this.end - this.off) {
      this.fail(ErrorCode.ShortBuffer, `${what} at offset ${this.off} needs ${n} bytes, ${this.end - this.off} left`);
      return false;
    }
    return true;
  }

  byte(): number {
    if (!this.need(1, 'byte')) return 0;
    return this.buf[this.off++];
  }

  be32(): number {
    if (!this.need(4, 'be32')) return 0;
    const b = this.buf;
    const o = this.off;
    this.off += 4;
    return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  /** Big-endian 64-bit unsigned as a number; values above 2^53 are an error (offsets never are). */
  be64(): number {
    if (!this.need(8, 'be64')) return 0;
    const hi = this.be32();
    const lo = this.be32();
    if (hi > 0x1fffff) {
      this.off -= 8;
      this.fail(ErrorCode.Corrupt, `64-bit value at offset ${this.off} is larger than 2^53`);
      return 0;
    }
    return hi * 0x100000000 + lo;
  }

  /** Big-endian int64 (Go's Be64int64); beyond 2^53 rounded, with its sign. */
  be64int64(): number {
    const hi = this.be32() | 0;
    return hi * TWO_POW_32 + this.be32();
  }

  /** Big-endian float64 (Go's Be64Float64). */
  be64Float64(): number {
    this.be64Float64Into(f64Words, 0);
    return f64[0]!;
  }

  /**
   * A big-endian float64's bits into words[2i] (low) and words[2i + 1] (high), the
   * words of a Float64Array aliased by `words`: NaN payloads (stale markers) survive.
   */
  be64Float64Into(words: Uint32Array, i: number): void {
    words[2 * i + 1] = this.be32();
    words[2 * i] = this.be32();
  }

  /** Go's Varint64: a zig-zag varint over the full int64 range; beyond 2^53 rounded, with its sign. */
  varint64(): number {
    if (this.err) return 0;
    const next = uvarint64At(this.buf, this.off, this.end, this.v64);
    if (next < 0) {
      if (next === VARINT_CUT) this.fail(ErrorCode.ShortBuffer, `varint at offset ${this.off} runs past the end of the record`);
      else this.fail(ErrorCode.BadVarint, `varint at offset ${this.off} overflows 64 bits`);
      return 0;
    }
    this.off = next;
    return zigzag64(this.v64.hi, this.v64.lo);
  }

  uvarint(): number {
    if (this.err) return 0;
    try {
      readUvarint(this.buf, this.off, this.end, this.vr);
    } catch (e) {
      this.err = e as TsdbError;
      return 0;
    }
    this.off = this.vr.next;
    return this.vr.value;
  }

  /** A uvarint that must fit in 32 bits (symbol refs, lengths). */
  uvarint32(): number {
    const start = this.off;
    const v = this.uvarint();
    if (v > 0xffffffff) {
      this.off = start;
      this.fail(ErrorCode.Corrupt, `uvarint at offset ${start} is larger than 32 bits`);
      return 0;
    }
    return v;
  }

  varint(): number {
    const low = this.off < this.end ? this.buf[this.off] & 1 : 0;
    const u = this.uvarint();
    return this.err ? 0 : zigzag(u, low);
  }

  skip(n: number): void {
    if (this.need(n, 'skip')) this.off += n;
  }

  /** A view of the next n bytes (no copy). */
  bytes(n: number): Uint8Array {
    if (!this.need(n, 'bytes')) return this.buf.subarray(0, 0);
    const v = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }

  /** A uvarint length followed by that many bytes, as a UTF-8 string. */
  uvarintStr(): string {
    const n = this.uvarint();
    if (this.err) return '';
    return decodeUtf8(this.bytes(n));
  }
}

/** Decode UTF-8; ASCII fast path because label names and most values are ASCII. */
export function decodeUtf8(b: Uint8Array): string {
  return decodeUtf8At(b, 0, b.length);
}

/** decodeUtf8 of buf[start, end), with no view made for a short ASCII string (most symbols). */
export function decodeUtf8At(buf: Uint8Array, start: number, end: number): string {
  if (end - start < 32) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c >= 0x80) return utf8.decode(buf.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(buf.subarray(start, end));
}

export function be32At(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/**
 * Open a section that starts with a 4-byte big-endian length, followed by
 * that many bytes and a CRC32C over them (index symbol table, label
 * indices, postings, offset tables: Go's NewDecbufAt). Returns a Decbuf
 * over the content; its `err` is set when the section is short or the CRC
 * does not match. `crc` is false to skip the check.
 */
export function decbufAt(buf: Uint8Array, off: number, what: string, crc = true): Decbuf {
  if (off < 0 || off + 4 > buf.length) {
    const d = new Decbuf(buf, buf.length, buf.length);
    d.err = sectionError(buf, off, what, crc);
    return d;
  }
  const l = be32At(buf, off);
  return checkedSection(buf, off, off + 4, l, what, crc);
}

/** Read by decbufUvarintAt only, synchronously: no object per call. */
const lengthVr: VarintResult = { value: 0, next: 0 };

/**
 * As decbufAt, with a uvarint length (index series entries: Go's NewDecbufUvarintAt).
 * `into` is reset and returned instead of a new Decbuf (a walk over every entry reuses one).
 */
export function decbufUvarintAt(buf: Uint8Array, off: number, what: string, crc = true, into?: Decbuf): Decbuf {
  try {
    readUvarint(buf, off, buf.length, lengthVr);
  } catch (e) {
    const d = into ? into.reset(buf, buf.length, buf.length) : new Decbuf(buf, buf.length, buf.length);
    const te = e as TsdbError;
    d.err = new TsdbError(te.code, `${what} at offset ${off}: bad length: ${te.message}`, { offset: clampOffset(off, buf) });
    return d;
  }
  return checkedSection(buf, off, lengthVr.next, lengthVr.value, what, crc, into);
}

/**
 * What is wrong with decbufAt's section at `off` (its length field or content past the end
 * of the file, or a CRC mismatch), or null: the same checks, with no Decbuf made.
 */
export function sectionError(buf: Uint8Array, off: number, what: string, crc = true): TsdbError | null {
  if (off < 0 || off + 4 > buf.length) {
    return new TsdbError(ErrorCode.ShortBuffer, `${what} at offset ${off}: length field past the end of the file (${buf.length} bytes)`, { offset: clampOffset(off, buf) });
  }
  return contentError(buf, off, off + 4, be32At(buf, off), what, crc);
}

/** A Decbuf (`into`, reset, or a new one) over the section's content, with its error if any. */
function checkedSection(buf: Uint8Array, off: number, start: number, l: number, what: string, crc: boolean, into?: Decbuf): Decbuf {
  const err = contentError(buf, off, start, l, what, crc);
  // A short section gets an empty range. One with a bad CRC keeps its content's range
  // (d.off and d.end say where it is), but its sticky error makes every read return 0.
  const short = err !== null && err.code === ErrorCode.ShortBuffer;
  const from = short ? buf.length : start;
  const to = short ? buf.length : start + l;
  const d = into ? into.reset(buf, from, to) : new Decbuf(buf, from, to);
  d.err = err;
  return d;
}

/** The content [start, start + l) of the section at `off` and its CRC after it: past the end, or a CRC mismatch. */
function contentError(buf: Uint8Array, off: number, start: number, l: number, what: string, crc: boolean): TsdbError | null {
  if (start + l + 4 > buf.length) {
    return new TsdbError(ErrorCode.ShortBuffer, `${what} at offset ${off}: length ${l} runs past the end of the file (${buf.length} bytes)`, { offset: clampOffset(off, buf) });
  }
  if (!crc) return null;
  const want = be32At(buf, start + l);
  const got = crc32c(buf, start, start + l);
  if (want === got) return null;
  return new TsdbError(ErrorCode.BadChecksum, `${what} at offset ${off}: CRC32C mismatch (stored ${hex32(want)}, computed ${hex32(got)})`, { offset: off });
}

/**
 * A pointer that leads past the end is reported at the last byte of the file:
 * findings always point inside the file; the message keeps the pointer.
 */
export function clampOffset(off: number, buf: Uint8Array): number {
  return Math.max(0, Math.min(off, buf.length - 1));
}

export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}
