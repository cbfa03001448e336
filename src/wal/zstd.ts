// zstd-compressed WAL records (--storage.tsdb.wal-compression-type=zstd,
// Prometheus ≥ 2.46; each record one frame of klauspost/compress's EncodeAll).
// Decoded with fzstd (pure JS, synchronous: node:zlib has no zstd before Node
// 22.15, and the wasm decoders zstddec and @bokuweb/zstd-wasm need an async
// start the replay cannot wait for; on the 125 records of
// fixtures/p35-datadir.tgz's WAL, warmed up, they decode 31 and 27 MB/s,
// fzstd 33), loaded by the first zstd record.
//
// fzstd allocates a frame's declared content size, or its window size when
// it has none, before it decodes anything. So the frames are walked first
// (RFC 8878 §3.1: frame header, then blocks of a 3-byte header each, last
// flag in bit 0, type in bits 1-2, size in bits 3-23), and what a frame may
// produce is bounded by its blocks: a raw or RLE block its size, a
// compressed one at most 128 KiB. A declared size above that bound is
// corrupt; a window larger than MAX_ZSTD_WINDOW is refused.

import { createRequire } from 'node:module';

/** Largest decompressed zstd record accepted (Prometheus records are far smaller). */
export const MAX_ZSTD_RECORD = 256 * 1024 * 1024;
/** Largest window accepted: klauspost/compress's default encoder window is 8 MiB. */
export const MAX_ZSTD_WINDOW = 8 * 1024 * 1024;
const MAX_BLOCK = 128 * 1024;
const FRAME_MAGIC = 0xfd2fb528;

let fzstd: typeof import('fzstd') | undefined;
const loadFzstd = () => (fzstd ??= createRequire(import.meta.url)('fzstd') as typeof import('fzstd'));

/** Decompresses a record of zstd frames; throws Error with a message naming what is wrong. */
export function zstdDecompress(data: Uint8Array): Uint8Array {
  const bound = checkFrames(data);
  let out: Uint8Array;
  try {
    out = loadFzstd().decompress(data);
  } catch (e) {
    throw new Error(`zstd: ${(e as Error).message}`, { cause: e });
  }
  if (out.length > bound) throw new Error(`zstd: produced ${out.length} bytes, more than its blocks can hold (${bound})`);
  return out;
}

const le32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

/** Walks every frame; returns the most the frames can produce, or throws. */
export function checkFrames(b: Uint8Array): number {
  let o = 0;
  let total = 0;
  if (b.length === 0) throw new Error('zstd: empty record');
  while (o < b.length) {
    if (o + 4 > b.length) throw new Error(`zstd: frame at ${o} is cut off`);
    const magic = le32(b, o);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // Skippable frame: magic, 4-byte size, data.
      if (o + 8 > b.length) throw new Error(`zstd: skippable frame at ${o} is cut off`);
      o += 8 + le32(b, o + 4);
      if (o > b.length) throw new Error('zstd: skippable frame runs past the record');
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new Error(`zstd: no frame magic at ${o} (0x${magic.toString(16)})`);
    const f = readFrameHeader(b, o + 4);
    let bound = 0;
    let p = f.next;
    for (;;) {
      if (p + 3 > b.length) throw new Error(`zstd: block header at ${p} is cut off`);
      const h = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
      const type = (h >> 1) & 3;
      const size = h >>> 3;
      if (type === 3) throw new Error(`zstd: block at ${p} has the reserved type`);
      p += 3 + (type === 1 ? 1 : size);
      if (p > b.length) throw new Error('zstd: block runs past the record');
      bound += type === 2 ? MAX_BLOCK : size;
      if (h & 1) break;
    }
    if (f.checksum) p += 4;
    if (p > b.length) throw new Error('zstd: frame checksum is cut off');
    if (f.contentSize !== undefined && f.contentSize > bound) {
      throw new Error(`zstd: frame at ${o} declares ${f.contentSize} bytes, more than its blocks can hold (${bound})`);
    }
    if (!f.contentSize && f.window > MAX_ZSTD_WINDOW) {
      throw new Error(`zstd: frame at ${o} has a ${f.window}-byte window, more than ${MAX_ZSTD_WINDOW}`);
    }
    total += f.contentSize ?? bound;
    if (total > MAX_ZSTD_RECORD) throw new Error(`zstd: the record would be more than ${MAX_ZSTD_RECORD} bytes`);
    o = p;
  }
  return total;
}

/** RFC 8878 §3.1.1.1: descriptor, window descriptor, dictionary ID, content size. */
function readFrameHeader(b: Uint8Array, o: number): { next: number; window: number; contentSize?: number; checksum: boolean } {
  if (o >= b.length) throw new Error('zstd: frame header is cut off');
  const d = b[o]!;
  if (d & 0x08) throw new Error('zstd: frame header has the reserved bit set');
  const singleSegment = (d >> 5) & 1;
  const fcsFlag = d >> 6;
  const dictBytes = [0, 1, 2, 4][d & 3]!;
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  let p = o + 1;
  let window = 0;
  if (!singleSegment) {
    const wd = b[p++]!;
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
  }
  p += dictBytes;
  if (p + fcsBytes > b.length) throw new Error('zstd: frame header is cut off');
  let contentSize: number | undefined;
  if (fcsBytes > 0) {
    contentSize = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) contentSize = contentSize * 256 + b[p + i]!;
    if (fcsBytes === 2) contentSize += 256;
  }
  p += fcsBytes;
  if (singleSegment) window = contentSize!;
  return { next: p, window, contentSize, checksum: ((d >> 2) & 1) === 1 };
}
