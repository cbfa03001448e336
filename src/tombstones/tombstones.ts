// The tombstones file: deleted time ranges per series. Magic, a format
// byte, then (series ref uvarint, mint varint, maxt varint) entries and a
// CRC32C over the entries. See tsdb/docs/format/tombstones.md.

import { crc32c } from '../encoding/crc32c.js';
import { be32At, Decbuf, hex32 } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

export const MAGIC_TOMBSTONES = 0x0130ba30;
export const TOMBSTONES_HEADER_LEN = 5;
const CRC_LEN = 4;

/** A closed interval [minTime, maxTime] of deleted samples. */
export interface Interval {
  minTime: number;
  maxTime: number;
}

export interface Tombstone {
  ref: number;
  minTime: number;
  maxTime: number;
  /** Offset of the entry in the file. */
  offset: number;
}

export interface Tombstones {
  /** Entries in file order. */
  entries: Tombstone[];
  /** Merged intervals per series ref, as Prometheus's Intervals.Add builds them. */
  bySeries: Map<number, Interval[]>;
}

export function readTombstones(buf: Uint8Array): Tombstones {
  if (buf.length < TOMBSTONES_HEADER_LEN + CRC_LEN) {
    throw new TsdbError(ErrorCode.ShortBuffer, `tombstones file is ${buf.length} bytes, shorter than header and CRC (${TOMBSTONES_HEADER_LEN + CRC_LEN})`, { offset: 0 });
  }
  const magic = be32At(buf, 0);
  if (magic !== MAGIC_TOMBSTONES) {
    throw new TsdbError(ErrorCode.BadMagic, `tombstones magic is ${hex32(magic)}, want ${hex32(MAGIC_TOMBSTONES)}`, { offset: 0 });
  }
  if (buf[4] !== 1) throw new TsdbError(ErrorCode.BadVersion, `tombstones format ${buf[4]} is not known (1 is)`, { offset: 4 });
  const end = buf.length - CRC_LEN;
  const want = be32At(buf, end);
  const got = crc32c(buf, TOMBSTONES_HEADER_LEN, end);
  if (want !== got) {
    throw new TsdbError(ErrorCode.BadChecksum, `tombstones: CRC32C mismatch (stored ${hex32(want)}, computed ${hex32(got)})`, { offset: end });
  }
  const d = new Decbuf(buf, TOMBSTONES_HEADER_LEN, end);
  const entries: Tombstone[] = [];
  const bySeries = new Map<number, Interval[]>();
  while (d.len > 0) {
    const offset = d.off;
    const ref = d.uvarint();
    const minTime = d.varint();
    const maxTime = d.varint();
    const e = d.error();
    if (e) throw new TsdbError(e.code, `tombstones entry at offset ${offset}: ${e.message}`, { offset }, { cause: e });
    entries.push({ ref, minTime, maxTime, offset });
    // An inverted interval covers no timestamp; merging it would break the sorted list.
    const list = bySeries.get(ref) ?? [];
    bySeries.set(ref, minTime <= maxTime ? addInterval(list, { minTime, maxTime }) : list);
  }
  return { entries, bySeries };
}

/**
 * Add an interval to a sorted list of disjoint intervals, merging those it
 * overlaps or touches (t is discrete, so [1,2] and [3,4] merge).
 */
export function addInterval(list: Interval[], n: Interval): Interval[] {
  const out: Interval[] = [];
  let cur = { ...n };
  let placed = false;
  for (const iv of list) {
    if (iv.maxTime < cur.minTime - 1) out.push(iv);
    else if (iv.minTime > cur.maxTime + 1) {
      if (!placed) { out.push(cur); placed = true; }
      out.push(iv);
    } else {
      cur = { minTime: Math.min(cur.minTime, iv.minTime), maxTime: Math.max(cur.maxTime, iv.maxTime) };
    }
  }
  if (!placed) out.push(cur);
  return out;
}

/** Whether t lies in one of the sorted intervals. */
export function isDeleted(list: Interval[] | undefined, t: number): boolean {
  if (!list) return false;
  // Indexed, not for-of: query calls this once per sample.
  for (let i = 0; i < list.length; i++) {
    if (t < list[i]!.minTime) return false;
    if (t <= list[i]!.maxTime) return true;
  }
  return false;
}
