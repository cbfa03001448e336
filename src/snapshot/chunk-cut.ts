// Cut chosen chunk records out of a chunk segment as its bytes stream past
// (tsdb/docs/format/chunks.md: uvarint length, encoding byte, data, CRC32C),
// so a query keeps the records it reads and nothing else of the segment.
// A record's length comes from its own bytes, bounded by the segment's size:
// no header can make us hold more than the segment has.

import { MAX_CHUNK_LEN, SEGMENT_HEADER_LEN } from '../chunks/segment.js';
import { readUvarint, type VarintResult } from '../encoding/varint.js';

/** The longest uvarint: a record's length field is at most this long. */
const MAX_VARINT = 10;

/** What was cut from one segment: its header and each wanted record from its length field on. */
export interface CutSegment {
  header: Uint8Array;
  records: Map<number, Uint8Array>;
}

interface Capture {
  off: number;
  parts: Uint8Array[];
  got: number;
  /** The record's length in bytes, once its length field is read. */
  need?: number;
}

/** Cuts records at `offsets` (any order) from the bytes of a segment of `size` bytes, pushed in order. */
export class RecordCutter {
  private pos = 0;
  private readonly wanted: number[];
  private next = 0;
  private active: Capture[] = [];
  private readonly header: Capture = { off: 0, parts: [], got: 0, need: SEGMENT_HEADER_LEN };
  private readonly records = new Map<number, Uint8Array>();
  private readonly vr: VarintResult = { value: 0, next: 0 };

  constructor(
    offsets: Iterable<number>,
    private readonly size: number,
  ) {
    this.wanted = [...new Set(offsets)].filter((o) => o >= SEGMENT_HEADER_LEN && o < size).sort((a, b) => a - b);
    this.active.push(this.header);
  }

  /** True when every wanted record is complete: the rest of the segment is not needed. */
  get done(): boolean {
    return this.active.length === 0 && this.next === this.wanted.length;
  }

  push(b: Uint8Array): void {
    const end = this.pos + b.length;
    while (this.next < this.wanted.length && this.wanted[this.next]! < end) {
      this.active.push({ off: this.wanted[this.next++]!, parts: [], got: 0 });
    }
    if (this.active.length > 0) this.active = this.active.filter((c) => !this.feed(c, b));
    this.pos = end;
  }

  /** The header and the records cut; records cut short by the segment's end are kept as they are (the reader reports them). */
  finish(): CutSegment {
    for (const c of this.active) this.store(c);
    this.active = [];
    return { header: concat(this.header.parts, this.header.got), records: this.records };
  }

  /** Add what `b` holds of capture `c`; true when it is complete. */
  private feed(c: Capture, b: Uint8Array): boolean {
    const from = Math.max(0, c.off + c.got - this.pos);
    if (from >= b.length) return false;
    const want = c.need === undefined ? MAX_VARINT : c.need - c.got;
    const part = b.subarray(from, from + want);
    // A copy: the stream's buffers are not ours to keep (and would pin whole reads).
    c.parts.push(Uint8Array.from(part));
    c.got += part.length;
    if (c.need === undefined && (c.got >= MAX_VARINT || c.off + c.got >= this.size)) {
      c.need = this.recordLength(c);
      if (c.got > c.need) {
        c.parts = [concat(c.parts, c.got).subarray(0, c.need)];
        c.got = c.need;
      }
      return c.got >= c.need ? this.store(c) : this.feed(c, b);
    }
    return c.need !== undefined && c.got >= c.need ? this.store(c) : false;
  }

  /** The record's bytes: length field, encoding, data and CRC, within the segment and the chunk size limit. */
  private recordLength(c: Capture): number {
    const left = this.size - c.off;
    const head = concat(c.parts, c.got);
    try {
      readUvarint(head, 0, head.length, this.vr);
    } catch {
      return Math.min(head.length, left); // the reader reports the bad length field
    }
    const len = this.vr.value > MAX_CHUNK_LEN ? 0 : this.vr.value;
    return Math.min(this.vr.next + 1 + len + 4, left);
  }

  private store(c: Capture): true {
    if (c !== this.header) this.records.set(c.off, concat(c.parts, c.got));
    return true;
  }
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
