// Gzip members (RFC 1952), parsed here over zlib's raw inflate: header,
// deflate data, and the CRC32 and ISIZE trailer of every member, one after
// the other (`gzip a >x; gzip b >>x` is one stream). zlib's Gunzip is not
// used because it skips trailing zero bytes without a word and drops its
// last output when garbage follows the last member.
//
// Work is bounded by the input: deflate expands at most ~1032:1, and output
// is streamed, never held (a 1 GB gzip bomb costs time, not memory).

import * as zlib from 'node:zlib';
import type { Finding } from '../encoding/errors.js';
import { Fault, firstNonZero, type Pull } from './pull.js';
import { Code } from '../encoding/finding-codes.js';

const crc32: (data: Uint8Array, prev?: number) => number = typeof zlib.crc32 === 'function' ? zlib.crc32 : crc32Table;

let table: Int32Array | undefined;
/** CRC-32 for Node 20 releases before zlib.crc32 (20.15). */
function crc32Table(data: Uint8Array, prev = 0): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let c = ~prev;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export function isGzipMagic(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Decompressed bytes of every gzip member in `raw`, checking each header and trailer. */
export async function* gunzip(raw: Pull, report: (f: Finding) => void): AsyncGenerator<Buffer> {
  let outBytes = 0;
  for (let member = 1; ; member++) {
    const start = raw.offset;
    const m = `gzip member ${member} (at compressed byte ${start})`;
    await readGzipHeader(raw, m);
    // 256 KiB in and out per step: fewer round trips to zlib's thread (64 KiB cost ~25% of verify's time).
    const inf = zlib.createInflateRaw({ chunkSize: 1 << 18 });
    let crc = 0;
    let size = 0;
    try {
      for (;;) {
        const chunk = await raw.take(1 << 18);
        if (chunk.length === 0) throw new Fault(Code.GzipTruncated, `${m} ends early, after ${raw.offset} compressed bytes (${outBytes} decompressed): the archive is cut short`);
        const before = inf.bytesWritten;
        for await (const out of inflateChunk(inf, chunk, m)) {
          crc = crc32(out, crc);
          size += out.length;
          outBytes += out.length;
          yield out;
        }
        // Raw inflate stops taking input at the end of the deflate data.
        const used = inf.bytesWritten - before;
        if (used < chunk.length) {
          raw.unread(chunk.subarray(used));
          break;
        }
      }
    } finally {
      inf.destroy();
    }
    const t = await raw.read(8);
    if (t.length < 8) throw new Fault(Code.GzipTruncated, `${m} ends inside its 8-byte trailer, after ${raw.offset} compressed bytes: the archive is cut short`);
    if (t.readUInt32LE(0) !== crc) {
      throw new Fault(Code.GzipCorrupt, `${m}: CRC32 of the decompressed data is ${hex(crc)}, the trailer says ${hex(t.readUInt32LE(0))}: the data is corrupt`, false);
    }
    if (t.readUInt32LE(4) !== size % 2 ** 32) {
      throw new Fault(Code.GzipCorrupt, `${m}: decompressed to ${size} bytes, the trailer says ${t.readUInt32LE(4)} (mod 2^32)`, false);
    }
    const next = await raw.read(2);
    raw.unread(next);
    if (next.length === 0) return;
    if (next[0] === 0x1f && (next.length === 1 || next[1] === 0x8b)) continue; // another member (gzip a >x; gzip b >>x)
    await reportTrailing(raw, report);
    return;
  }
}

/**
 * The member header. MTIME, XFL, OS, the FTEXT flag and the FNAME/FCOMMENT
 * text describe the data and are not covered by any checksum unless FHCRC is
 * set; gzip -d ignores them, so a change there changes nothing restored.
 */
async function readGzipHeader(raw: Pull, m: string): Promise<void> {
  const truncated = () => new Fault(Code.GzipTruncated, `${m} ends inside its header: the archive is cut short`);
  const h = await raw.read(10);
  if (h.length < 10) throw truncated();
  if (h[0] !== 0x1f || h[1] !== 0x8b) throw new Fault(Code.GzipCorrupt, `${m}: magic is ${hex(h[0]!)} ${hex(h[1]!)}, not 0x1f 0x8b`);
  if (h[2] !== 8) throw new Fault(Code.GzipCorrupt, `${m}: compression method ${h[2]} is not deflate (8)`);
  const flags = h[3]!;
  if (flags & 0xe0) throw new Fault(Code.GzipCorrupt, `${m}: reserved header flag bits are set (flags ${hex(flags)})`);
  let hcrc = crc32(h);
  const see = (b: Buffer) => (hcrc = crc32(b, hcrc));
  if (flags & 4) {
    const x = await raw.read(2);
    if (x.length < 2) throw truncated();
    see(x);
    const xlen = x.readUInt16LE(0);
    if ((await raw.skip(xlen, see)) < xlen) throw truncated();
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue; // FNAME, FCOMMENT: zero-terminated
    for (;;) {
      const b = await raw.take(4096);
      if (b.length === 0) throw truncated();
      const z = b.indexOf(0);
      if (z < 0) {
        see(b);
        continue;
      }
      see(b.subarray(0, z + 1));
      raw.unread(b.subarray(z + 1));
      break;
    }
  }
  if (flags & 2) {
    const c = await raw.read(2);
    if (c.length < 2) throw truncated();
    if (c.readUInt16LE(0) !== (hcrc & 0xffff)) throw new Fault(Code.GzipCorrupt, `${m}: header CRC16 mismatch`);
  }
}

/** Feed one chunk to a raw inflater and yield what comes out, until it has used the chunk. */
async function* inflateChunk(inf: zlib.InflateRaw, chunk: Buffer, m: string): AsyncGenerator<Buffer> {
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onError = (e: Error) => {
    failure ??= e;
    poke();
  };
  inf.on('readable', poke);
  inf.on('error', onError);
  inf.write(chunk, (e) => {
    if (e) failure ??= e;
    done = true;
    poke();
  });
  try {
    for (;;) {
      // Output is pushed before the write callback runs, so once `done` nothing more comes.
      let out: Buffer | null;
      while ((out = inf.read() as Buffer | null) !== null) yield out;
      if (failure) throw new Fault(Code.GzipCorrupt, `${m}: deflate data is corrupt (${failure.message})`);
      if (done) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    inf.off('readable', poke);
    inf.off('error', onError);
  }
}

/** Bytes after the last gzip member: zeros (padding) are harmless, anything else is not. */
async function reportTrailing(raw: Pull, report: (f: Finding) => void): Promise<void> {
  const at = raw.offset;
  let nonZeroAt = -1;
  const n = await raw.skip(Number.MAX_SAFE_INTEGER, (b) => {
    if (nonZeroAt >= 0) return;
    const i = firstNonZero(b);
    if (i >= 0) nonZeroAt = raw.offset - b.length + i;
  });
  if (nonZeroAt < 0) {
    report({ severity: 'warning', code: Code.GzipTrailingZeros, message: `${n} zero bytes follow the last gzip member at compressed byte ${at}; gzip and tar ignore them` });
  } else {
    report({
      severity: 'error',
      code: Code.GzipTrailingGarbage,
      message: `${n} bytes that are not gzip data follow the last gzip member at compressed byte ${at} (first non-zero byte at ${nonZeroAt}); gzip -d warns and tar xzf exits with an error`,
    });
  }
}

export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(n > 0xff ? 8 : 2, '0');
}
