// TEST ONLY. A tombstones writer after tsdb/docs/format/tombstones.md:
// magic 0x0130BA30 <4b>, version 1 <1b>, then per tombstone
// series ref <uvarint64>, mint <varint64>, maxt <varint64>, and a CRC32C
// over all the tombstones.

import { crc32c } from '../../src/encoding/crc32c.js';
import { ByteWriter } from './bytes.js';

export const MAGIC_TOMBSTONES = 0x0130ba30;

export interface TestTombstone {
  ref: number | bigint;
  minTime: number | bigint;
  maxTime: number | bigint;
}

export function writeTombstones(entries: readonly TestTombstone[], opts: { version?: number } = {}): Uint8Array {
  const w = new ByteWriter();
  w.be32(MAGIC_TOMBSTONES).byte(opts.version ?? 1);
  const body = new ByteWriter();
  for (const e of entries) body.uvarint(e.ref).varint(e.minTime).varint(e.maxTime);
  const b = body.bytes();
  return w.raw(b).be32(crc32c(b)).bytes();
}
