// Tar header blocks (POSIX ustar, pax extended headers, GNU extensions):
// parsing one 512-byte header, pax records, entry types, and what makes a
// member unsafe to extract. Pure functions, no I/O.

import type { Finding } from '../encoding/errors.js';
import { placePath } from './classify.js';

export const BLOCK = 512;
/** Linux's PATH_MAX, with its terminating NUL: tar cannot create a longer path. */
export const PATH_MAX = 4096;

export interface TarHeader {
  name: string;
  linkname: string;
  size: number;
  flag: string;
}

/**
 * Parse a 512-byte header block, or say why it is not one. The checksum sums
 * all 512 bytes (its own field counted as spaces), so a change to any field,
 * mtime, uname and mode included, is caught. Only the checksum field's own
 * terminator is not summed: GNU tar, like this parser, stops reading the
 * octal digits at the first NUL or space, so what follows them is never read.
 */
export function parseHeader(b: Buffer): TarHeader | string {
  const want = parseOctal(b, 148, 8);
  // Old tars summed signed bytes.
  let sum = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 32 : b[i]!;
    sum += c;
    signed += c < 128 ? c : c - 256;
  }
  if (want !== sum && want !== signed) return `header checksum mismatch (stored ${want ?? 'unreadable'}, computed ${sum})`;
  const size = parseNumber(b, 124, 12);
  if (size === undefined) return 'header size field is not a number';
  let name = cString(b, 0, 100);
  // POSIX ustar splits long paths into prefix + name; GNU tar uses that space otherwise.
  if (b.toString('latin1', 257, 263) === 'ustar\0' && b[345] !== 0) name = cString(b, 345, 155) + '/' + name;
  return { name, linkname: cString(b, 157, 100), size, flag: b[156] === 0 ? '0' : String.fromCharCode(b[156]!) };
}

function cString(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
}

/** Octal digits, maybe space-padded, ended by space or NUL; undefined if anything else. */
function parseOctal(b: Buffer, off: number, len: number): number | undefined {
  let i = off;
  const end = off + len;
  while (i < end && b[i] === 32) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === 0 || c === 32) break;
    if (c < 48 || c > 55) return undefined;
    v = v * 8 + (c - 48);
  }
  return v;
}

/** A numeric field: octal, or GNU base-256 (high bit set) for values too large for its digits. */
export function parseNumber(b: Buffer, off: number, len: number): number | undefined {
  if (!(b[off]! & 0x80)) return parseOctal(b, off, len);
  if (b[off] !== 0x80) return undefined; // negative
  let v = 0;
  for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i]!;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Pax extended header records: "<len> <key>=<value>\n". */
export function parsePax(b: Buffer): Map<string, string> | undefined {
  const m = new Map<string, string>();
  let i = 0;
  while (i < b.length && b[i] !== 0) {
    const sp = b.indexOf(32, i);
    if (sp < 0 || sp - i > 12) return undefined;
    const len = Number(b.toString('latin1', i, sp));
    if (!Number.isInteger(len) || len <= sp - i + 1 || i + len > b.length || b[i + len - 1] !== 10) return undefined;
    const rec = b.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq < 0) return undefined;
    const key = rec.slice(0, eq);
    const value = rec.slice(eq + 1);
    // Sparse format 0.0 repeats these two, in order: kept as the 0.1 map (tar-sparse.ts).
    if (key === 'GNU.sparse.offset' || key === 'GNU.sparse.numbytes') {
      const map = m.get('GNU.sparse.map');
      m.set('GNU.sparse.map', map === undefined ? value : `${map},${value}`);
    } else m.set(key, value);
    i += len;
  }
  return m;
}

export function paxSize(s: string): number | undefined {
  return /^\d{1,16}$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined;
}

export const TYPES: Record<string, string> = {
  '0': 'file',
  '7': 'file', // contiguous file: a regular file everywhere that matters
  S: 'file', // old GNU sparse file (tar-sparse.ts)
  '5': 'directory',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '6': 'fifo',
};

/** Why a path must never be extracted, if it must not. */
export function unsafePath(name: string): string | undefined {
  if (name === '') return 'has an empty path';
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) return 'has an absolute path';
  if (name.split(/[\\/]/).includes('..')) return 'has a `..` path component';
  if (Buffer.byteLength(name) >= PATH_MAX) return `has a path of ${Buffer.byteLength(name)} bytes, longer than PATH_MAX (${PATH_MAX}); tar cannot extract it`;
  return undefined;
}

/** Why a member must not be read or followed, if it must not (hard links are judged by the reader). */
export function unsafeReason(name: string, type: string, linkname: string): string | undefined {
  if (type === 'symlink') return `is a symbolic link to \`${clip(linkname)}\``;
  if (type === 'character-device' || type === 'block-device') return `is a ${type.replace('-', ' ')}`;
  if (type === 'fifo') return 'is a FIFO';
  return unsafePath(name);
}

/** `./snapshots//a/./b/` → `snapshots/a/b`. */
export function normalize(name: string): string {
  return name
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

/** A member path for a message: a hostile one can be a megabyte long. */
export function clip(s: string, max = 200): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} characters)`;
}

/** The snapshot, block and file a member path names, for findings about the member (as classify.ts places it). */
export function where(path: string): Pick<Finding, 'snapshot' | 'block' | 'file'> {
  const p = placePath(path, false);
  const w: Pick<Finding, 'snapshot' | 'block' | 'file'> = {};
  if (p.kind !== 'none') w.snapshot = clip(p.snapshot);
  if (p.kind === 'block') w.block = clip(p.block);
  if ((p.kind === 'block' || p.kind === 'head') && p.rel !== undefined) w.file = clip(p.rel);
  return w;
}

/** Sniff formats that are not tar, for a better message. */
export function guessFormat(b: Buffer): string {
  if (b.length === 0) return 'it is empty';
  if (b.subarray(0, 3).toString('latin1') === 'BZh') return 'it looks bzip2-compressed; use a .tar or .tar.gz';
  if (b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))) return 'it looks xz-compressed; use a .tar or .tar.gz';
  if (b.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'it looks zstd-compressed; use a .tar or .tar.gz';
  if (b.subarray(0, 4).toString('latin1') === 'PK\x03\x04') return 'it looks like a zip file';
  if (b.length < BLOCK) return `it is ${b.length} bytes, shorter than one tar header`;
  return 'its first 512 bytes are not a tar header';
}

export function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return b.length > 0;
}

export function looksLikeTar(b: Buffer): boolean {
  return b.length >= 263 && b.toString('latin1', 257, 262) === 'ustar';
}
