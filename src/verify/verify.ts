// verify: read an archive as a stream (or a directory), check every byte
// of every block, and report findings. Nothing is extracted or written
// (an index over 256 MB waits in a temp dir that is always removed).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, TsdbError, type Finding } from '../encoding/errors.js';
import { checkLayout, isBlockName, splitMemberPath, type MemberInfo } from '../snapshot/layout-check.js';
import { readArchive } from '../snapshot/stream.js';
import { dirDataFiles, type DataDirFiles } from '../wal/head.js';
import { Collector, type CollectorOptions, type SnapshotSummary } from './collect.js';
import { checkHead } from './head-check.js';

export interface VerifyResult {
  ok: boolean;
  snapshots: SnapshotSummary[];
  findings: Finding[];
}

export interface VerifyOptions extends CollectorOptions {
  /** Called with bytes read so far and the total when known. */
  onProgress?(done: number, total: number | undefined): void;
  /** The input's name, for messages (e.g. a `.tgz` that is not gzip). */
  name?: string;
  /** The regular file the stream reads, so a large one can be decompressed in a worker thread. */
  file?: { path: string; size: number };
  /** Force decompression in a worker thread on or off (default: by file size). */
  inflateThread?: boolean;
}

/** What kind of file `st` is, when it is not one verify reads. */
function special(st: fs.Stats): string | undefined {
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return undefined;
}

/** Usage errors carry the path and one plain reason. */
function unreadable(input: string, e: unknown): TsdbError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'a path component is not a directory',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'the path is too long',
    ENXIO: 'no such device (a socket?)',
    EIO: 'input/output error',
  };
  const reason = (code && why[code]) ?? (e instanceof Error ? e.message : String(e));
  return new TsdbError(code === 'ENOENT' || code === 'ENOTDIR' ? ErrorCode.NotFound : ErrorCode.BadInput, `${input}: cannot read it: ${reason}`, {}, { cause: e });
}

/** Verify an archive file, `-` (stdin), or a directory. Rejects only for usage errors (unreadable input). */
export async function verify(input: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  if (input === '-') return verifyStream(process.stdin, undefined, { name: 'stdin', ...opts });
  let st: fs.Stats;
  try {
    st = fs.statSync(input);
  } catch (e) {
    throw unreadable(input, e);
  }
  if (st.isDirectory()) return verifyDir(input, opts);
  const what = special(st);
  if (what) throw new TsdbError(ErrorCode.BadInput, `${input} is ${what}, not an archive or a directory`);
  // Open first, so a permission problem is a usage error, not a finding about the data.
  let fd: number;
  try {
    fd = fs.openSync(input, 'r');
  } catch (e) {
    throw unreadable(input, e);
  }
  const file = st.isFile() ? { path: input, size: st.size } : undefined;
  return verifyStream(fs.createReadStream(input, { fd, highWaterMark: 1 << 20 }), file?.size, { name: input, file, ...opts });
}

export async function verifyStream(stream: Readable, total: number | undefined, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const findings: Finding[] = [];
  const collector = new Collector(findings, opts);
  const members: MemberInfo[] = [];
  try {
    return await streamInto(stream, collector, members, findings, total, opts);
  } finally {
    collector.cleanup();
  }
}

/**
 * Where a member of a data-dir archive (a tar of a whole data dir, not of
 * snapshots/) belongs: the path up to its first block, `wal` or
 * `chunks_head` component names the data dir.
 */
function dataDirPath(name: string): { dir: string; kind: 'block' | 'head'; rest: string } | undefined {
  const parts = name.split('/').filter((x) => x !== '' && x !== '.');
  for (let k = 0; k < parts.length; k++) {
    const c = parts[k];
    const kind = isBlockName(c) ? 'block' : c === 'wal' || c === 'chunks_head' ? 'head' : undefined;
    if (kind) return { dir: parts.slice(0, k).join('/') || '.', kind, rest: parts.slice(k).join('/') };
  }
  return undefined;
}

