// Compressed WAL records (RawRecord.compression): snappy with
// @napi-rs/snappy, zstd with fzstd (zstd.ts). Neither library is trusted with
// a length: the snappy header and the zstd frames are checked against what
// the input can expand to first.

import { createRequire } from 'node:module';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { uvarintAt, VARINT_CUT, type VarintResult } from '../encoding/varint.js';
import type { RawRecord } from './segment.js';
import { zstdDecompress } from './zstd.js';

/** Largest output one snappy input byte can produce: a 3-byte copy of 64 bytes. */
const SNAPPY_MAX_RATIO = 64 / 3;

/** The record bytes, decompressed. Errors carry the record's segment and offset. */
export function decompressRecord(raw: RawRecord): Uint8Array {
  const where = { file: raw.segment, offset: raw.offset };
  switch (raw.compression) {
    case 'none':
      return raw.data;
    case 'snappy':
      return snappyUncompress(raw.data, `wal record at ${raw.segment} offset ${raw.offset}`, where);
    case 'zstd':
      try {
        return zstdDecompress(raw.data);
      } catch (e) {
        throw new TsdbError(ErrorCode.Corrupt, `wal record at ${raw.segment} offset ${raw.offset}: ${(e as Error).message}`, where, { cause: e });
      }
  }
}

// The native snappy module is loaded by the first compressed record: a WAL of uncompressed
// records (or none, as in a snapshot dir promtool has opened) never needs it.
let snappy: typeof import('@napi-rs/snappy') | undefined;
const loadSnappy = () => (snappy ??= createRequire(import.meta.url)('@napi-rs/snappy') as typeof import('@napi-rs/snappy'));

/**
 * Snappy block format (not framed). The declared length is checked against
 * what the input could possibly expand to before the library allocates it.
 */
export function snappyUncompress(data: Uint8Array, what: string, where: { file?: string; offset?: number } = {}): Uint8Array {
  // The uncompressed length: a uvarint of at most 5 bytes (32 bits).
  const header: VarintResult = { value: 0, next: 0 };
  const i = uvarintAt(data, 0, data.length, 5, header);
  if (i < 0) throw new TsdbError(ErrorCode.Corrupt, `${what}: snappy length header is ${i === VARINT_CUT ? 'cut off' : 'longer than 5 bytes'}`, where);
  const len = header.value;
  const bound = Math.ceil((data.length - i) * SNAPPY_MAX_RATIO);
  if (len > bound) {
    throw new TsdbError(ErrorCode.Corrupt, `${what}: snappy length ${len} is more than ${data.length} compressed bytes can hold (${bound})`, where);
  }
  let out: Buffer;
  try {
    out = loadSnappy().uncompressSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) as Buffer;
  } catch (e) {
    throw new TsdbError(ErrorCode.Corrupt, `${what}: ${(e as Error).message}`, where, { cause: e });
  }
  if (out.length !== len) {
    throw new TsdbError(ErrorCode.Corrupt, `${what}: snappy produced ${out.length} bytes, its header says ${len}`, where);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
