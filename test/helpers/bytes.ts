// TEST ONLY. A byte builder for hand-made TSDB files, written after Go's
// encoding.Encbuf and encoding/binary (LEB128 varints, zig-zag for signed
// ones). It uses BigInt for 64-bit values, a different route from the
// readers' float arithmetic, so round trips check one against the other.
// CRCs use the project's crc32c (checked on its own in crc32c.test.ts).

import { crc32c } from '../../src/encoding/crc32c.js';

const utf8 = new TextEncoder();

/** LEB128 bytes of an unsigned 64-bit value. */
export function uvarintBytes(v: bigint | number): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

/** Zig-zag then LEB128 bytes of a signed 64-bit value (Go's binary.PutVarint). */
export function varintBytes(v: bigint | number): number[] {
  const x = BigInt.asIntN(64, BigInt(v));
  const u = x < 0n ? ((-x) << 1n) - 1n : x << 1n;
  return uvarintBytes(u);
}

export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

/** Go's string order: byte-wise over UTF-8. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Hex string to bytes; whitespace and `# comments` (to the end of the line) are ignored. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/#.*$/gm, '').replace(/\s+/g, '');
  if (clean.length % 2) throw new Error(`odd hex length: ${s}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/** A growable byte buffer with Encbuf's put methods. */
export class ByteWriter {
  private out: number[] = [];

  get length(): number {
    return this.out.length;
  }

  byte(b: number): this {
    this.out.push(b & 0xff);
    return this;
  }

  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.out.push(bytes[i] & 0xff);
    return this;
  }

  be32(v: number): this {
    return this.raw([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
  }

  be64(v: bigint | number): this {
    const x = BigInt.asUintN(64, BigInt(v));
    this.be32(Number(x >> 32n));
    return this.be32(Number(x & 0xffffffffn));
  }

  uvarint(v: bigint | number): this {
    return this.raw(uvarintBytes(v));
  }

  varint(v: bigint | number): this {
    return this.raw(varintBytes(v));
  }

  /** uvarint length, then the UTF-8 bytes. */
  uvarintStr(s: string): this {
    const b = utf8Bytes(s);
    return this.uvarint(b.length).raw(b);
  }

  /** Zero bytes up to the next multiple of `align`; returns the padding's [start, end). */
  pad(align: number): [number, number] {
    const start = this.out.length;
    while (this.out.length % align) this.out.push(0);
    return [start, this.out.length];
  }

  /** Overwrite 4 bytes at `at` with a big-endian value. */
  putBe32At(at: number, v: number): void {
    this.out[at] = (v >>> 24) & 0xff;
    this.out[at + 1] = (v >>> 16) & 0xff;
    this.out[at + 2] = (v >>> 8) & 0xff;
    this.out[at + 3] = v & 0xff;
  }

  /** The bytes written, or those in [start, end) (a section's CRC need not copy the whole file). */
  bytes(start = 0, end = this.out.length): Uint8Array {
    return Uint8Array.from(start === 0 && end === this.out.length ? this.out : this.out.slice(start, end));
  }
}

/** A copy of `buf` with bit `bit` (0 = least significant) of byte `at` flipped. */
export function flipBit(buf: Uint8Array, at: number, bit: number): Uint8Array {
  const c = buf.slice();
  c[at] ^= 1 << bit;
  return c;
}

/** Read a big-endian 32-bit value (test-side, independent of src). */
export function readBe32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

export function writeBe32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** An index section: len <4b>, the content, CRC32C over the content <4b>. */
export function crcSection(content: Uint8Array | ByteWriter): Uint8Array {
  const c = content instanceof ByteWriter ? content.bytes() : content;
  return new ByteWriter().be32(c.length).raw(c).be32(crc32c(c)).bytes();
}

/** An index series entry: len <uvarint>, the content, CRC32C over the content <4b>. */
export function crcUvarintSection(content: Uint8Array | ByteWriter): Uint8Array {
  const c = content instanceof ByteWriter ? content.bytes() : content;
  return new ByteWriter().uvarint(c.length).raw(c).be32(crc32c(c)).bytes();
}

/** `before` filler bytes, then `bytes`. */
export function at(before: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(before + bytes.length).fill(0xee, 0, before);
  out.set(bytes, before);
  return out;
}
