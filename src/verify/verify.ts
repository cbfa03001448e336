// verify: read an archive as a stream (or a directory), check every byte
// of every block, and report findings. Nothing is extracted or written
// (an index over 256 MB waits in a temp dir that is always removed).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, TsdbError, type Finding } from '../encoding/errors.js';
import { isULID } from '../meta/meta.js';
import { splitMemberPath, type MemberInfo } from '../snapshot/layout-check.js';
import { readArchive } from '../snapshot/stream.js';
import type { DataDirFiles } from '../wal/head.js';
import { Collector } from './collect.js';
import { finish, type VerifyOptions, type VerifyResult } from './result.js';
import { special, unreadable } from './usage.js';
import { verifyDir } from './verify-dir.js';
import { Code } from '../encoding/finding-codes.js';

export { verifyDir, type VerifyOptions, type VerifyResult };

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
    const kind = isULID(c) ? 'block' : c === 'wal' || c === 'chunks_head' ? 'head' : undefined;
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
    findings.push({ severity: 'warning', code: Code.UnexpectedFile, message: `member \`${n.slice(0, 200)}\` is neither a block file nor part of the WAL head; Prometheus ignores it` });
  }
  if (!archive.gzip && opts.name && /\.(tgz|gz)$/i.test(opts.name) && archive.bytesIn > 0) {
    archive.findings.unshift({
      severity: 'warning',
      code: Code.NotGzip,
      message: `${path.basename(opts.name)} is named like a gzip archive but is not gzip-compressed (no gzip magic bytes); it is read as a plain tar`,
    });
  }
  findings.unshift(...archive.findings);
  const headFiles = new Map<string, DataDirFiles>();
  for (const [dir, m] of heads) headFiles.set(dir.replace(/\//g, '_'), m);
  return finish(collector, members, findings, inDataDir === 0, headFiles);
}
