// Chunk records of a large segment file, read through a moving window
// instead of the whole file: a window starts at the record asked for, and
// while reads keep running forward each window is twice the last (up to a
// limit), as the OS reads ahead for Prometheus's mmap. A selective query
// reads little of the file; a full scan reads it in large steps.
// Records are tsdb/docs/format/chunks.md's; offsets in errors are file offsets.

import { MAX_CHUNK_LEN, SEGMENT_HEADER_LEN, readChunkRecord, readSegmentHeader, type ChunkRecord } from '../chunks/segment.js';
import { ErrorCode, isTsdbError } from '../encoding/errors.js';
import { readUvarint, type VarintResult } from '../encoding/varint.js';
import type { BlockSource } from './source.js';

const EMPTY = new Uint8Array(0);
/** A uvarint length, the encoding byte and the CRC around a record's data. */
const RECORD_OVERHEAD = 10 + 1 + 4;

export class SegmentWindow {
  private buf: Uint8Array = EMPTY;
  /** File offset of buf[0]. */
  private start = 0;
  private nextRead: number;
  private headerChecked = false;

  /**
   * `file` is block-relative (chunks/000001) and `size` its size in bytes;
   * windows are `minRead` bytes at first and grow to `maxRead`.
   */
  constructor(
    private readonly source: BlockSource,
    readonly file: string,
    readonly size: number,
    private readonly minRead: number,
    private readonly maxRead: number,
  ) {
    this.nextRead = minRead;
  }

  /** The record at file offset `off`, CRC checked unless `crc` is false. */
  record(off: number, vr: VarintResult, crc = true): ChunkRecord {
    if (!this.headerChecked) {
      readSegmentHeader(this.read(0, SEGMENT_HEADER_LEN));
      this.headerChecked = true;
    }
    if (off < SEGMENT_HEADER_LEN || off >= this.size) return readChunkRecord(EMPTY, off, crc, vr, this.size); // throws: outside the records
    if (off < this.start || off >= this.start + this.buf.length) this.load(off, 0);
    for (;;) {
      try {
        return readChunkRecord(this.buf, off, crc, vr, this.start);
      } catch (e) {
        // A record that runs past the window: load a window from it that holds it all, if the file goes on.
        const end = this.start + this.buf.length;
        if (!(isTsdbError(e) && e.code === ErrorCode.ShortBuffer) || end >= this.size) throw e;
        const had = this.buf.length - (off - this.start);
        this.load(off, this.recordLength(off, vr));
        if (this.buf.length <= had) throw e; // the file is shorter than its size said
      }
    }
  }

  /** Bytes the record at `off` takes, as far as the window tells; a guess when its length field is cut. */
  private recordLength(off: number, vr: VarintResult): number {
    try {
      readUvarint(this.buf, off - this.start, this.buf.length, vr);
    } catch {
      return RECORD_OVERHEAD;
    }
    return Math.min(vr.next - (off - this.start) + 1 + vr.value + 4, MAX_CHUNK_LEN + RECORD_OVERHEAD);
  }

  /** Read a window at `off` of at least `atLeast` bytes (fewer at the end of the file). */
  private load(off: number, atLeast: number): void {
    // Reads that go on forward from the last window grow; a jump starts small again.
    const forward = off > this.start && off <= this.start + this.buf.length + this.nextRead;
    this.nextRead = forward && this.buf.length > 0 ? Math.min(this.nextRead * 2, this.maxRead) : this.minRead;
    this.buf = this.read(off, Math.min(Math.max(this.nextRead, atLeast), this.size - off));
    this.start = off;
  }

  private read(off: number, length: number): Uint8Array {
    const b = this.source.readRange!(this.file, off, length);
    // A plain view: records are cut from it, and a Buffer's subarray costs more.
    return b ? new Uint8Array(b.buffer, b.byteOffset, b.length) : EMPTY;
  }
}
