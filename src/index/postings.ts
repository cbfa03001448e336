// Postings lists (sorted series refs per label pair) and the postings
// offset table that locates them, plus the sorted-list set operations
// that selectors are built from. See tsdb/docs/format/index.md,
// "Postings" and "Postings Offset Table".

import { compareBytesAt } from '../encoding/compare.js';
import { be32At, decbufAt, decodeUtf8At, sectionError } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { readUvarint, uvarintAt, type VarintResult } from '../encoding/varint.js';

export interface PostingsTableEntry {
  name: string;
  value: string;
  /** Offset of the postings list's length field. */
  offset: number;
  /** Offset of this entry inside the postings offset table. */
  entryOffset: number;
}

/**
 * The postings offset table opened as Prometheus opens it: the CRC is
 * checked and every entry walked at open, label names decoded (there are
 * few), values only when the postings of their name are asked for.
 */
export class PostingsOffsetTable {
  /** File offset of each entry. */
  private readonly entryAt: Float64Array;
  /** File offset of each entry's value (its length prefix). */
  private readonly valueAt: Float64Array;
  /** The postings list offset of each entry. */
  readonly listAt: Float64Array;
  /** Each entry's label name. */
  private readonly nameOf: string[];
  /** Entries by label name, in table order. */
  private readonly byName = new Map<string, number[]>();
  private readonly buf: Uint8Array;
  private readonly vr: VarintResult = { value: 0, next: 0 };

  constructor(buf: Uint8Array, off: number) {
    const d = decbufAt(buf, off, 'index postings offset table');
    if (d.err) throw d.err;
    const count = d.be32();
    // An entry is at least 4 bytes (n, two empty strings, offset).
    if (count * 4 > d.len) {
      throw new TsdbError(ErrorCode.Corrupt, `index postings offset table at offset ${off}: #entries ${count} exceeds the ${d.len} bytes present`, { offset: off });
    }
    this.buf = buf;
    this.entryAt = new Float64Array(count);
    this.valueAt = new Float64Array(count);
    this.listAt = new Float64Array(count);
    this.nameOf = new Array(count);
    // The list offset of each short entry (shortEntry), read synchronously.
    const short: VarintResult = { value: 0, next: 0 };
    let prevStart = 0;
    let prevLen = -1;
    let name = '';
    for (let i = 0; i < count; i++) {
      const entryOffset = d.off;
      let nameStart: number;
      let nameLen: number;
      let valueAt: number;
      let offset: number;
      // Most entries are short (two parts, a name and a value under 128 bytes each) and are
      // read here; any other goes the Decbuf way, errors and all.
      const q = shortEntry(buf, entryOffset, d.end, short);
      if (q > 0) {
        nameLen = buf[entryOffset + 1]!;
        nameStart = entryOffset + 2;
        valueAt = nameStart + nameLen;
        offset = short.value;
        d.off = q;
      } else {
        const n = d.uvarint();
        if (!d.err && n !== 2) {
          throw new TsdbError(ErrorCode.Corrupt, `index postings offset table entry ${i} at offset ${entryOffset}: key has ${n} parts, want 2`, { offset: entryOffset });
        }
        nameLen = d.uvarint();
        nameStart = d.off;
        d.skip(nameLen);
        valueAt = d.off;
        d.skip(d.uvarint());
        offset = d.uvarint();
        const e = d.error();
        if (e) {
          throw new TsdbError(e.code, `index postings offset table entry ${i}: ${e.message}`, { offset: e.context.offset ?? entryOffset }, { cause: e });
        }
      }
      // Entries of one name follow each other: decode a name only when it changes.
      if (!sameBytes(buf, prevStart, prevLen, nameStart, nameLen)) {
        name = decodeUtf8At(buf, nameStart, nameStart + nameLen);
        prevStart = nameStart;
        prevLen = nameLen;
      }
      this.entryAt[i] = entryOffset;
      this.valueAt[i] = valueAt;
      this.listAt[i] = offset;
      this.nameOf[i] = name;
      const list = this.byName.get(name);
      if (list) list.push(i);
      else this.byName.set(name, [i]);
    }
  }

  get count(): number {
    return this.entryAt.length;
  }

  /** Label names as the table holds them (the all-postings key "" among them). */
  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  /** Entry numbers of a label name, in table order; undefined when absent. */
  entriesOf(name: string): readonly number[] | undefined {
    return this.byName.get(name);
  }

  /** The label value of entry i. */
  value(i: number): string {
    // In bounds: the walk at open checked every length.
    readUvarint(this.buf, this.valueAt[i], this.buf.length, this.vr);
    return decodeUtf8At(this.buf, this.vr.next, this.vr.next + this.vr.value);
  }

