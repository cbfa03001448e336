// Unpack a snapshot archive (.tar, .tgz/.tar.gz, or stdin) into a fresh
// temporary directory. Gzip is recognised by its magic bytes, not the
// file name. Members that could escape the directory (absolute paths,
// `..`, links, devices) are never written; they are reported instead.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import tar from 'tar-stream';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

export interface UnsafeMember {
  name: string;
  reason: string;
}

export interface Extracted {
  /** The temporary directory holding the archive's files. */
  dir: string;
  unsafe: UnsafeMember[];
  cleanup(): Promise<void>;
  cleanupSync(): void;
}

/** Why a member name or type is unsafe to follow, or undefined when it is safe. */
export function unsafeReason(name: string, type: string | null | undefined): string | undefined {
  if (type !== 'file' && type !== 'directory' && type !== 'contiguous-file') return `is a ${type ?? 'special'} entry`;
  if (name.includes('\0')) return 'has a NUL byte in its path';
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) return 'has an absolute path';
  if (name.split(/[\\/]/).includes('..')) return 'has a `..` path component';
  return undefined;
}

/** A stream that gunzips its input when it starts with the gzip magic, and passes it through otherwise. */
function maybeGunzip(): Transform {
  let inner: Transform | undefined;
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!inner) {
        inner = chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b ? zlib.createGunzip() : new PassThrough();
        inner.on('data', (d) => out.push(d));
        inner.on('error', (e) => out.destroy(new TsdbError(ErrorCode.BadInput, `gzip stream is corrupt: ${e.message}`, {}, { cause: e })));
      }
      if (inner.write(chunk)) cb();
      else inner.once('drain', () => cb());
    },
    flush(cb) {
      if (!inner) return cb();
      inner.once('end', () => cb());
      inner.end();
    },
  });
  return out;
}

export async function extractArchive(input: string): Promise<Extracted> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-inspect-'));
  const cleanupSync = () => fs.rmSync(dir, { recursive: true, force: true });
  const cleanup = async () => cleanupSync();
  const unsafe: UnsafeMember[] = [];
  let src: Readable;
  if (input === '-') src = process.stdin;
  else src = fs.createReadStream(input);
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const reason = unsafeReason(header.name, header.type);
    if (reason) {
      unsafe.push({ name: header.name, reason });
      stream.resume();
      stream.on('end', next);
      return;
    }
    const target = path.join(dir, path.normalize(header.name));
    if (target !== dir && !target.startsWith(dir + path.sep)) {
      unsafe.push({ name: header.name, reason: 'resolves outside the archive root' });
      stream.resume();
      stream.on('end', next);
      return;
    }
    if (header.type === 'directory') {
      fs.mkdirSync(target, { recursive: true });
      stream.resume();
      stream.on('end', next);
      return;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    pipeline(stream, fs.createWriteStream(target)).then(() => next(), next);
  });
  try {
    await pipeline(src, maybeGunzip(), extract);
  } catch (e) {
    await cleanup();
    if (e instanceof TsdbError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new TsdbError(ErrorCode.NotFound, `${input}: no such file`, {}, { cause: e });
    throw new TsdbError(ErrorCode.BadInput, `${input === '-' ? 'stdin' : input}: not a readable tar archive: ${err.message}`, {}, { cause: e });
  }
  return { dir, unsafe, cleanup, cleanupSync };
}
