// TEST ONLY. Shared pieces of the fuzz suites: a ustar writer that says where
// each member's header and data went (so a mutation can be made in place),
// the real fixtures as member lists, and verify run in-process with a time
// bound and a JSON round trip.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Finding } from '../../src/encoding/errors.js';
import { verifyStream, type VerifyOptions, type VerifyResult } from '../../src/verify/verify.js';
import { cpuMs } from '../helpers/errors.js';

export interface Member {
  /** Path in the archive; directories end with `/`. */
  name: string;
  type?: 'file' | 'directory' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'fifo';
  data?: Uint8Array;
  linkname?: string;
}

export interface BuiltTar {
  tar: Buffer;
  /** Member name → offset of its 512-byte header. */
  headerAt: Map<string, number>;
  /** Member name → offset of its data. */
  dataAt: Map<string, number>;
  /** Offset of the end-of-archive marker. */
  endAt: number;
}

const FLAG: Record<NonNullable<Member['type']>, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

/** One ustar header block; names over 100 bytes are split into prefix and name. */
export function ustarHeader(o: { name: string; size: number; flag: string; linkname?: string; base256?: boolean }): Buffer {
  const b = Buffer.alloc(512);
  let name = o.name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    if (cut <= 0 || cut > 155 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`name too long for ustar: ${name}`);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  b.write(name, 0, 100, 'utf8');
  b.write(o.flag === '5' ? '0000755\0' : '0000644\0', 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  if (o.base256) {
    b[124] = 0x80;
    let v = o.size;
    for (let i = 135; i > 124; i--) {
      b[i] = v % 256;
      v = Math.floor(v / 256);
    }
  } else b.write(o.size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  b.write('15113414400\0', 136, 'latin1'); // mtime 2026-11-22
  b[156] = o.flag.charCodeAt(0);
  if (o.linkname) b.write(o.linkname, 157, 100, 'utf8');
  b.write('ustar\0' + '00', 257, 'latin1');
  b.write('root', 265, 32, 'latin1');
  b.write('root', 297, 32, 'latin1');
  if (prefix) b.write(prefix, 345, 155, 'utf8');
  return sealHeader(b);
}

/** Write the header checksum (GNU style: six octal digits, NUL, space). */
export function sealHeader(b: Buffer): Buffer {
  b.fill(32, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return b;
}

export function padTo512(n: number): number {
  return (512 - (n % 512)) % 512;
}

/** A tar of `members` in order, ending with the two zero blocks tar writes. */
export function buildTar(members: readonly Member[]): BuiltTar {
  const parts: Buffer[] = [];
  const headerAt = new Map<string, number>();
  const dataAt = new Map<string, number>();
  let at = 0;
  for (const m of members) {
    const type = m.type ?? (m.name.endsWith('/') ? 'directory' : 'file');
    const data = type === 'file' ? Buffer.from(m.data ?? new Uint8Array(0)) : Buffer.alloc(0);
    headerAt.set(m.name, at);
    parts.push(ustarHeader({ name: m.name, size: data.length, flag: FLAG[type], linkname: m.linkname }));
    at += 512;
    dataAt.set(m.name, at);
    parts.push(data, Buffer.alloc(padTo512(data.length)));
    at += data.length + padTo512(data.length);
  }
  parts.push(Buffer.alloc(1024));
  return { tar: Buffer.concat(parts), headerAt, dataAt, endAt: at };
}

/** A real archive's members (dirs first, then files, sorted), read with the system tar. */
export function loadMembers(tgz: string): Member[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-members-'));
  try {
    execFileSync('tar', ['xzf', tgz, '-C', dir]);
    const out: Member[] = [];
    const walk = (rel: string) => {
      const full = path.join(dir, rel);
      for (const e of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          out.push({ name: r + '/' });
          walk(r);
        } else out.push({ name: r, data: fs.readFileSync(path.join(dir, r)) });
      }
    };
    walk('');
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Block files of a member list: `snapshots/<s>/<b>/<rel>` → its parts. */
export function blockFiles(members: readonly Member[], rels: readonly string[]): { name: string; snapshot: string; block: string; rel: string; data: Uint8Array }[] {
  const out = [];
  for (const m of members) {
    const p = m.name.split('/');
    if (p.length < 4 || p[0] !== 'snapshots' || !m.data) continue;
    const rel = p.slice(3).join('/');
    if (rels.includes(rel)) out.push({ name: m.name, snapshot: p[1]!, block: p[2]!, rel, data: m.data });
  }
  return out;
}

export interface Run {
  result: VerifyResult;
  /** The result after a JSON round trip (what `verify --format json` prints). */
  json: { ok: boolean; findings: Finding[]; snapshots: unknown[] };
  /** Milliseconds of CPU time the run took (all threads; cpuMs in helpers/errors.ts). */
  cpuMs: number;
}

/** Per-run bound on CPU time: the fixtures verify in well under a second. */
export const RUN_BOUND_MS = 10_000;
/** A run still unfinished after this much wall time hangs (it may wait on a loaded machine, not this long). */
const HANG_MS = 60_000;

/** verify an in-memory archive in-process, in 64 KiB pieces; a run that hangs is an error. */
export async function verifyBuffer(buf: Uint8Array, opts: VerifyOptions = {}): Promise<Run> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < buf.length; i += 1 << 16) pieces.push(Buffer.from(buf.buffer, buf.byteOffset + i, Math.min(1 << 16, buf.length - i)));
  const t0 = process.cpuUsage();
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    verifyStream(Readable.from(pieces), buf.length, opts),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`verify did not finish within ${HANG_MS} ms`)), HANG_MS))),
  ]).finally(() => clearTimeout(timer));
  return { result, json: JSON.parse(JSON.stringify(result)), cpuMs: cpuMs(t0) };
}

export function errorsOf(r: Run): Finding[] {
  return r.json.findings.filter((f) => f.severity === 'error');
}

/** A short account of a run's errors, for failure messages. */
export function summarize(r: Run): string {
  return JSON.stringify(errorsOf(r).map((f) => [f.code, f.block, f.file, f.offset])).slice(0, 600);
}

export function flipBit(data: Uint8Array, at: number, bit: number): Buffer {
  const b = Buffer.from(data);
  b[at]! ^= 1 << bit;
  return b;
}
