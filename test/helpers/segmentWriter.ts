// TEST ONLY. A chunk segment writer after tsdb/docs/format/chunks.md: an
// 8-byte header (magic 0x85BD40DD, version 1, 3 zero bytes), then records of
// len <uvarint>, encoding <1 byte>, data, CRC32C over encoding and data.

import { crc32c } from '../../src/encoding/crc32c.js';
import { ByteWriter } from './bytes.js';

export const MAGIC_CHUNKS = 0x85bd40dd;

export interface TestChunk {
  encoding: number;
  data: Uint8Array;
}

export interface WrittenSegment {
  bytes: Uint8Array;
  /** Offset of each record's length field: the offset half of its chunk ref. */
  offsets: number[];
}

export function writeSegment(chunks: readonly TestChunk[], opts: { version?: number } = {}): WrittenSegment {
  const w = new ByteWriter();
  w.be32(MAGIC_CHUNKS).byte(opts.version ?? 1).raw([0, 0, 0]);
  const offsets: number[] = [];
  for (const c of chunks) {
    offsets.push(w.length);
    const body = Uint8Array.of(c.encoding, ...c.data);
    w.uvarint(c.data.length).raw(body).be32(crc32c(body));
  }
  return { bytes: w.bytes(), offsets };
}
