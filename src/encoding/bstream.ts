// A bit reader over a Uint8Array, in the manner of Prometheus's
// tsdb/chunkenc/bstream.go `bstreamReader`: a register of buffered bits plus
// a count of valid bits, refilled several bytes at a time. Bits are read
// most-significant first, as the chunk encoders write them.
//
// JS bit operators work on 32 bits, so the register is 32 bits wide and
// 64-bit fields are read as two 32-bit halves; no BigInt anywhere.
// Reading past the end throws TsdbError(ShortBuffer) with the bit offset.

import { ErrorCode, TsdbError } from './errors.js';
import { uvarint64At, zigzag64, type Uint64Result } from './varint.js';

const TWO_POW_32 = 4294967296;

export class BitReader {
  /** The bytes being read. */
  readonly bytes: Uint8Array;
  /** Index of the next byte to load into the register. */
  pos: number;
  /** Buffered bits, right-aligned; only the low `valid` bits are unread. */
  buf = 0;
  /** Number of unread bits in `buf` (0..32). */
  valid = 0;
  /** Where reading started, for error offsets. */
  readonly start: number;
  /** One past the last readable byte. */
  readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    // Clamped, so no load ever indexes past the array (which would read undefined as 0).
    this.end = Math.max(0, Math.min(end, bytes.length));
    this.start = Math.max(0, Math.min(start, this.end));
    this.pos = this.start;
  }

  /** Bits consumed since `start`. */
  bitOffset(): number {
    return (this.pos - this.start) * 8 - this.valid;
  }

  /** Unread bits left in the stream (buffered plus not yet loaded). */
  bitsLeft(): number {
    return (this.end - this.pos) * 8 + this.valid;
  }

  /**
   * Loads up to 4 more bytes into the register; the register must be empty.
   * Throws ShortBuffer when no byte is left, so no caller can loop forever.
   */
  refill(): void {
    const b = this.bytes;
    const p = this.pos;
    const left = this.end - p;
    if (left >= 4) {
      this.buf = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
      this.pos = p + 4;
      this.valid = 32;
      return;
    }
    if (left <= 0) throw this.shortError(1);
    // Fewer than 4 bytes left: the slow tail, taken at most once per stream.
    let v = 0;
    for (let i = 0; i < left; i++) v = (v << 8) | b[p + i]!;
    this.buf = v >>> 0;
    this.pos = p + left;
    this.valid = left * 8;
  }

  /** Reads one bit (0 or 1). */
  readBit(): number {
    if (this.valid === 0) this.refill();
    return (this.buf >>> --this.valid) & 1;
  }

  /** Reads `n` bits (1 ≤ n ≤ 32) as an unsigned number. */
  readBits(n: number): number {
    const valid = this.valid;
    if (n <= valid) {
      const rest = valid - n;
      this.valid = rest;
      // n = 32 only when rest = 0; `>>> 0` keeps the result unsigned.
      return n === 32 ? this.buf >>> 0 : (this.buf >>> rest) & ((1 << n) - 1);
    }
    return this.readBitsSlow(n);
  }

  /** The value spans a refill: take what is buffered, then the rest. */
  private readBitsSlow(n: number): number {
    if (n > 32 || n < 1) {
      throw new TsdbError(ErrorCode.Corrupt, `bstream: cannot read ${n} bits at once`);
    }
    const have = this.valid;
    const high = have === 0 ? 0 : this.buf & ((1 << have) - 1);
    const need = n - have;
    if (this.bitsLeft() < n) throw this.shortError(n);
    this.valid = 0;
    this.refill();
    // After refill valid ≥ need, because bitsLeft() ≥ n and need ≤ 32.
    const rest = this.valid - need;
    this.valid = rest;
    const low = need === 32 ? this.buf >>> 0 : (this.buf >>> rest) & ((1 << need) - 1);
    // high has `have` bits; shifting by `need` keeps the total at n ≤ 32 bits.
    return have === 0 ? low : ((high << need) | low) >>> 0;
  }

  /**
   * Reads 64 bits into dst[index] (low half) and dst[index + 1] (high half):
   * the word order of a float64 in a little-endian Uint32Array alias.
   */
  readBits64Into(dst: Uint32Array, index: number): void {
    const hi = this.readBits(32);
    dst[index] = this.readBits(32);
    dst[index + 1] = hi;
  }

  /** Reads 8 bits at any bit alignment (Go's io.ByteReader on a bstreamReader). */
  readByte(): number {
    return this.readBits(8);
  }

  /**
   * Go's binary.ReadUvarint over the bit stream. Values above 2^53 - 1 are
   * valid uint64 but not exact in a JS number, so they are refused.
   */
  readUvarint(): number {
    const { hi, lo } = readVarint64(this, varint64);
    if (hi >= 0x200000) throw this.tooBig('uvarint', hi, lo);
    return hi * TWO_POW_32 + lo;
  }

  /** Go's binary.ReadVarint (zig-zag) over the bit stream, as an exact JS number. */
  readVarint(): number {
    const { hi, lo } = readVarint64(this, varint64);
    const v = zigzag64(hi, lo);
    // Beyond ±(2^53 - 1) the value was rounded: refused.
    if (!Number.isSafeInteger(v)) throw this.tooBig('varint', hi, lo);
    return v;
  }

  shortError(wanted: number): TsdbError {
    const at = this.bitOffset();
    return new TsdbError(
      ErrorCode.ShortBuffer,
      `bstream: need ${wanted} bit(s) at bit ${at} (byte ${this.start + (at >>> 3)}), ` +
        `only ${this.bitsLeft()} left of ${(this.end - this.start) * 8}`,
      { offset: this.start + Math.floor(at / 8) },
    );
  }

  private tooBig(what: string, hi: number, lo: number): TsdbError {
    const hex = hi.toString(16) + lo.toString(16).padStart(8, '0');
    return new TsdbError(
      ErrorCode.Unsupported,
      `bstream: ${what} 0x${hex} at bit ${this.bitOffset()} exceeds 2^53 and cannot be held exactly`,
    );
  }
}

// readVarint64's bytes and their value: one reader runs at a time, so no object per varint.
const varintBytes = new Uint8Array(10);
const varint64: Uint64Result = { hi: 0, lo: 0, next: 0 };

/** Reads a Go uvarint (1..10 bytes) through the bit stream, as halves into `out`. */
function readVarint64(br: BitReader, out: Uint64Result): Uint64Result {
  const at = br.bitOffset();
  let n = 0;
  // The bytes are not byte-aligned in the stream: gather them, then decode in one place.
  while (n < 10) {
    const b = br.readByte();
    varintBytes[n++] = b;
    if (b < 0x80) break;
  }
  if (uvarint64At(varintBytes, 0, n, out) < 0) throw new TsdbError(ErrorCode.BadVarint, `bstream: varint at bit ${at} overflows 64 bits`);
  return out;
}
