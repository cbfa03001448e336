// Head chunk files (chunks_head/000001 …): the head's full chunks, m-mapped
// so they need not stay in memory. See tsdb/docs/format/head_chunks.md and
// tsdb/chunks/head_chunks.go (IterateAllChunks).
//
//   magic 0x0130BC91 <4b> | version 1 <1b> | padding <3b>
//   then chunks:
//   series ref <8b> | mint <8b> | maxt <8b> | encoding <1b> | len <uvarint> | data | CRC32C <4b>
//
// The CRC32C covers everything from the series ref to the end of the data.
// Files are preallocated (128 KiB on Linux), so zeros follow the last chunk:
// a chunk whose series ref, mint and maxt are all 0 marks the end, as
// Prometheus reads it. The encoding byte's top bit (0x80) marks an
// out-of-order chunk (OOOXOR, 2.39+). A chunk ref is the file sequence
// number << 32 | the chunk's offset in the file.

import { decodeChunk, numSamplesFor, type DecodedChunk } from '../chunkenc/chunk.js';
import { crc32c } from '../encoding/crc32c.js';
import { be32At, hex32 } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { uvarintAt, VARINT_CUT, VARINT_LONG, type VarintResult } from '../encoding/varint.js';

export const MAGIC_HEAD_CHUNKS = 0x0130bc91;
export const HEAD_CHUNK_FILE_HEADER_LEN = 8;
/** The out-of-order bit of the encoding byte. */
export const OUT_OF_ORDER_FLAG = 0x80;
/** Series ref, mint, maxt, encoding and CRC: the fixed part of a chunk record. */
const FIXED_LEN = 8 + 8 + 8 + 1 + 4;
/** Prometheus writes the data length as a uvarint of at most 5 bytes (32 bits). */
const MAX_LEN_FIELD = 5;
const TWO_POW_32 = 4294967296;
/** readHeadChunkAt's data length, read synchronously: no object per chunk. */
const lenField: VarintResult = { value: 0, next: 0 };

export interface HeadChunk {
  /** ChunkDiskMapperRef: seq * 2^32 + offset. */
  ref: number;
  /** Offset of the record (its series ref) in the file. */
  offset: number;
  seriesRef: number;
  minTime: number;
  maxTime: number;
  /** The encoding byte as stored, out-of-order bit included. */
  encoding: number;
  outOfOrder: boolean;
  /** From the first two bytes of the data (14 bits of them for the ST histogram encodings). */
  numSamples: number;
  /** The chunk data (a view, no copy). */
  data: Uint8Array;
}

export interface HeadChunkFile {
  /** File sequence number (the file name as a number). */
  seq: number;
  version: number;
  /** Chunks in file order, up to the end or the first bad one. */
  chunks: HeadChunk[];
  /** Offset where the chunks end: the first zero record, the end of the file, or the bad chunk. */
  end: number;
  /** Set when a chunk could not be read; `chunks` holds the good ones before it. */
  error?: TsdbError;
  /**
   * With `error`: nothing but zeros follows the bad chunk, which is how a
   * writer caught mid-chunk (a live backup) leaves the last file.
   */
  tornTail?: boolean;
}

/** The sequence number of a head chunk file name (`000012` → 12), or undefined. */
export function headChunkFileSeq(name: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(name)) return undefined;
  return Number(name);
}

/**
 * Whether a file is one Prometheus drops without complaint when it is the
 * last one: fewer than 4 bytes, or a zero magic (a file just cut, its header
 * not yet written; repairLastChunkFile).
 */
export function isEmptyHeadChunkFile(buf: Uint8Array): boolean {
  return buf.length < 4 || be32At(buf, 0) === 0;
}

/**
 * Reads a head chunk file. A bad header (short, magic, version) throws; a bad
 * chunk stops reading and is returned in `error`. `name` is used in messages
 * (e.g. `chunks_head/000003`).
 */
