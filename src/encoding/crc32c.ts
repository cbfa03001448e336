// CRC32-Castagnoli, the checksum of every TSDB section and record
// (Go's crc32.MakeTable(crc32.Castagnoli)). Two implementations, chosen by
// measurement (bench/crc.mjs): slice-by-8 tables in JS, eight bytes per
// step, and @node-rs/crc32's SIMD code. The native call costs a fixed
// ~0.4 µs, so it wins only from about 256 bytes (a typical chunk record is
// ~500; index sections are megabytes). Without a native build for the
// platform, the tables do everything.

import { createRequire } from 'node:module';

type NativeCrc = (input: Uint8Array, initialState?: number) => number;

/** Lengths from which the native CRC is faster (bench/crc.mjs). */
export const NATIVE_FROM = 256;

function loadNative(): NativeCrc | undefined {
  try {
    return (createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: NativeCrc }).crc32c;
  } catch {
    return undefined;
  }
}

/** @node-rs/crc32's crc32c, when it loads on this platform. */
export const nativeCrc32c: NativeCrc | undefined = loadNative();

const POLY = 0x82f63b78; // reversed Castagnoli polynomial

const T = new Uint32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = T[n];
  for (let k = 1; k < 8; k++) {
    c = T[c & 0xff] ^ (c >>> 8);
    T[k * 256 + n] = c;
  }
}

/** Continue a CRC32C over buf[start, end). Pass the previous result as `crc` (0 to start). */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  // A plain Uint8Array view: cheaper to make than a Buffer's subarray, once per chunk record.
  if (end - start >= NATIVE_FROM && nativeCrc32c !== undefined) return nativeCrc32c(new Uint8Array(buf.buffer, buf.byteOffset + start, end - start), crc);
  return crc32cTable(buf, start, end, crc);
}

/** The slice-by-8 table CRC32C over buf[start, end), continuing `crc`. */
export function crc32cTable(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  let c = ~crc;
  let i = start;
  const stop8 = end - ((end - i) & 7);
  while (i < stop8) {
    const lo = (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)) ^ c;
    c =
      T[1792 + (lo & 0xff)] ^
      T[1536 + ((lo >>> 8) & 0xff)] ^
      T[1280 + ((lo >>> 16) & 0xff)] ^
      T[1024 + (lo >>> 24)] ^
      T[768 + buf[i + 4]] ^
      T[512 + buf[i + 5]] ^
      T[256 + buf[i + 6]] ^
      T[buf[i + 7]];
    i += 8;
  }
  while (i < end) c = T[(c ^ buf[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
