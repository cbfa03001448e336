// Postings lists (sorted series refs per label pair) and the postings
// offset table that locates them, plus the sorted-list set operations
// that selectors are built from. See tsdb/docs/format/index.md,
// "Postings" and "Postings Offset Table".

import { be32At, decbufAt } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

export interface PostingsTableEntry {
  name: string;
  value: string;
  /** Offset of the postings list's length field. */
  offset: number;
  /** Offset of this entry inside the postings offset table. */
  entryOffset: number;
}

export function readPostingsOffsetTable(buf: Uint8Array, off: number): PostingsTableEntry[] {
  const d = decbufAt(buf, off, 'index postings offset table');
  if (d.err) throw d.err;
  const count = d.be32();
  // An entry is at least 4 bytes (n, two empty strings, offset).
  if (count * 4 > d.len) {
    throw new TsdbError(ErrorCode.Corrupt, `index postings offset table at offset ${off}: #entries ${count} exceeds the ${d.len} bytes present`, { offset: off });
  }
  const out: PostingsTableEntry[] = [];
  for (let i = 0; i < count; i++) {
    const entryOffset = d.off;
    const n = d.uvarint();
    if (!d.err && n !== 2) {
      throw new TsdbError(ErrorCode.Corrupt, `index postings offset table entry ${i} at offset ${entryOffset}: key has ${n} parts, want 2`, { offset: entryOffset });
    }
    const name = d.uvarintStr();
    const value = d.uvarintStr();
    const offset = d.uvarint();
    const e = d.error();
    if (e) {
      throw new TsdbError(e.code, `index postings offset table entry ${i}: ${e.message}`, { offset: e.context.offset ?? entryOffset }, { cause: e });
    }
    out.push({ name, value, offset, entryOffset });
  }
  return out;
}

/** Read one postings list. Refs are series IDs (v2+) or series offsets (v1). */
export function readPostingsList(buf: Uint8Array, off: number, crc = true): Uint32Array {
  const d = decbufAt(buf, off, 'index postings list', crc);
  if (d.err) throw d.err;
  const count = d.be32();
  if (d.err) throw d.err;
  if (count * 4 !== d.len) {
    throw new TsdbError(ErrorCode.Corrupt, `index postings list at offset ${off}: #entries ${count} does not match its length (${d.len} bytes after the count)`, { offset: off });
  }
  const out = new Uint32Array(count);
  let p = d.off;
  for (let i = 0; i < count; i++, p += 4) out[i] = be32At(buf, p);
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
