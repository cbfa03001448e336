// Check a chunk segment file as it streams past: the header, then every
// chunk record (length, encoding, CRC), decoding every sample. What it
// learns about each chunk goes into a compact table that the index is
// later checked against. See tsdb/docs/format/chunks.md.
//
// Memory is bounded by one record: pieces of a long record are gathered in a
// list and joined once (not re-copied on every piece), trailing zero padding
// is counted, not kept, and a record longer than any chunk Prometheus writes
// is reported without being read.

import { ChunkEncoding, decodeChunk, encodingName } from '../../chunkenc/chunk.js';
import { decodeXORInto } from '../../chunkenc/xor.js';
import { scanXOR, XOR_SCAN_PAD } from '../../chunkenc/xor-scan.js';
import { crc32c } from '../../encoding/crc32c.js';
import { be32At, hex32 } from '../../encoding/decbuf.js';
import { isTsdbError } from '../../encoding/errors.js';
import { grown } from '../../encoding/grow.js';
import { MAGIC_CHUNKS, SEGMENT_HEADER_LEN } from '../../chunks/segment.js';
import { firstNonZero } from '../../snapshot/pull.js';
import type { FindingSink } from './findings.js';
import { Code } from '../../encoding/finding-codes.js';

/**
 * The longest chunk data read. A chunk holds at most 65535 samples (its 2-byte count);
 * an XOR sample takes at most ~20 bytes, and Prometheus cuts histogram chunks at about
 * 1 KiB after a few samples, so real chunks stay far below 1 MiB. A longer length is
 * corrupt, and reading it would hold up to the 512 MiB segment size in memory.
 */
export const MAX_SCANNED_CHUNK = 16 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** A ChunkTable as plain data (see ChunkTable.data). */
export type ChunkTableData = Pick<ChunkTable, 'n' | 'bytes' | 'offset' | 'minT' | 'maxT' | 'samples' | 'size' | 'bad'>;

/** Per-chunk facts of one segment, in file order (typed arrays grown as needed). */
export class ChunkTable {
  n = 0;
  /** Size of the segment file in bytes. */
  bytes = 0;
  offset = new Float64Array(256);
  minT = new Float64Array(256);
  maxT = new Float64Array(256);
  samples = new Uint32Array(256);
  /** Record length in bytes, for unreferenced-bytes accounting. */
  size = new Uint32Array(256);
  /** 0: decoded fine; 1: the chunk did not decode (a finding was made). */
  bad = new Uint8Array(256);
  refs = new Uint32Array(256);
  /** Where find last found a chunk. */
  private lastFound = -1;

  add(offset: number, minT: number, maxT: number, samples: number, size: number, bad: boolean): void {
    if (this.n === this.offset.length) this.grow();
    const i = this.n++;
    this.offset[i] = offset;
    this.minT[i] = minT;
    this.maxT[i] = maxT;
    this.samples[i] = samples;
    this.size[i] = size;
    this.bad[i] = bad ? 1 : 0;
  }

  private grow(): void {
    const g = <T extends Float64Array | Uint32Array | Uint8Array>(a: T): T => grown(a, Math.max(256, a.length * 2));
    this.offset = g(this.offset);
    this.minT = g(this.minT);
    this.maxT = g(this.maxT);
    this.samples = g(this.samples);
    this.size = g(this.size);
    this.bad = g(this.bad);
    this.refs = g(this.refs);
  }

  /** Its facts as plain arrays trimmed to `n`, to cross threads (the buffers can be moved). */
  data(): ChunkTableData {
    const n = this.n;
    return { n, bytes: this.bytes, offset: this.offset.slice(0, n), minT: this.minT.slice(0, n), maxT: this.maxT.slice(0, n), samples: this.samples.slice(0, n), size: this.size.slice(0, n), bad: this.bad.slice(0, n) };
  }

  /** A table from `data()` (counting no references yet). */
  static from(d: ChunkTableData): ChunkTable {
    const t = new ChunkTable();
    Object.assign(t, d);
    t.refs = new Uint32Array(d.n);
    return t;
  }

