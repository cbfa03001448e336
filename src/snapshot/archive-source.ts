// A block as the archive stream left it: meta.json, tombstones and the index
// kept (an index past the spill size in a temp file), each chunk segment by
// its place in the archive, and the chunk records fetched for the query.
// While `recording`, chunk reads are only noted (a dry run of the query says
// which records to fetch) and answered with an empty XOR chunk.

import * as fs from 'node:fs';
import type { BlockSource } from '../block/source.js';
import { SEGMENT_HEADER_LEN, MAGIC_CHUNKS } from '../chunks/segment.js';
import { crc32c } from '../encoding/crc32c.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import type { CutSegment } from './chunk-cut.js';
import type { Held } from './hold.js';

/** A chunk segment member: where it is in the archive, and what was cut from it. */
export interface SegmentMember {
  /** The member's place among the archive's members (a second pass finds it by it). */
  ordinal: number;
  size: number;
  /** Its bytes, held while no index says which records are read (an archive on stdin). */
  held?: Held;
  cut?: CutSegment;
  /** Records the query reads (file offsets), collected by the dry run. */
  wanted?: Set<number>;
}

/** A block file as kept: its bytes (small files, an index), a temp file, or a segment. */
export type Kept = { size: number; buf?: Uint8Array; file?: string; segment?: SegmentMember };

/** An empty XOR chunk record (length 2, encoding 1, 0 samples, CRC), at offset 8 of a buffer with a valid header. */
const DRY = (() => {
  const b = new Uint8Array(SEGMENT_HEADER_LEN + 1 + 1 + 2 + 4);
  new DataView(b.buffer).setUint32(0, MAGIC_CHUNKS);
  b[4] = 1;
  b.set([2, 1, 0, 0], SEGMENT_HEADER_LEN);
  new DataView(b.buffer).setUint32(SEGMENT_HEADER_LEN + 4, crc32c(b, SEGMENT_HEADER_LEN + 1, SEGMENT_HEADER_LEN + 4));
  return b;
})();
const EMPTY = new Uint8Array(0);

export class ArchiveBlockSource implements BlockSource {
  /** Set during the dry run: chunk reads are noted in their segment's `wanted`. */
  recording = false;

  constructor(
    readonly location: string,
    readonly files: Map<string, Kept>,
  ) {}

  read(rel: string): Uint8Array | undefined {
    const k = this.files.get(rel);
    if (!k || k.segment) return undefined;
    if (k.buf) return k.buf;
    if (k.file) return readSpilled(k.file, k.size, this.location, rel);
    return undefined;
  }

  size(rel: string): number | undefined {
    return this.files.get(rel)?.size;
  }

  chunkFiles(): string[] {
    const out: string[] = [];
    for (const rel of this.files.keys()) if (rel.startsWith('chunks/') && rel.indexOf('/', 7) < 0) out.push(rel.slice(7));
    return out.sort();
  }

  /** Segments of this block, for the fetch. */
  segments(): SegmentMember[] {
    const out: SegmentMember[] = [];
    for (const k of this.files.values()) if (k.segment) out.push(k.segment);
    return out;
  }

  chunkAt(rel: string, off: number): { header: Uint8Array; buf: Uint8Array; base: number } | undefined {
    const s = this.files.get(rel)?.segment;
    if (!s) return undefined;
    if (this.recording) {
      (s.wanted ??= new Set()).add(off);
      return { header: DRY, buf: DRY.subarray(SEGMENT_HEADER_LEN), base: off };
    }
    const rec = s.cut?.records.get(off);
    // A record not cut lies outside the segment's records: the reader says so from its size.
    if (!rec) return { header: s.cut?.header ?? EMPTY, buf: EMPTY, base: off < SEGMENT_HEADER_LEN ? SEGMENT_HEADER_LEN : s.size };
    return { header: s.cut!.header, buf: rec, base: off };
  }
}

/** A spilled index, read back whole once its size is the one written (the bytes back every allocation). */
function readSpilled(file: string, size: number, location: string, rel: string): Uint8Array {
  const got = fs.statSync(file).size;
  if (got !== size) throw new TsdbError(ErrorCode.Corrupt, `${location}/${rel}: its temp copy holds ${got} of ${size} bytes`, { file: rel });
  return fs.readFileSync(file);
}
