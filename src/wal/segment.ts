// WAL segments (wal/00000000 …, and the segments inside a checkpoint dir):
// 32 KiB pages of record fragments. See tsdb/docs/format/wal.md and
// tsdb/wlog/reader.go.
//
//   ┌───────────┬──────────┬────────────┬──────────────┐
//   │ type <1b> │ len <2b> │ CRC32 <4b> │ data <bytes> │
//   └───────────┴──────────┴────────────┴──────────────┘
//
// The type byte: bits 0-2 the fragment type (0 rest of page is zero padding,
// 1 full, 2 first, 3 middle, 4 last), bit 3 snappy, bit 4 zstd (Prometheus
// ≥ 2.46). The CRC32C covers the fragment's data only.
//
// Reading follows Go's wlog.Reader over a segmentBufReader: segments are read
// as one stream, a segment that ends inside a page is treated as if zero
// padded to the page end, and a record may continue from one segment into
// the next (Prometheus's writer never does that, but its reader accepts it).
//
// What counts as what:
// - The very end of the LAST segment cutting a record short (a fragment
//   header or data running past the end, or a first/middle fragment with
//   nothing after it) is a torn tail: a live backup catches the writer
//   mid-record, and Prometheus repairs it on start. The reader stops there
//   and reports it in `tornTail`; it does not throw.
// - Anything else throws TsdbError naming the segment and the byte offset.

import { crc32c } from '../encoding/crc32c.js';
import { hex32 } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

export const PAGE_SIZE = 32 * 1024;
export const FRAGMENT_HEADER_SIZE = 7;
/** Longest fragment data: a fragment never holds more than a page. */
export const MAX_FRAGMENT_LEN = PAGE_SIZE - FRAGMENT_HEADER_SIZE;

export const FragmentType = { PageTerm: 0, Full: 1, First: 2, Middle: 3, Last: 4 } as const;
const TYPE_MASK = 0x07;
const SNAPPY_FLAG = 0x08;
const ZSTD_FLAG = 0x10;
const UNKNOWN_FLAGS = 0xe0;

export type Compression = 'none' | 'snappy' | 'zstd';

/** One segment file. */
export interface WalSegment {
  /** Path for messages and findings, relative to the data dir: `wal/00000003`. */
  name: string;
  bytes: Uint8Array;
}

/** A record as stored: still compressed when `compression` is not `none`. */
export interface RawRecord {
  /** Segment of the record's first fragment. */
  segment: string;
  /** Offset of the first fragment's header in that segment. */
  offset: number;
  compression: Compression;
  /** The record bytes (a view into the segment when it had one fragment). */
  data: Uint8Array;
}

/** Where the last record was cut short by the end of the data. */
export interface TornTail {
  segment: string;
  /** Offset of the torn record's first fragment (or of the cut fragment). */
  offset: number;
  message: string;
}

const FRAGMENT_NAMES = ['page padding', 'full', 'first', 'middle', 'last', 'type 5', 'type 6', 'type 7'];

/**
 * Reads the records of a sequence of segments, in order. `next()` returns
 * the next record or undefined at the end; after that, `tornTail` tells
 * whether the end cut a record short.
 */
export class WalReader {
  private readonly segments: readonly WalSegment[];
  private seg = 0;
  private pos = 0;
  /** Fragments of the record being assembled. */
  private parts: Uint8Array[] = [];
  private partsLen = 0;
  private recSegment = '';
  private recOffset = 0;
  private recFlags = 0;
  private done = false;
  tornTail: TornTail | undefined;

  constructor(segments: readonly WalSegment[]) {
    this.segments = segments;
  }