/** WAL and chunks_head files of one data dir, buffered for the replay. */
class MemFiles implements DataDirFiles {
  readonly files = new Map<string, Buffer>();
  get paths(): string[] {
    return [...this.files.keys()].sort();
  }
  read(p: string): Buffer | undefined {
    return this.files.get(p);
  }
}

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function streamInto(stream: Readable, collector: Collector, members: MemberInfo[], findings: Finding[], total: number | undefined, opts: VerifyOptions): Promise<VerifyResult> {
  const heads = new Map<string, MemFiles>();
  const stray: string[] = [];
  let inDataDir = 0;
  const archive = await readArchive(
    stream,
    async (e) => {
      let name = e.name;
      if (!(name === 'snapshots' || name.startsWith('snapshots/'))) {
        // A tar of a data dir (or of a snapshot dir's contents): blocks and the WAL head.
        const d = dataDirPath(name);
        if (!d) {
          if (e.type === 'file') stray.push(name);
          e.stream.resume();
          return;
        }
        inDataDir++;
        if (d.kind === 'head') {
          if (e.type === 'file') {
            let m = heads.get(d.dir);
            if (!m) heads.set(d.dir, (m = new MemFiles()));
            m.files.set(d.rest, await readAll(e.stream));
          } else e.stream.resume();
          return;
        }
        name = `snapshots/${d.dir.replace(/\//g, '_')}/${d.rest}`;
      }
      const p = splitMemberPath(name);
      if (e.type === 'link') {
        // A second path to an earlier file: present, with that file's content.
        members.push({ name, type: 'file', size: e.size });
        if (p?.block && p.rel && e.linkTarget) collector.link(p.snapshot, p.block, p.rel, e.linkTarget);
        return;
      }
      if (e.type === 'file' || e.type === 'directory') members.push({ name, type: e.type, size: e.size });
      if (e.type !== 'file' || !p || !p.block || !p.rel) {
        e.stream.resume();
        return;
      }
      await collector.file(p.snapshot, p.block, p.rel, e.stream);
    },
    { onProgress: opts.onProgress ? (n) => opts.onProgress!(n, total) : undefined, hardLinks: true, anyPath: 'auto', file: opts.file, inflateThread: opts.inflateThread },
  );
  // In a tar of a data dir, lock and queries.active are the server's own; anything else is unexpected.
  for (const n of stray.filter((x) => !/(^|\/)(lock|queries\.active)$/.test(x)).slice(0, 20)) {
    findings.push({ severity: 'warning', code: 'unexpected-file', message: `member \`${n.slice(0, 200)}\` is neither a block file nor part of the WAL head; Prometheus ignores it` });
  }
  if (!archive.gzip && opts.name && /\.(tgz|gz)$/i.test(opts.name) && archive.bytesIn > 0) {
    archive.findings.unshift({
      severity: 'warning',
      code: 'not-gzip',
      message: `${path.basename(opts.name)} is named like a gzip archive but is not gzip-compressed (no gzip magic bytes); it is read as a plain tar`,
    });
  }
  findings.unshift(...archive.findings);
  const headFiles = new Map<string, DataDirFiles>();
  for (const [dir, m] of heads) headFiles.set(dir.replace(/\//g, '_'), m);
  return finish(collector, members, findings, inDataDir === 0, headFiles);
}

function finish(collector: Collector, members: MemberInfo[], findings: Finding[], checkNames: boolean, heads = new Map<string, DataDirFiles>()): VerifyResult {
  const layout = checkLayout(members);
  for (const f of layout.findings) {
    if (!checkNames && f.code === 'bad-snapshot-name') continue;
    // A data dir with only a WAL (a fresh server) has no blocks, and that is fine: its head is the data.
    if (heads.size > 0 && f.code === 'no-blocks') continue;
    findings.push(f);
  }
  for (const s of layout.snapshots) collector.snapshot(s.name);
  for (const name of heads.keys()) collector.snapshot(name);
  const snapshots = collector.finish();
  for (const s of snapshots) {
    const files = heads.get(s.name);
    if (!files) continue;
    // As Prometheus: replay only what the newest block (by minTime) does not cover.
    const last = s.blocks.filter((b) => b.minTime !== null).sort((a, b) => a.minTime! - b.minTime!).pop();
    s.head = checkHead(files, last?.maxTime ?? -Infinity, s.name, findings);
  }
  return { ok: !findings.some((f) => f.severity === 'error'), snapshots, findings };
}

/** Files under `dir`, recursively, as archive members named `prefix/…`. */
function walk(dir: string, prefix: string, out: { member: MemberInfo; file: string }[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    const name = prefix + '/' + e.name;
    if (e.isDirectory()) {
      out.push({ member: { name: name + '/', type: 'directory', size: 0 }, file: full });
      walk(full, name, out);
    } else if (e.isFile()) {
      out.push({ member: { name, type: 'file', size: fs.statSync(full).size }, file: full });
    }
    // Links and special files are never followed.
  }
}

/** A directory: an extracted archive root, a snapshot dir, a data dir, or one block dir. */
export async function verifyDir(dir: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const findings: Finding[] = [];
  const collector = new Collector(findings, opts);
  const files: { member: MemberInfo; file: string }[] = [];
  const abs = path.resolve(dir);
  const heads = new Map<string, DataDirFiles>();
  let checkNames = true;
  let hasBlocks = false;
  try {
    if (fs.existsSync(path.join(abs, 'snapshots')) && !fs.existsSync(path.join(abs, 'meta.json'))) {
      walk(path.join(abs, 'snapshots'), 'snapshots', files);
      // In the archive layout every dir at block depth is meant as a block (the layout check judges its name).
      hasBlocks = files.some((f) => f.member.type === 'directory' && splitMemberPath(f.member.name)?.block !== undefined);
    } else if (fs.existsSync(path.join(abs, 'meta.json'))) {
      // One block: its parent is the snapshot.
      checkNames = false;
      hasBlocks = true;
      walk(abs, `snapshots/${path.basename(path.dirname(abs))}/${path.basename(abs)}`, files);
    } else {
      // A snapshot dir or a data dir: its name is the user's choice, so only its contents are checked.
      checkNames = false;
      const dataDir = fs.existsSync(path.join(abs, 'wal')) || fs.existsSync(path.join(abs, 'chunks_head'));
      const name = path.basename(abs);
      if (dataDir) {
        hasBlocks = true;
        heads.set(name, dirDataFiles(abs));
      }
      for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
        if (dataDir && !/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(e.name)) continue; // the rest of a data dir is not blocks
        const full = path.join(abs, e.name);
        if (e.isDirectory()) {
          hasBlocks ||= isBlockName(e.name) || fs.existsSync(path.join(full, 'meta.json'));
          files.push({ member: { name: `snapshots/${name}/${e.name}/`, type: 'directory', size: 0 }, file: full });
          walk(full, `snapshots/${name}/${e.name}`, files);
        } else if (e.isFile()) files.push({ member: { name: `snapshots/${name}/${e.name}`, type: 'file', size: fs.statSync(full).size }, file: full });
      }
    }
  } catch (e) {
    throw isErrno(e) ? unreadable(errnoPath(e) ?? dir, e) : e;
  }
  // A dir with no block dir in it is not something to verify: the wrong path, most likely.
  if (!hasBlocks) {
    throw new TsdbError(
      ErrorCode.BadInput,
      `${dir}: no block dirs found: give an extracted archive root (holding snapshots/), a snapshot dir, a Prometheus data dir or a block dir`,
    );
  }
  const total = files.reduce((n, f) => n + f.member.size, 0);
  let done = 0;
  try {
    for (const f of files) {
      if (f.member.type !== 'file') continue;
      const p = splitMemberPath(f.member.name);
      if (!p || !p.block || !p.rel) continue;
      let fd: number;
      try {
        fd = fs.openSync(f.file, 'r');
      } catch (e) {
        throw unreadable(f.file, e);
      }
      const stream = fs.createReadStream(f.file, { fd, highWaterMark: 1 << 20 });
      stream.on('data', (c) => opts.onProgress?.((done += c.length), total));
      try {
        await collector.file(p.snapshot, p.block, p.rel, stream);
      } catch (e) {
        throw isErrno(e) ? unreadable(f.file, e) : e;
      }
    }
    return finish(
      collector,
      files.map((f) => f.member),
      findings,
      checkNames,
      heads,
    );
  } finally {
    collector.cleanup();
  }
}

function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

function errnoPath(e: NodeJS.ErrnoException): string | undefined {
  return typeof e.path === 'string' ? e.path : undefined;
}