  /** Go's order of the keys of entries i and j: name, then value, by their bytes. */
  compareKeys(i: number, j: number): number {
    const b = this.buf;
    readUvarint(b, this.entryAt[i], b.length, this.vr); // the key's part count
    readUvarint(b, this.vr.next, b.length, this.vr);
    const a = this.vr.next;
    const aEnd = a + this.vr.value;
    readUvarint(b, this.entryAt[j], b.length, this.vr);
    readUvarint(b, this.vr.next, b.length, this.vr);
    return compareBytesAt(b, a, aEnd, this.vr.next, this.vr.next + this.vr.value) || this.compareValues(i, j);
  }

  /** Go's order of the values of entries i and j, by their bytes. */
  compareValues(i: number, j: number): number {
    const b = this.buf;
    readUvarint(b, this.valueAt[i], b.length, this.vr);
    const a = this.vr.next;
    const aEnd = a + this.vr.value;
    readUvarint(b, this.valueAt[j], b.length, this.vr);
    return compareBytesAt(b, a, aEnd, this.vr.next, this.vr.next + this.vr.value);
  }

  /** The label name of entry i. */
  name(i: number): string {
    return this.nameOf[i];
  }

  /** Offset of entry i inside the postings offset table. */
  entryOffset(i: number): number {
    return this.entryAt[i];
  }

  /** Every entry, decoded, in table order. */
  entries(): PostingsTableEntry[] {
    const out: PostingsTableEntry[] = new Array(this.count);
    for (let i = 0; i < out.length; i++) out[i] = { name: this.nameOf[i], value: this.value(i), offset: this.listAt[i], entryOffset: this.entryAt[i] };
    return out;
  }
}

/**
 * An entry at `p` with two parts, one-byte name and value lengths and an offset varint of
 * at most 8 bytes, all before `end`: returns where it ends (its list offset in
 * `offset.value`), else 0.
 */
function shortEntry(buf: Uint8Array, p: number, end: number, offset: VarintResult): number {
  if (p + 3 > end || buf[p] !== 2) return 0;
  const nameLen = buf[p + 1]!;
  if (nameLen >= 0x80) return 0;
  let q = p + 2 + nameLen;
  if (q >= end) return 0;
  const valueLen = buf[q]!;
  if (valueLen >= 0x80) return 0;
  q += 1 + valueLen;
  const next = uvarintAt(buf, q, end, 8, offset);
  return next > 0 ? next : 0;
}

function sameBytes(buf: Uint8Array, a: number, aLen: number, b: number, bLen: number): boolean {
  if (aLen !== bLen) return false;
  for (let i = 0; i < aLen; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

/**
 * Check the postings list at `off` as readPostingsList reads it (length, CRC, count) and
 * return its number of entries, without reading them: entry i is be32At(buf, off + 8 + 4 * i).
 */
export function checkPostingsList(buf: Uint8Array, off: number, crc = true): number {
  const err = sectionError(buf, off, 'index postings list', crc);
  if (err) throw err;
  const len = be32At(buf, off);
  if (len < 4) throw new TsdbError(ErrorCode.ShortBuffer, `be32 at offset ${off + 4} needs 4 bytes, ${len} left`, { offset: off + 4 });
  const count = be32At(buf, off + 4);
  if (count * 4 !== len - 4) {
    throw new TsdbError(ErrorCode.Corrupt, `index postings list at offset ${off}: #entries ${count} does not match its length (${len - 4} bytes after the count)`, { offset: off });
  }
  return count;
}

/** Read one postings list. Refs are series IDs (v2+) or series offsets (v1). */
export function readPostingsList(buf: Uint8Array, off: number, crc = true): Uint32Array {
  const count = checkPostingsList(buf, off, crc);
  const out = new Uint32Array(count);
  for (let i = 0, p = off + 8; i < count; i++, p += 4) out[i] = be32At(buf, p);
  return out;
}

/** Sorted intersection of sorted lists. */
export function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i], y = b[j];
    if (x === y) { out[k++] = x; i++; j++; }
    else if (x < y) i++;
    else j++;
  }
  return out.subarray(0, k);
}

/** Sorted union (deduplicated) of sorted lists. */
export function merge(lists: Uint32Array[]): Uint32Array {
  if (lists.length === 0) return new Uint32Array(0);
  if (lists.length === 1) return lists[0];
  let total = 0;
  for (const l of lists) total += l.length;
  const all = new Uint32Array(total);
  let o = 0;
  for (const l of lists) { all.set(l, o); o += l.length; }
  all.sort();
  let k = 0;
  for (let i = 0; i < all.length; i++) if (k === 0 || all[i] !== all[k - 1]) all[k++] = all[i];
  return all.subarray(0, k);
}

/** Elements of sorted `a` that are not in sorted `b`. */
export function subtract(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length) {
    if (j >= b.length || a[i] < b[j]) out[k++] = a[i++];
    else if (a[i] === b[j]) { i++; j++; }
    else j++;
  }
  return out.subarray(0, k);
}
