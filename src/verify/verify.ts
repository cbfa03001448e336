// verify: read an archive as a stream (or a directory), check every byte
// of every block, and report findings. Nothing is extracted or written.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, TsdbError, type Finding } from '../encoding/errors.js';
import { checkLayout, splitMemberPath, type MemberInfo } from '../snapshot/layout-check.js';
import { readArchive } from '../snapshot/stream.js';
import { Collector, type SnapshotSummary } from './collect.js';

export interface VerifyResult {
  ok: boolean;
  snapshots: SnapshotSummary[];
  findings: Finding[];
}

export interface VerifyOptions {
  /** Called with bytes read so far and the total when known. */
  onProgress?(done: number, total: number | undefined): void;
}

/** Verify an archive file, `-` (stdin), or a directory. */
export async function verify(input: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  if (input === '-') return verifyStream(process.stdin, undefined, opts);
  let st: fs.Stats;
  try {
    st = fs.statSync(input);
  } catch (e) {
    throw new TsdbError(ErrorCode.NotFound, `${input}: no such file or directory`, {}, { cause: e });
  }
  if (st.isDirectory()) return verifyDir(input, opts);
  return verifyStream(fs.createReadStream(input, { highWaterMark: 1 << 20 }), st.size, opts);
}

export async function verifyStream(stream: Readable, total: number | undefined, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const findings: Finding[] = [];
  const collector = new Collector(findings);
  const members: MemberInfo[] = [];
  try {
    return await streamInto(stream, collector, members, findings, total, opts);
  } finally {
    collector.cleanup();
  }
}

async function streamInto(stream: Readable, collector: Collector, members: MemberInfo[], findings: Finding[], total: number | undefined, opts: VerifyOptions): Promise<VerifyResult> {
  const archive = await readArchive(
    stream,
    async (e) => {
      if (e.type === 'file' || e.type === 'directory') members.push({ name: e.name, type: e.type, size: e.size });
      const p = splitMemberPath(e.name);
      if (e.type !== 'file' || !p || !p.block || !p.rel) {
        e.stream.resume();
        return;
      }
      await collector.file(p.snapshot, p.block, p.rel, e.stream);
    },
    { onProgress: opts.onProgress ? (n) => opts.onProgress!(n, total) : undefined },
  );
  findings.unshift(...archive.findings);
  return finish(collector, members, findings, true);
}

function finish(collector: Collector, members: MemberInfo[], findings: Finding[], checkNames: boolean): VerifyResult {
  const layout = checkLayout(members);
  for (const f of layout.findings) if (checkNames || f.code !== 'bad-snapshot-name') findings.push(f);
  for (const s of layout.snapshots) collector.snapshot(s.name);
  const snapshots = collector.finish();
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
  const collector = new Collector(findings);
  const files: { member: MemberInfo; file: string }[] = [];
  const abs = path.resolve(dir);
  let checkNames = true;
  if (fs.existsSync(path.join(abs, 'snapshots')) && !fs.existsSync(path.join(abs, 'meta.json'))) {
    walk(path.join(abs, 'snapshots'), 'snapshots', files);
  } else if (fs.existsSync(path.join(abs, 'meta.json'))) {
    // One block: its parent is the snapshot.
    checkNames = false;
    walk(abs, `snapshots/${path.basename(path.dirname(abs))}/${path.basename(abs)}`, files);
  } else {
    // A snapshot dir or a data dir: its name is the user's choice, so only its contents are checked.
    checkNames = false;
    const dataDir = fs.existsSync(path.join(abs, 'wal')) || fs.existsSync(path.join(abs, 'chunks_head'));
    const name = path.basename(abs);
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      if (dataDir && !/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(e.name)) continue; // the rest of a data dir is not blocks
      const full = path.join(abs, e.name);
      if (e.isDirectory()) {
        files.push({ member: { name: `snapshots/${name}/${e.name}/`, type: 'directory', size: 0 }, file: full });
        walk(full, `snapshots/${name}/${e.name}`, files);
      } else if (e.isFile()) files.push({ member: { name: `snapshots/${name}/${e.name}`, type: 'file', size: fs.statSync(full).size }, file: full });
    }
  }
  const total = files.reduce((n, f) => n + f.member.size, 0);
  let done = 0;
  try {
  for (const f of files) {
    if (f.member.type !== 'file') continue;
    const p = splitMemberPath(f.member.name);
    if (!p || !p.block || !p.rel) continue;
    const stream = fs.createReadStream(f.file, { highWaterMark: 1 << 20 });
    stream.on('data', (c) => opts.onProgress?.((done += c.length), total));
    await collector.file(p.snapshot, p.block, p.rel, stream);
  }
  return finish(
    collector,
    files.map((f) => f.member),
    findings,
    checkNames,
  );
  } finally {
    collector.cleanup();
  }
}
