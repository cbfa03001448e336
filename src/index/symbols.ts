// The symbol table: every label name and value, sorted and deduplicated.
// Format v2+ refers to a symbol by its sequence number; format v1 by its
// byte offset in the file. See tsdb/docs/format/index.md, "Symbol Table".

import { compareBytesAt } from '../encoding/compare.js';
import { decbufAt, decodeUtf8At, type Decbuf } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { readUvarint, type VarintResult } from '../encoding/varint.js';

export interface Symbols {
  /** All symbols in table order. */
  strings: string[];
  /** Byte offset (in the file) of each symbol's length prefix; v1 refs are these. */
  offsets: Float64Array;
  /** Offset of the section's length field. */
  sectionOffset: number;
}

/**
 * The symbol table opened as Prometheus opens it: the CRC is checked and
 * every length prefix walked, but a string is decoded only when first asked
 * for (a query needs few of them).
 */
export class SymbolTable {
  /** Byte offset (in the file) of each symbol's length prefix; v1 refs are these. */
  readonly offsets: Float64Array;
  /** Offset of the section's length field. */
  readonly sectionOffset: number;
  private readonly buf: Uint8Array;
  private readonly strings: (string | undefined)[];
  private readonly vr: VarintResult = { value: 0, next: 0 };

  constructor(buf: Uint8Array, off: number) {
    const d = decbufAt(buf, off, 'index symbol table');
    if (d.err) throw d.err;
    const count = d.be32();
    // Each symbol takes at least one byte, so a count beyond the bytes present is corrupt.
    if (count > d.len) {
      throw new TsdbError(ErrorCode.Corrupt, `index symbol table at offset ${off}: #symbols ${count} exceeds the ${d.len} bytes present`, { offset: off });
    }
    const offsets = new Float64Array(count);
    // Nearly every symbol is shorter than 128 bytes (a one-byte length): those are walked
    // here; from the first that is not, the Decbuf walk below takes over, errors and all.
    const first = walkShort(buf, d, offsets, count);
    for (let i = first; i < count; i++) {
      offsets[i] = d.off;
      d.skip(d.uvarint());
      const e = d.error();
      if (e) {
        throw new TsdbError(e.code, `index symbol table: symbol ${i} of ${count}: ${e.message}`, { offset: e.context.offset ?? off }, { cause: e });
      }
    }
    this.buf = buf;
    this.offsets = offsets;
    this.sectionOffset = off;
    this.strings = new Array(count);
  }

  get count(): number {
    return this.offsets.length;
  }

  /** Symbol i in table order (i < count). */
  at(i: number): string {
    let s = this.strings[i];
    if (s === undefined) {
      const o = this.offsets[i];
      // In bounds: the walk at open checked every length.
      readUvarint(this.buf, o, this.buf.length, this.vr);
      s = decodeUtf8At(this.buf, this.vr.next, this.vr.next + this.vr.value);
      this.strings[i] = s;
    }
    return s;
  }

  /** The place in the table of a symbol reference as the given index format version defines it, or -1. */
  placeOf(ref: number, version: number): number {
    return version === 1 ? indexOfOffset(this.offsets, ref) : ref < this.offsets.length ? ref : -1;
  }

  /** Resolve a symbol reference as the given index format version defines it. */
  lookup(ref: number, version: number): string | undefined {
    const i = this.placeOf(ref, version);
    return i < 0 ? undefined : this.at(i);
  }

  /** Go's order of symbols i and j (places < count): their bytes, not their decoded strings. */
  compare(i: number, j: number): number {
    if (i === j) return 0;
    readUvarint(this.buf, this.offsets[i], this.buf.length, this.vr);
    const a = this.vr.next;
    const aEnd = a + this.vr.value;
    readUvarint(this.buf, this.offsets[j], this.buf.length, this.vr);
    return compareBytesAt(this.buf, a, aEnd, this.vr.next, this.vr.next + this.vr.value);
  }

  /** Every symbol, decoded. */
  all(): Symbols {
    const strings = new Array<string>(this.count);
    for (let i = 0; i < strings.length; i++) strings[i] = this.at(i);
    return { strings, offsets: this.offsets, sectionOffset: this.sectionOffset };
  }
}

/** Index of `ref` in the ascending offsets, or -1. */
function indexOfOffset(offsets: Float64Array, ref: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const o = offsets[mid];
    if (o === ref) return mid;
    if (o < ref) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Symbols with a one-byte length from d.off on (at most `count`), their offsets into
 * `offsets`; returns how many, with d.off at the first symbol it did not walk.
 */
function walkShort(buf: Uint8Array, d: Decbuf, offsets: Float64Array, count: number): number {
  let p = d.off;
  const end = d.end;
  let i = 0;
  for (; i < count && p < end; i++) {
    const n = buf[p]!;
    if (n >= 0x80 || p + 1 + n > end) break;
    offsets[i] = p;
    p += 1 + n;
  }
  d.off = p;
  return i;
}
