// Read a snapshot archive (.tar or .tar.gz, from any stream) in one pass:
// nothing is extracted, nothing is held whole, and every problem becomes a
// Finding. Gzip is recognised by its magic bytes, not by the file name.
//
// Gzip members are parsed here (header, raw deflate, CRC32 and ISIZE
// trailer) because zlib's Gunzip skips trailing zero bytes without a word and
// drops its last output when garbage follows the last member. Tar headers are
// parsed here because tar-stream's extract skips zero blocks and reads on, so
// it cannot see the end-of-archive marker (GNU tar stops at the first zero
// block), does not say where a bad header is, and aborts the whole archive
// when a consumer destroys one entry stream.

import { PassThrough, type Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { Finding } from '../encoding/errors.js';
import { isSnapshotName, splitMemberPath } from './layout-check.js';

export interface ArchiveEntry {
  /** Member path, normalized to `snapshots/<snapshot>/…` (no `./`, no trailing `/`). */
  name: string;
  /** `file` or `directory`: nothing else is passed to the visitor. */
  type: string;
  size: number;
  /**
   * The member's data; must be consumed or resumed by the visitor before its promise
   * settles (what is left is then discarded). Errors (with the archive's finding as
   * message) if the archive ends or is corrupt inside the member.
   */
  stream: Readable;
}

export interface ArchiveResult {
  findings: Finding[];
  gzip: boolean;
  /** Tar members read (pax and GNU long-name records not counted). */
  members: number;
  /** Compressed (raw input) bytes read. */
  bytesIn: number;
}

const EMPTY: Buffer = Buffer.alloc(0);
const BLOCK = 512;
/** Pax and GNU long-name records are read whole; real ones are a few hundred bytes. */
const MAX_META = 1 << 20;
/** Findings for members outside snapshots/ beyond this many are only counted. */
const MAX_OUTSIDE = 20;

/** A problem that ends reading: becomes a finding. */
class Fault extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Whether the problem is at the current read position (not, say, a CRC over earlier data). */
    readonly here = true,
  ) {
    super(message);
  }
}

/** Pulls bytes from an async iterator of chunks; `offset` counts bytes handed out. */
class Pull {
  offset = 0;
  private buf: Buffer = EMPTY;
  private ended = false;

  constructor(
    private readonly it: AsyncIterator<Uint8Array>,
    private readonly onChunk?: (n: number) => void,
    /** Whether this reads the caller's input, whose errors are `input-error`s. */
    private readonly isInput = false,
  ) {}

