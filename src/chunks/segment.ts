// Chunk segment files (chunks/000001 …): an 8-byte header, then chunk
// records of uvarint data length, encoding byte, data and a CRC32C over
// encoding and data. See tsdb/docs/format/chunks.md.

import { crc32c } from '../encoding/crc32c.js';
import { be32At, hex32 } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { readUvarint, type VarintResult } from '../encoding/varint.js';

export const MAGIC_CHUNKS = 0x85bd40dd;
export const SEGMENT_HEADER_LEN = 8;
/** Prometheus cuts a segment at 512 MiB; chunk data is far smaller. */
export const MAX_CHUNK_LEN = 512 * 1024 * 1024;

export interface SegmentHeader {
  version: number;
  /** True when the 3 padding bytes are not zero. */
  badPadding: boolean;
}

export function readSegmentHeader(buf: Uint8Array): SegmentHeader {
  if (buf.length < SEGMENT_HEADER_LEN) {
    throw new TsdbError(ErrorCode.ShortBuffer, `chunk segment is ${buf.length} bytes, shorter than its ${SEGMENT_HEADER_LEN}-byte header`, { offset: 0 });
  }
  const magic = be32At(buf, 0);
  if (magic !== MAGIC_CHUNKS) {
    throw new TsdbError(ErrorCode.BadMagic, `chunk segment magic is ${hex32(magic)}, want ${hex32(MAGIC_CHUNKS)}`, { offset: 0 });
  }
  const version = buf[4];
  if (version !== 1) throw new TsdbError(ErrorCode.BadVersion, `chunk segment version ${version} is not known (1 is)`, { offset: 4 });
  return { version, badPadding: (buf[5] | buf[6] | buf[7]) !== 0 };
}

export interface ChunkRecord {
  /** Offset of the record (its length field): the offset part of the chunk ref. */
  offset: number;
  encoding: number;
  /** The chunk data (a view, no copy). */
  data: Uint8Array;
  /** Offset just past the record's CRC. */
  end: number;
}

/**
 * Read the chunk record at file offset `off`, checking its CRC unless `crc` is
 * false. `buf` holds the file from offset `base` on (0: the whole file), so a
 * window of a large segment works too; offsets in errors are file offsets.
 */
export function readChunkRecord(buf: Uint8Array, off: number, crc = true, vr: VarintResult = { value: 0, next: 0 }, base = 0): ChunkRecord {
  const at = off - base;
  if (off < SEGMENT_HEADER_LEN || at < 0 || at >= buf.length) {
    throw new TsdbError(ErrorCode.Corrupt, `chunk offset ${off} lies outside the segment's records [${SEGMENT_HEADER_LEN}, ${base + buf.length})`, { offset: off });
  }
  try {
    readUvarint(buf, at, buf.length, vr);
  } catch (e) {
    throw e instanceof TsdbError ? new TsdbError(e.code, `chunk at offset ${off}: ${e.message}`, { offset: off }) : e;
  }
  const len = vr.value;
  const encAt = vr.next;
  if (len > MAX_CHUNK_LEN || encAt + 1 + len + 4 > buf.length) {
    throw new TsdbError(ErrorCode.ShortBuffer, `chunk at offset ${off}: data length ${len} runs past the end of the segment (${base + buf.length} bytes)`, { offset: off });
  }
  const dataEnd = encAt + 1 + len;
  if (crc) {
    const want = be32At(buf, dataEnd);
    const got = crc32c(buf, encAt, dataEnd);
    if (want !== got) {
      throw new TsdbError(ErrorCode.BadChecksum, `chunk at offset ${off}: CRC32C mismatch (stored ${hex32(want)}, computed ${hex32(got)})`, { offset: off });
    }
  }
  return { offset: off, encoding: buf[encAt], data: buf.subarray(encAt + 1, dataEnd), end: base + dataEnd + 4 };
}

/** Segment file name for a sequence number: 000001 for 1. */
export function segmentName(seq: number): string {
  return String(seq).padStart(6, '0');
}

const MAX_UINT64 = '18446744073709551615';

/**
 * Whether Prometheus takes a file in chunks/ for a segment: its name parses as a uint64
 * (tsdb/chunks/chunks.go sequenceFiles: strconv.ParseUint(name, 10, 64); no sign, any
 * leading zeros). Every other name is ignored.
 */
export function isSegmentFileName(name: string): boolean {
  if (!/^[0-9]+$/.test(name)) return false;
  const digits = name.replace(/^0+(?=.)/, '');
  return digits.length < MAX_UINT64.length || (digits.length === MAX_UINT64.length && digits <= MAX_UINT64);
}

/**
 * Segment file names in the order Prometheus maps them: os.ReadDir lists chunks/ sorted by
 * name (byte order), and a chunk ref's upper 32 bits index that list of segment files
 * (chunks.go NewDirReader), whatever the numbers in the names. Normally 000001 is index 0.
 */
export function segmentOrder(names: Iterable<string>): string[] {
  return [...names].filter(isSegmentFileName).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