export function readHeadChunkFile(buf: Uint8Array, name: string, seq = headChunkFileSeq(name.slice(name.lastIndexOf('/') + 1)) ?? 0): HeadChunkFile {
  const ctx = { file: name };
  if (buf.length < HEAD_CHUNK_FILE_HEADER_LEN) {
    throw new TsdbError(ErrorCode.ShortBuffer, `head chunk file ${name} is ${buf.length} bytes, shorter than its ${HEAD_CHUNK_FILE_HEADER_LEN}-byte header`, { ...ctx, offset: 0 });
  }
  const magic = be32At(buf, 0);
  if (magic !== MAGIC_HEAD_CHUNKS) {
    throw new TsdbError(ErrorCode.BadMagic, `head chunk file ${name}: magic is ${hex32(magic)}, want ${hex32(MAGIC_HEAD_CHUNKS)}`, { ...ctx, offset: 0 });
  }
  const version = buf[4]!;
  if (version !== 1) {
    throw new TsdbError(ErrorCode.BadVersion, `head chunk file ${name}: version ${version} is not known (1 is)`, { ...ctx, offset: 4 });
  }
  const chunks: HeadChunk[] = [];
  const end = buf.length;
  let off = HEAD_CHUNK_FILE_HEADER_LEN;
  while (off < end) {
    if (zeroRecordAt(buf, off)) break;
    const r = readHeadChunkAt(buf, off, seq);
    if (r instanceof TsdbError) {
      const e = new TsdbError(r.code, `head chunk file ${name}: ${r.message}`, { ...ctx, offset: off });
      return { seq, version, chunks, end: off, error: e, tornTail: allZero(buf, Math.min(end, r.context.offset ?? end), end) };
    }
    chunks.push(r.chunk);
    off = r.next;
  }
  return { seq, version, chunks, end: off };
}

/** Series ref, mint and maxt all zero (or the zeros run to the end of the file): no more chunks. */
function zeroRecordAt(buf: Uint8Array, off: number): boolean {
  return allZero(buf, off, Math.min(buf.length, off + 24));
}

function allZero(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * The chunk record at `off`, or a TsdbError whose context.offset is where the
 * record claims to end (so the caller can tell a torn tail).
 */
function readHeadChunkAt(buf: Uint8Array, off: number, seq: number): { chunk: HeadChunk; next: number } | TsdbError {
  const end = buf.length;
  const short = (what: string, claimedEnd: number) =>
    new TsdbError(ErrorCode.ShortBuffer, `chunk at offset ${off}: ${what}, the file ends at ${end}`, { offset: claimedEnd });
  if (off + FIXED_LEN + 1 > end) return short(`its ${FIXED_LEN + 1}-byte minimum record does not fit`, end);
  const refHi = be32At(buf, off);
  const refLo = be32At(buf, off + 4);
  if (refHi > 0x1fffff) {
    return new TsdbError(ErrorCode.Unsupported, `chunk at offset ${off}: series ref 0x${refHi.toString(16)}${refLo.toString(16).padStart(8, '0')} is larger than 2^53`, { offset: end });
  }
  const seriesRef = refHi * TWO_POW_32 + refLo;
  const minTime = (be32At(buf, off + 8) | 0) * TWO_POW_32 + be32At(buf, off + 12);
  const maxTime = (be32At(buf, off + 16) | 0) * TWO_POW_32 + be32At(buf, off + 20);
  const encoding = buf[off + 24]!;
  // The data length: a uvarint of at most 5 bytes.
  const p = uvarintAt(buf, off + 25, end, MAX_LEN_FIELD, lenField);
  if (p === VARINT_CUT) return short('its data length is cut off', end);
  if (p === VARINT_LONG) {
    return new TsdbError(ErrorCode.BadVarint, `chunk at offset ${off}: data length uvarint is longer than ${MAX_LEN_FIELD} bytes`, { offset: end });
  }
  const len = lenField.value;
  const dataEnd = p + len;
  if (dataEnd + 4 > end) return short(`data of ${len} bytes and CRC do not fit`, end);
  const want = be32At(buf, dataEnd);
  const got = crc32c(buf, off, dataEnd);
  if (want !== got) {
    return new TsdbError(ErrorCode.BadChecksum, `chunk at offset ${off}: CRC32C mismatch (stored ${hex32(want)}, computed ${hex32(got)})`, { offset: dataEnd + 4 });
  }
  const data = buf.subarray(p, dataEnd);
  const numSamples = data.length >= 2 ? numSamplesFor(encoding & ~OUT_OF_ORDER_FLAG, data) : 0;
  const chunk: HeadChunk = {
    ref: seq * TWO_POW_32 + off,
    offset: off,
    seriesRef,
    minTime,
    maxTime,
    encoding,
    outOfOrder: (encoding & OUT_OF_ORDER_FLAG) !== 0,
    numSamples,
    data,
  };
  return { chunk, next: dataEnd + 4 };
}

/** Decodes a head chunk's samples (the out-of-order bit is ignored for decoding). */
export function decodeHeadChunk(c: HeadChunk): DecodedChunk {
  return decodeChunk(c.encoding & ~OUT_OF_ORDER_FLAG, c.data);
}