  /** The next bytes, at most `max` of them (a view, no copy); empty at the end. */
  async take(max: number): Promise<Buffer> {
    while (this.buf.length === 0) {
      if (this.ended) return EMPTY;
      let r: IteratorResult<Uint8Array>;
      try {
        r = await this.it.next();
      } catch (e) {
        if (!this.isInput || e instanceof Fault) throw e;
        throw new Fault('input-error', `reading the input failed after ${this.offset} bytes: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (r.done) {
        this.ended = true;
        return EMPTY;
      }
      const v = r.value;
      this.buf = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      this.onChunk?.(this.buf.length);
    }
    const b = this.buf.length <= max ? this.buf : this.buf.subarray(0, max);
    this.buf = this.buf.subarray(b.length);
    this.offset += b.length;
    return b;
  }

  /** Exactly `n` bytes (copied only when they span chunks); fewer only at the end. */
  async read(n: number): Promise<Buffer> {
    const first = await this.take(n);
    if (first.length === n || first.length === 0) return first;
    const parts = [first];
    let got = first.length;
    while (got < n) {
      const b = await this.take(n - got);
      if (b.length === 0) break;
      parts.push(b);
      got += b.length;
    }
    return Buffer.concat(parts, got);
  }

  /** Skip `n` bytes, showing each piece to `see`; returns how many were there. */
  async skip(n: number, see?: (b: Buffer) => void): Promise<number> {
    let left = n;
    while (left > 0) {
      const b = await this.take(left);
      if (b.length === 0) break;
      see?.(b);
      left -= b.length;
    }
    return n - left;
  }

  /** Put back the bytes just taken. */
  unread(b: Buffer): void {
    this.buf = this.buf.length === 0 ? b : Buffer.concat([b, this.buf]);
    this.offset -= b.length;
  }

  /** Stop early: ends (destroys) the source. */
  async close(): Promise<void> {
    this.ended = true;
    this.buf = EMPTY;
    try {
      await this.it.return?.();
    } catch {
      // already failed; its error was reported
    }
  }
}

// ---- gzip (RFC 1952) ----

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

/** Decompressed bytes of every gzip member in `raw`, checking each header and trailer. */
async function* gunzip(raw: Pull, report: (f: Finding) => void): AsyncGenerator<Buffer> {
  let outBytes = 0;
  for (let member = 1; ; member++) {
    const start = raw.offset;
    const m = `gzip member ${member} (at compressed byte ${start})`;
    await readGzipHeader(raw, m);
    const inf = zlib.createInflateRaw({ chunkSize: 1 << 16 }); // fewer, larger output chunks
    let crc = 0;
    let size = 0;
    try {
      for (;;) {
        const chunk = await raw.take(1 << 16);
        if (chunk.length === 0) throw new Fault('gzip-truncated', `${m} ends early, after ${raw.offset} compressed bytes (${outBytes} decompressed): the archive is cut short`);
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
    if (t.length < 8) throw new Fault('gzip-truncated', `${m} ends inside its 8-byte trailer, after ${raw.offset} compressed bytes: the archive is cut short`);
    if (t.readUInt32LE(0) !== crc) {
      throw new Fault('gzip-corrupt', `${m}: CRC32 of the decompressed data is ${hex(crc)}, the trailer says ${hex(t.readUInt32LE(0))}: the data is corrupt`, false);
    }
    if (t.readUInt32LE(4) !== size % 2 ** 32) {
      throw new Fault('gzip-corrupt', `${m}: decompressed to ${size} bytes, the trailer says ${t.readUInt32LE(4)} (mod 2^32)`, false);
    }
    const next = await raw.read(2);
    raw.unread(next);
    if (next.length === 0) return;
    if (next[0] === 0x1f && (next.length === 1 || next[1] === 0x8b)) continue; // another member (gzip a >x; gzip b >>x)
    await reportTrailing(raw, report);
    return;
  }
}

async function readGzipHeader(raw: Pull, m: string): Promise<void> {
  const truncated = () => new Fault('gzip-truncated', `${m} ends inside its header: the archive is cut short`);
  const h = await raw.read(10);
  if (h.length < 10) throw truncated();
  if (h[2] !== 8) throw new Fault('gzip-corrupt', `${m}: compression method ${h[2]} is not deflate (8)`);
  const flags = h[3]!;
  if (flags & 0xe0) throw new Fault('gzip-corrupt', `${m}: reserved header flag bits are set (flags ${hex(flags)})`);
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
    if (c.readUInt16LE(0) !== (hcrc & 0xffff)) throw new Fault('gzip-corrupt', `${m}: header CRC16 mismatch`);
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
      if (failure) throw new Fault('gzip-corrupt', `${m}: deflate data is corrupt (${failure.message})`);
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
  let firstNonZero = -1;
  const n = await raw.skip(Number.MAX_SAFE_INTEGER, (b) => {
    if (firstNonZero >= 0) return;
    const i = b.findIndex((x) => x !== 0);
    if (i >= 0) firstNonZero = raw.offset - b.length + i;
  });
  if (firstNonZero < 0) {
    report({ severity: 'warning', code: 'gzip-trailing-zeros', message: `${n} zero bytes follow the last gzip member at compressed byte ${at}; gzip and tar ignore them` });
  } else {
    report({
      severity: 'error',
      code: 'gzip-trailing-garbage',
      message: `${n} bytes that are not gzip data follow the last gzip member at compressed byte ${at} (first non-zero byte at ${firstNonZero}); gzip -d warns and tar xzf exits with an error`,
    });
  }
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(n > 0xff ? 8 : 2, '0');
}

// ---- tar (POSIX ustar, pax, GNU) ----

interface TarHeader {
  name: string;
  linkname: string;
  size: number;
  flag: string;
}

/** Parse a 512-byte header block, or say why it is not one. */
function parseHeader(b: Buffer): TarHeader | string {
  const want = parseOctal(b, 148, 8);
  // The checksum counts its own field as spaces; old tars summed signed bytes.
  let sum = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 32 : b[i]!;
    sum += c;
    signed += c < 128 ? c : c - 256;
  }
  if (want !== sum && want !== signed) return `header checksum mismatch (stored ${want ?? 'unreadable'}, computed ${sum})`;
  const size = parseSize(b);
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

/** The size field: octal, or GNU base-256 (high bit set) for 8 GiB and more. */
function parseSize(b: Buffer): number | undefined {
  if (!(b[124]! & 0x80)) return parseOctal(b, 124, 12);
  if (b[124] !== 0x80) return undefined; // negative
  let v = 0;
  for (let i = 125; i < 136; i++) v = v * 256 + b[i]!;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Pax extended header records: "<len> <key>=<value>\n". */
function parsePax(b: Buffer): Map<string, string> | undefined {
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
    m.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return m;
}

const TYPES: Record<string, string> = {
  '0': 'file',
  '7': 'file', // contiguous file: a regular file everywhere that matters
  '5': 'directory',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '6': 'fifo',
};

function unsafeReason(name: string, type: string, linkname: string): string | undefined {
  // GNU tar stores a file shared by two snapshots (Prometheus hard-links blocks) as a link to the first copy.
  if (type === 'link') return `is a hard link to \`${linkname}\` (how tar stores a second path to one file, e.g. a block shared by two snapshots)`;
  if (type === 'symlink') return `is a symbolic link to \`${linkname}\``;
  if (type === 'character-device' || type === 'block-device') return `is a ${type.replace('-', ' ')}`;
  if (type === 'fifo') return 'is a FIFO';
  if (name === '') return 'has an empty path';
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) return 'has an absolute path';
  if (name.split(/[\\/]/).includes('..')) return 'has a `..` path component';
  return undefined;
}

/** `./snapshots//a/./b/` → `snapshots/a/b`. */
function normalize(name: string): string {
  return name
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

function where(path: string): Pick<Finding, 'snapshot' | 'block' | 'file'> {
  const p = splitMemberPath(path);
  const w: Pick<Finding, 'snapshot' | 'block' | 'file'> = {};
  if (p) w.snapshot = p.snapshot;
  if (p?.block !== undefined) w.block = p.block;
  if (p?.rel !== undefined) w.file = p.rel;
  return w;
}

/** Sniff formats that are not tar, for a better message. */
function guessFormat(b: Buffer): string {
  if (b.length === 0) return 'it is empty';
  if (b.subarray(0, 3).toString('latin1') === 'BZh') return 'it looks bzip2-compressed; use a .tar or .tar.gz';
  if (b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))) return 'it looks xz-compressed; use a .tar or .tar.gz';
  if (b.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'it looks zstd-compressed; use a .tar or .tar.gz';
  if (b.subarray(0, 4).toString('latin1') === 'PK\x03\x04') return 'it looks like a zip file';
  if (b.length < BLOCK) return `it is ${b.length} bytes, shorter than one tar header`;
  return 'its first 512 bytes are not a tar header';
}

type Where = Pick<Finding, 'snapshot' | 'block' | 'file' | 'offset'>;

class TarReader {
  members = 0;
  /** The member being read, to name it when the stream fails under it. */
  current: { raw: string; where: Where } | undefined;
  private outside = 0;
  /** Whether member paths start at the snapshot dirs (`tar -C snapshots .`). */
  private bare: boolean | undefined;

  constructor(
    private readonly src: Pull,
    private readonly visit: (e: ArchiveEntry) => Promise<void> | void,
    private readonly findings: Finding[],
    private readonly gzip: boolean,
  ) {}

  private pos(n: number): string {
    return `byte ${n} of the ${this.gzip ? 'decompressed ' : ''}tar stream`;
  }

  async run(): Promise<void> {
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Map<string, string> | undefined;
    for (;;) {
      this.current = undefined;
      const at = this.src.offset;
      const block = await this.src.read(BLOCK);
      if (at === 0 && !isZero(block) && !looksLikeTar(block) && (block.length < BLOCK || typeof parseHeader(block) === 'string')) {
        const what = this.gzip ? 'the gzip data does not hold a tar archive' : 'the input is neither gzip nor tar';
        return this.fail('not-an-archive', `${what}: ${this.gzip && block.length === 0 ? 'it decompresses to 0 bytes' : guessFormat(block)}`);
      }
      if (block.length === 0) {
        return this.warn('tar-no-end-marker', `the tar stream ends at ${this.pos(at)} without an end-of-archive marker (two zero blocks); the archive may be incomplete (was tar interrupted?)`);
      }
      if (block.length < BLOCK) return this.fail('tar-truncated', `the archive ends inside the tar header at ${this.pos(at)}: it is cut short`);
      if (isZero(block)) return this.readEnd(at);
      const h = parseHeader(block);
      if (typeof h === 'string') return this.fail('tar-bad-header', `bad tar header at ${this.pos(at)}: ${h}; reading stops here`);

      if (h.flag === 'x' || h.flag === 'L' || h.flag === 'K' || h.flag === 'g') {
        // Extended headers describe the next member; they are small, so read them whole.
        if (h.size > MAX_META) return this.fail('tar-bad-header', `extended header at ${this.pos(at)} declares ${h.size} bytes (limit ${MAX_META})`);
        const data = await this.src.read(h.size);
        if (data.length < h.size || !(await this.skipPadding(h.size))) return this.fail('tar-truncated', `the archive ends inside the extended header at ${this.pos(at)}: it is cut short`);
        if (h.flag === 'x') {
          pax = parsePax(data);
          if (!pax) return this.fail('tar-bad-header', `malformed pax header at ${this.pos(at)}`);
        } else if (h.flag !== 'g') {
          // A pax global header ('g') changes nothing about where members go.
          const z = data.indexOf(0);
          const s = data.toString('utf8', 0, z < 0 ? data.length : z);
          if (h.flag === 'L') longName = s;
          else longLink = s;
        }
        continue;
      }
      const size = pax?.has('size') ? paxSize(pax.get('size')!) : h.size;
      if (size === undefined) return this.fail('tar-bad-header', `bad pax size \`${pax!.get('size')}\` for the member at ${this.pos(at)}`);
      const name = pax?.get('path') ?? longName ?? h.name;
      const linkname = pax?.get('linkpath') ?? longLink ?? h.linkname;
      pax = longName = longLink = undefined;
      this.members++;
      if (!(await this.member(at, name, linkname, h.flag, size))) return;
    }
  }

  /** One member; false when reading must stop. */
  private async member(at: number, raw: string, linkname: string, flag: string, size: number): Promise<boolean> {
    let type = TYPES[flag];
    if (type === 'file' && flag === '0' && raw.endsWith('/')) type = 'directory'; // pre-POSIX tars
    const path = normalize(raw);
    this.current = { raw, where: where(path) };
    if (type === undefined) {
      this.warn('unsupported-member', `member \`${raw}\` has tar entry type '${flag}', which tsdb-inspect does not read; it is skipped`, where(path));
      return this.skip(at, raw, size);
    }
    const why = unsafeReason(raw, type, linkname);
    if (why) {
      this.fail('unsafe-member', `member \`${raw}\` ${why}; it is not read or followed`, where(path));
      return this.skip(at, raw, size);
    }
    const name = this.mapPath(path);
    const p = splitMemberPath(name);
    if (type === 'file' && p?.block === undefined) {
      if (++this.outside <= MAX_OUTSIDE) {
        this.fail('outside-snapshots', `member \`${raw}\` is not under snapshots/<snapshot>/ (the operator procedure archives snapshots/); it is not read`);
      }
      return this.skip(at, raw, size);
    }
    if (!p) return this.skip(at, raw, size); // a dir outside snapshots/ restores nothing
    this.current.where = where(name);
    return this.deliver(at, raw, name, type, size);
  }

  /** `tar -C snapshots .` stores `<snapshot>/…`: read that as snapshots/<snapshot>/…. */
  private mapPath(path: string): string {
    if (path === '') return path;
    const top = path.split('/', 1)[0]!;
    if (this.bare === undefined) {
      this.bare = top !== 'snapshots' && isSnapshotName(top);
      if (this.bare) {
        this.warn('no-snapshots-dir', `member paths start at the snapshot dir (\`${top}/\`), not at snapshots/ (made with tar -C snapshots .?); reading them as snapshots/${top}/…`);
      }
    }
    return this.bare && isSnapshotName(top) ? `snapshots/${path}` : path;
  }

  private async skip(at: number, raw: string, size: number): Promise<boolean> {
    const got = await this.src.skip(size);
    if (got === size && (await this.skipPadding(size))) return true;
    this.fail('tar-truncated', `the archive ends inside member \`${raw}\` (from ${this.pos(at)}) after ${got} of its ${size} bytes: it is cut short`, { ...this.current?.where, offset: got });
    return false;
  }

  /** Hand a member to the visitor, streaming its data with backpressure. */
  private async deliver(at: number, raw: string, name: string, type: string, size: number): Promise<boolean> {
    const stream = new PassThrough({ highWaterMark: 1 << 16 });
    // A visitor that does not listen for errors must not crash the process.
    stream.on('error', () => {});
    let failed = false;
    const visiting = Promise.resolve()
      .then(() => this.visit({ name, type, size: type === 'directory' ? 0 : size, stream }))
      .catch((e: unknown) => {
        if (!failed) this.fail('visit-failed', `checking member \`${raw}\` failed: ${e instanceof Error ? e.message : String(e)}`, where(name));
      })
      .finally(() => stream.resume()); // discard whatever the visitor left
    let got = 0;
    try {
      while (got < size) {
        const b = await this.src.take(size - got);
        if (b.length === 0) break;
        got += b.length;
        if (type === 'file' && !stream.destroyed && !stream.write(b)) await drained(stream);
      }
      if (got === size && (await this.skipPadding(size))) {
        stream.end();
        await visiting;
        return true;
      }
      this.fail('tar-truncated', `the archive ends inside member \`${raw}\` (from ${this.pos(at)}) after ${got} of its ${size} bytes: it is cut short`, { ...where(name), offset: got });
      failed = true;
      stream.destroy(new Error(`archive ends inside ${name} after ${got} of ${size} bytes`));
      await visiting;
      return false;
    } catch (e) {
      failed = true;
      if (this.current) this.current.where.offset = got;
      stream.destroy(new Error(`archive is unreadable inside ${name} after ${got} of ${size} bytes: ${e instanceof Error ? e.message : String(e)}`));
      await visiting;
      throw e;
    }
  }

  private async skipPadding(size: number): Promise<boolean> {
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    return (await this.src.skip(pad)) === pad;
  }

  /** After a zero block: the end of the archive. tar ignores what follows, so it must be zeros. */
  private async readEnd(at: number): Promise<void> {
    const second = await this.src.read(BLOCK);
    if (second.length === 0) {
      this.warn('tar-no-end-marker', `the tar stream ends with one zero block at ${this.pos(at)}; the end-of-archive marker is two, so the archive may be incomplete`);
      return;
    }
    this.src.unread(second);
    let firstNonZero = -1;
    let next: TarHeader | string | undefined;
    await this.src.skip(Number.MAX_SAFE_INTEGER, (b) => {
      if (firstNonZero >= 0) return;
      const i = b.findIndex((x) => x !== 0);
      if (i < 0) return;
      firstNonZero = this.src.offset - b.length + i;
      if (firstNonZero % BLOCK === 0 && i + BLOCK <= b.length) next = parseHeader(b.subarray(i, i + BLOCK));
    });
    if (firstNonZero < 0) return;
    // A whole header there means another archive was appended (cat a.tar b.tar).
    const more = typeof next === 'object' ? ` It starts with member \`${next.name}\`: was another tar appended (cat a.tar b.tar)? tar reads only up to the marker unless given --ignore-zeros.` : '';
    this.fail(
      'tar-trailing-garbage',
      `data follows the end-of-archive marker at ${this.pos(at)} (first non-zero byte at ${firstNonZero}, ${this.src.offset - firstNonZero} bytes to the end); tar stops at the marker, so it is never restored.${more}`,
    );
  }

  /** Findings that summarize the whole archive. */
  finish(): void {
    if (this.outside > MAX_OUTSIDE) this.fail('outside-snapshots', `${this.outside - MAX_OUTSIDE} more members are not under snapshots/<snapshot>/ (not listed one by one)`);
  }

  fail(code: string, message: string, w: Where = {}): void {
    this.findings.push({ severity: 'error', code, ...w, message });
  }

  warn(code: string, message: string, w: Where = {}): void {
    this.findings.push({ severity: 'warning', code, ...w, message });
  }
}

/** Resolves when a full stream can take more, or is gone. */
function drained(s: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}

/**
 * Read a .tar or .tar.gz archive from `input` in one pass, handing each safe member
 * under snapshots/ to `visit` in archive order (one at a time). Never rejects: every
 * problem is a finding, and reading stops cleanly after one that leaves the rest
 * unreadable. The input is consumed (destroyed when reading stops early).
 */
export async function readArchive(
  input: Readable,
  visit: (e: ArchiveEntry) => Promise<void> | void,
  opts: { onProgress?(bytesIn: number): void } = {},
): Promise<ArchiveResult> {
  const findings: Finding[] = [];
  let bytesIn = 0;
  const raw = new Pull(
    input[Symbol.asyncIterator](),
    (n) => {
      bytesIn += n;
      opts.onProgress?.(bytesIn);
    },
    true,
  );
  let src = raw;
  let gzip = false;
  let tar: TarReader | undefined;
  try {
    const magic = await raw.read(2);
    raw.unread(magic);
    gzip = magic.length === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    if (gzip) src = new Pull(gunzip(raw, (f) => findings.push(f)));
    tar = new TarReader(src, visit, findings, gzip);
    await tar.run();
    if (gzip) {
      // Decompress the rest even when tar reading stopped: a corrupt deflate stream shows up
      // as a bad tar header (or no tar at all) first; only the gzip CRC at the end says why.
      tar.current = undefined;
      await src.skip(Number.MAX_SAFE_INTEGER);
    }
  } catch (e) {
    if (!(e instanceof Fault)) {
      findings.push({ severity: 'error', code: 'internal-error', message: `tsdb-inspect failed reading the archive (a bug): ${e instanceof Error ? e.message : String(e)}` });
    } else if (tar?.current && e.here) {
      findings.push({ severity: 'error', code: e.code, ...tar.current.where, message: `${e.message}; reading member \`${tar.current.raw}\`` });
    } else {
      findings.push({ severity: 'error', code: e.code, message: e.message });
    }
  } finally {
    tar?.finish();
    await src.close();
    if (src !== raw) await raw.close();
  }
  return { findings, gzip, members: tar?.members ?? 0, bytesIn };
}

function paxSize(s: string): number | undefined {
  return /^\d{1,16}$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined;
}

function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return b.length > 0;
}

function looksLikeTar(b: Buffer): boolean {
  return b.length >= 263 && b.toString('latin1', 257, 262) === 'ustar';
}