  /** The next record; throws TsdbError on corruption. */
  next(): RawRecord | undefined {
    if (this.done) return undefined;
    for (;;) {
      const s = this.segments[this.seg];
      if (s === undefined) return this.finish();
      const b = s.bytes;
      const end = b.length;
      const last = this.seg === this.segments.length - 1;
      if (this.pos >= end) {
        // Past the data: Go pads to the page end with zeros, which read as padding.
        if (last) return this.finish();
        this.seg++;
        this.pos = 0;
        continue;
      }
      const at = this.pos;
      const hdr = b[at]!;
      const type = hdr & TYPE_MASK;
      if (type === FragmentType.PageTerm) {
        this.skipPadding(s, at);
        continue;
      }
      if (at + FRAGMENT_HEADER_SIZE > end) {
        const msg = `fragment header at offset ${at} is cut off by the end of the segment (${end - at} of ${FRAGMENT_HEADER_SIZE} bytes)`;
        if (last) return this.torn(s, at, msg);
        throw corrupt(ErrorCode.ShortBuffer, s, at, msg);
      }
      const len = (b[at + 1]! << 8) | b[at + 2]!;
      const want = ((b[at + 3]! << 24) | (b[at + 4]! << 16) | (b[at + 5]! << 8) | b[at + 6]!) >>> 0;
      if (len > MAX_FRAGMENT_LEN) {
        throw corrupt(ErrorCode.Corrupt, s, at, `fragment length ${len} exceeds the ${MAX_FRAGMENT_LEN} bytes a page can hold`);
      }
      const dataStart = at + FRAGMENT_HEADER_SIZE;
      const dataEnd = dataStart + len;
      if (dataEnd > end) {
        const msg = `${FRAGMENT_NAMES[type]} fragment at offset ${at} needs ${len} data bytes, the segment ends after ${end - dataStart}`;
        if (last) return this.torn(s, at, msg);
        throw corrupt(ErrorCode.ShortBuffer, s, at, msg);
      }
      const got = crc32c(b, dataStart, dataEnd);
      if (got !== want) {
        throw corrupt(ErrorCode.BadChecksum, s, at, `${FRAGMENT_NAMES[type]} fragment at offset ${at}: CRC32C mismatch (stored ${hex32(want)}, computed ${hex32(got)})`);
      }
      if (hdr & UNKNOWN_FLAGS) {
        throw corrupt(ErrorCode.Unsupported, s, at, `fragment at offset ${at} has unknown flag bits in its type byte 0x${hdr.toString(16).padStart(2, '0')}`);
      }
      const flags = hdr & (SNAPPY_FLAG | ZSTD_FLAG);
      this.pos = dataEnd;
      const data = b.subarray(dataStart, dataEnd);
      const pending = this.parts.length > 0;
      switch (type) {
        case FragmentType.Full:
        case FragmentType.First:
          if (pending) throw this.unfinished(s, at, type);
          if (type === FragmentType.Full) return { segment: s.name, offset: at, compression: compressionOf(flags), data };
          this.recSegment = s.name;
          this.recOffset = at;
          this.recFlags = flags;
          this.push(data);
          break;
        case FragmentType.Middle:
        case FragmentType.Last: {
          if (!pending) {
            throw corrupt(ErrorCode.Corrupt, s, at, `${FRAGMENT_NAMES[type]} fragment at offset ${at} does not continue a record`);
          }
          if (flags !== this.recFlags) {
            throw corrupt(ErrorCode.Corrupt, s, at, `${FRAGMENT_NAMES[type]} fragment at offset ${at} has compression flags 0x${flags.toString(16)}, its record (at ${this.recSegment} offset ${this.recOffset}) has 0x${this.recFlags.toString(16)}`);
          }
          this.push(data);
          if (type === FragmentType.Last) return this.assemble();
          break;
        }
        default:
          throw corrupt(ErrorCode.Corrupt, s, at, `unknown fragment type ${type} at offset ${at} (type byte 0x${hdr.toString(16).padStart(2, '0')})`);
      }
    }
  }

  /** A 0 type byte: the rest of the page must be zeros. */
  private skipPadding(s: WalSegment, at: number): void {
    const b = s.bytes;
    const stop = Math.min(b.length, (Math.floor(at / PAGE_SIZE) + 1) * PAGE_SIZE);
    for (let i = at; i < stop; i++) {
      if (b[i] !== 0) {
        throw corrupt(ErrorCode.Corrupt, s, i, `non-zero byte 0x${b[i]!.toString(16)} at offset ${i} in page padding that starts at ${at}`);
      }
    }
    this.pos = stop;
  }

  private push(data: Uint8Array): void {
    this.parts.push(data);
    this.partsLen += data.length;
  }

  private assemble(): RawRecord {
    const parts = this.parts;
    const data = new Uint8Array(this.partsLen);
    let o = 0;
    for (const p of parts) {
      data.set(p, o);
      o += p.length;
    }
    this.parts = [];
    this.partsLen = 0;
    return { segment: this.recSegment, offset: this.recOffset, compression: compressionOf(this.recFlags), data };
  }

  private unfinished(s: WalSegment, at: number, type: number): TsdbError {
    return corrupt(
      ErrorCode.Corrupt,
      s,
      at,
      `${FRAGMENT_NAMES[type]} fragment at offset ${at} starts a record while the record at ${this.recSegment} offset ${this.recOffset} is unfinished`,
    );
  }

  private torn(s: WalSegment, at: number, msg: string): undefined {
    const offset = this.parts.length > 0 ? this.recOffset : at;
    const segment = this.parts.length > 0 ? this.recSegment : s.name;
    this.tornTail = { segment, offset, message: `${s.name}: last record is torn: ${msg}` };
    this.parts = [];
    this.done = true;
    return undefined;
  }

  private finish(): undefined {
    this.done = true;
    if (this.parts.length > 0) {
      const last = this.segments[this.segments.length - 1]!;
      this.tornTail = {
        segment: this.recSegment,
        offset: this.recOffset,
        message: `${last.name}: last record is torn: the record at ${this.recSegment} offset ${this.recOffset} has ${this.parts.length} fragment(s) and no last fragment`,
      };
      this.parts = [];
    }
    return undefined;
  }
}

function compressionOf(flags: number): Compression {
  // Go checks snappy first, as wlog.Reader does.
  if (flags & SNAPPY_FLAG) return 'snappy';
  if (flags & ZSTD_FLAG) return 'zstd';
  return 'none';
}

function corrupt(code: ErrorCode, s: WalSegment, offset: number, msg: string): TsdbError {
  return new TsdbError(code, `wal segment ${s.name}: ${msg}`, { file: s.name, offset });
}

/** All records of a sequence of segments, and the torn tail if there is one. */
export function readWalRecords(segments: readonly WalSegment[]): { records: RawRecord[]; tornTail?: TornTail } {
  const r = new WalReader(segments);
  const records: RawRecord[] = [];
  for (let rec = r.next(); rec; rec = r.next()) records.push(rec);
  return r.tornTail ? { records, tornTail: r.tornTail } : { records };
}

/**
 * The index of a segment file name, as Go's strconv.Atoi reads it
 * (`00000012` → 12), or undefined when the name is not a number.
 */
export function segmentIndex(name: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(name)) return undefined;
  return Number(name);
}

/** The file name of segment `i`: eight digits (`wlog.SegmentName`). */
export function walSegmentName(i: number): string {
  return String(i).padStart(8, '0');
}