  /** A copy with no references counted (the same segment reached through a hard link). */
  clone(): ChunkTable {
    const c = new ChunkTable();
    c.n = this.n;
    c.bytes = this.bytes;
    c.offset = this.offset.slice();
    c.minT = this.minT.slice();
    c.maxT = this.maxT.slice();
    c.samples = this.samples.slice();
    c.size = this.size.slice();
    c.bad = this.bad.slice();
    c.refs = new Uint32Array(this.refs.length);
    return c;
  }

  /** Index of the chunk starting at `offset`, or -1. Offsets are ascending. */
  find(offset: number): number {
    // An index lists a series' chunks in the order they were written, and series mostly in
    // that order too: the chunk after the last one found is the first guess.
    const next = this.lastFound + 1;
    if (next < this.n && this.offset[next] === offset) return (this.lastFound = next);
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const o = this.offset[mid];
      if (o === offset) return (this.lastFound = mid);
      if (o < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

// One scratch buffer for every float chunk (a chunk holds at most 65535 samples).
const scratchT = new Float64Array(65536);
const scratchV = new Float64Array(65536);
const scratchBits = new Uint32Array(scratchV.buffer);
const scanRes = new Float64Array(3);
// A chunk too near the end of its piece is copied here, so the scan may read past it.
const padded = Buffer.alloc(64 * 1024 + XOR_SCAN_PAD); // a Buffer, as the pieces are: one map for scanXOR
const paddedView = new DataView(padded.buffer, padded.byteOffset, padded.length);

export class SegmentScanner {
  readonly table = new ChunkTable();
  /** Bytes seen so far. */
  total = 0;
  private pending: Buffer = EMPTY;
  /** File offset of pending[0]. */
  private base = 0;
  /** Pieces that arrived while waiting for `need` bytes in all. */
  private parts: Buffer[] = [];
  private partsLen = 0;
  private need = 0;
  /** Where trailing zero padding started, once only zeros have followed the last record. */
  private zerosFrom = -1;
  private headerDone = false;
  private stopped = false;
  /** A DataView over the piece being scanned, for scanXOR. */
  private view: DataView | undefined;

  constructor(
    private readonly file: string,
    private readonly sink: FindingSink,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    while (chunk.length > 0 && !this.stopped) {
      if (this.zerosFrom >= 0) {
        const i = firstNonZero(chunk);
        if (i >= 0) this.afterPadding(this.total - chunk.length + i);
        return;
      }
      if (this.pending.length === 0) {
        this.pending = chunk;
        return this.scan(false);
      }
      // What the last piece left unfinished is finished from the head of this one: copying
      // all of every piece would make as much garbage as the segment is long.
      const k = this.bridge(chunk);
      if (k < 0) {
        this.parts.push(chunk);
        this.partsLen += chunk.length;
        return;
      }
      this.pending = Buffer.concat([this.pending, ...this.parts, chunk.subarray(0, k)]);
      this.parts = [];
      this.partsLen = 0;
      this.need = 0;
      chunk = chunk.subarray(k);
      this.scan(false);
    }
  }

  /**
   * How many bytes of `chunk` finish what is pending (the header, a length varint, or a
   * record of known length), so that the scan ends exactly there; -1: not enough.
   */
  private bridge(chunk: Buffer): number {
    const have = this.pending.length + this.partsLen;
    if (this.need > 0) return this.need - have <= chunk.length ? this.need - have : -1;
    if (!this.headerDone) return Math.min(chunk.length, SEGMENT_HEADER_LEN - have);
    for (let i = 0; i < chunk.length && have + i < 10; i++) if (chunk[i]! < 0x80) return i + 1;
    return Math.min(chunk.length, 10 - have);
  }

  /** Whether the scanner still keeps a view of `buf` (a record cut by the end of a piece): else the caller may reuse it. */
  holds(buf: ArrayBufferLike): boolean {
    if (this.pending.buffer === buf) return true;
    for (const p of this.parts) if (p.buffer === buf) return true;
    return false;
  }

  /** The stream ended: anything left over is a truncated record. */
  end(): ChunkTable {
    if (!this.stopped && this.zerosFrom < 0) {
      if (this.parts.length) this.pending = Buffer.concat([this.pending, ...this.parts]);
      this.parts = [];
      this.scan(true);
    }
    this.pending = EMPTY;
    this.table.bytes = this.total;
    return this.table;
  }

  /** scanXOR over b[start, end), through a padded copy when b ends too soon after it. */
  private scanXOR(b: Buffer, start: number, end: number): number {
    if (end + XOR_SCAN_PAD <= b.length) {
      if (this.view?.buffer !== b.buffer || this.view.byteOffset !== b.byteOffset) this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      return scanXOR(b, this.view, start, end, scanRes);
    }
    const len = end - start;
    if (len + XOR_SCAN_PAD > padded.length) return -1;
    padded.set(b.subarray(start, end));
    return scanXOR(padded, paddedView, 0, len, scanRes);
  }

  private stop(): void {
    this.stopped = true;
    this.pending = EMPTY;
    this.parts = [];
  }

  /** A non-zero byte after what looked like zero padding to the end. */
  private afterPadding(at: number): void {
    // Prometheus reads only the chunks the index refers to, so it never reads these bytes.
    this.sink.warn(
      Code.ChunkSegmentPadding,
      `${this.file}: non-zero byte at offset ${at} after zero padding from offset ${this.zerosFrom}; padding may only end a segment (the rest is not read; Prometheus reads only chunks the index refers to)`,
      this.file,
      this.zerosFrom,
    );
    this.stop();
  }

  private scan(final: boolean): void {
    const b = this.pending;
    let p = 0;
    if (!this.headerDone) {
      if (b.length < SEGMENT_HEADER_LEN) {
        if (final) {
          this.sink.error(Code.ChunkSegmentTruncated, `${this.file}: ${b.length} bytes, shorter than the ${SEGMENT_HEADER_LEN}-byte segment header`, this.file, 0);
        }
        return;
      }
      const magic = be32At(b, 0);
      if (magic !== MAGIC_CHUNKS) {
        this.sink.error(Code.ChunkSegmentMagic, `${this.file}: magic is ${hex32(magic)}, want ${hex32(MAGIC_CHUNKS)}`, this.file, 0);
        return this.stop();
      }
      if (b[4] !== 1) {
        this.sink.error(Code.ChunkSegmentVersion, `${this.file}: segment format version ${b[4]} is not known (1 is)`, this.file, 4);
        return this.stop();
      }
      // Prometheus checks only the magic and the version (chunks.go newReader).
      if (b[5] | b[6] | b[7]) this.sink.warn(Code.ChunkSegmentPadding, `${this.file}: non-zero bytes in the header padding (Prometheus ignores them)`, this.file, 5);
      this.headerDone = true;
      p = SEGMENT_HEADER_LEN;
    }
    while (p < b.length) {
      const off = this.base + p;
      // uvarint length
      let len = 0;
      let s = 1;
      let q = p;
      let ok = false;
      for (let k = 0; k < 10 && q < b.length; k++, q++) {
        const x = b[q];
        len += (x & 0x7f) * s;
        s *= 128;
        if (x < 0x80) {
          ok = true;
          q++;
          break;
        }
      }
      if (!ok) {
        if (q - p >= 10) {
          this.sink.error(Code.ChunkLength, `${this.file}: chunk at offset ${off}: length varint is longer than 10 bytes`, this.file, off);
          return this.stop();
        }
        break; // need more bytes
      }
      if (len === 0) {
        // No chunk is empty, so this is zero padding after the last chunk: fine if it
        // stays zero to the end. (Decided the same way wherever the pieces are cut.)
        this.zerosFrom = off;
        const i = firstNonZero(b.subarray(p));
        if (i >= 0) return this.afterPadding(this.base + p + i);
        if (!final) {
          this.pending = EMPTY;
          this.base += b.length;
          return;
        }
        p = b.length;
        break;
      }
      if (len > MAX_SCANNED_CHUNK) {
        this.sink.error(
          Code.ChunkLength,
          `${this.file}: chunk at offset ${off}: data length ${len} exceeds ${MAX_SCANNED_CHUNK} bytes, far more than any chunk Prometheus writes: the length is corrupt (the rest of the segment is not read)`,
          this.file,
          off,
        );
        return this.stop();
      }
      const need = q - p + 1 + len + 4;
      if (b.length - p < need) {
        // Wait for the rest of the record, gathering the pieces without re-copying them.
        if (!final) this.need = need;
        break;
      }
      this.checkRecord(b, off, q, len);
      p += need;
    }
    if (final && p < b.length) {
      this.sink.error(Code.ChunkSegmentTruncated, `${this.file}: the last chunk record at offset ${this.base + p} is cut off (${b.length - p} bytes of it present)`, this.file, this.base + p);
      p = b.length;
    }
    this.pending = b.subarray(p);
    this.base += p;
  }

  private checkRecord(b: Buffer, off: number, encAt: number, len: number): void {
    const dataEnd = encAt + 1 + len;
    const size = dataEnd + 4 - (off - this.base);
    const want = be32At(b, dataEnd);
    const got = crc32c(b, encAt, dataEnd);
    if (want !== got) {
      this.sink.error(Code.ChunkCrc, `${this.file}: chunk at offset ${off}: CRC32C mismatch (stored ${hex32(want)}, computed ${hex32(got)})`, this.file, off);
      this.table.add(off, NaN, NaN, 0, size, true);
      return;
    }
    const enc = b[encAt];
    let n = 0;
    let first = NaN;
    let last = NaN;
    let ordered = true;
    try {
      if (enc === ChunkEncoding.XOR && (n = this.scanXOR(b, encAt + 1, dataEnd)) >= 0) {
        // The common case: walked without decoding values (xor-scan.ts).
        first = scanRes[0];
        last = scanRes[1];
        ordered = scanRes[2] === 1;
      } else if (enc === ChunkEncoding.XOR) {
        // What the scan would not vouch for, decoded into scratch: no allocation per chunk.
        n = decodeXORInto(b.subarray(encAt + 1, dataEnd), scratchT, scratchV, scratchBits);
        let prev = -Infinity;
        for (let i = 0; i < n; i++) {
          const t = scratchT[i];
          if (t <= prev) ordered = false;
          prev = t;
        }
        if (n) {
          first = scratchT[0];
          last = scratchT[n - 1];
        }
      } else {
        const d = decodeChunk(enc, b.subarray(encAt + 1, dataEnd));
        const ts = d.kind === 'float' ? d.t.subarray(0, d.count) : d.samples.map((x) => x.t);
        n = ts.length;
        for (let i = 1; i < n; i++) if (ts[i] <= ts[i - 1]) ordered = false;
        if (n) {
          first = ts[0];
          last = ts[n - 1];
        }
      }
    } catch (e) {
      if (isTsdbError(e) && e.code === 'ERR_UNKNOWN_ENCODING') {
        this.sink.error(Code.ChunkEncoding, `${this.file}: chunk at offset ${off}: unknown chunk encoding ${enc} (${encodingName(enc)})`, this.file, off);
      } else {
        const msg = isTsdbError(e) ? e.message : String(e);
        this.sink.error(Code.ChunkDecode, `${this.file}: chunk at offset ${off} (${encodingName(enc)}): samples do not decode: ${msg}`, this.file, off);
      }
      this.table.add(off, NaN, NaN, 0, size, true);
      return;
    }
    if (n === 0) this.sink.error(Code.ChunkEmpty, `${this.file}: chunk at offset ${off} holds no samples`, this.file, off);
    if (!ordered) this.sink.error(Code.ChunkTimestamps, `${this.file}: chunk at offset ${off}: sample timestamps do not strictly increase`, this.file, off);
    this.table.add(off, first, last, n, size, n === 0 || !ordered);
  }
}
