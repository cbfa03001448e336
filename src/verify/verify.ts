// verify: read an archive as a stream (or a directory), check every byte
// of every block, and report findings. Nothing is extracted or written
// (an index over 256 MB waits in a temp dir that is always removed).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, TsdbError, type Finding } from '../encoding/errors.js';
import { classify, placePath, StreamedMembers } from '../snapshot/classify.js';
import { readArchive } from '../snapshot/stream.js';
import type { DataDirFiles } from '../wal/head.js';
import { MemFiles } from '../snapshot/archive-read.js';
import { readCapped } from '../snapshot/hold.js';
import { Collector } from './stream/collect.js';
import { finish, type VerifyOptions, type VerifyResult } from './result.js';
import { special, unreadable } from './usage.js';
import { verifyDir } from './dir/verify-dir.js';
import { Code } from '../encoding/finding-codes.js';

export { verifyDir, type VerifyOptions, type VerifyResult };
export type { BlockMember, BlockTee } from './result.js';

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
  try {
    return await streamInto(stream, collector, findings, total, opts);
  } finally {
    collector.cleanup();
  }
}

async function streamInto(stream: Readable, collector: Collector, findings: Finding[], total: number | undefined, opts: VerifyOptions): Promise<VerifyResult> {
  const heads = new Map<string, MemFiles>();
  // Each member goes where its own path says (classify.ts); the layout of the whole archive,
  // known at its end, may then leave some out (e.g. blocks beside snapshots/, a data dir's own snapshots/).
  const early = new Set<string>();
  const members = new StreamedMembers();
  const archive = await readArchive(
    stream,
    async (e) => {
      const p = members.add(e);
      if (p.kind !== 'none') early.add(p.snapshot);
      if (e.replaced === 'file' && p.kind === 'head') heads.get(p.snapshot)?.files.delete(p.rel);
      if (e.replaced === 'file' && p.kind === 'block' && p.rel !== undefined) {
        collector.removeFile(p.snapshot, p.block, p.rel);
        opts.tee?.removed({ snapshot: p.snapshot, block: p.block, rel: p.rel });
      }
      if (p.kind === 'head' && e.type === 'file') {
        let m = heads.get(p.snapshot);
        if (!m) heads.set(p.snapshot, (m = new MemFiles()));
        m.files.set(p.rel, (await readCapped(e.stream, Number.MAX_SAFE_INTEGER))!);
      } else if (p.kind === 'block' && p.rel !== undefined && e.type === 'link') {
        // A second path to an earlier file: present, with that file's content.
        const t = e.linkTarget === undefined ? undefined : placePath(e.linkTarget, false);
        const target = t?.kind === 'block' && t.rel !== undefined ? `snapshots/${t.snapshot}/${t.block}/${t.rel}` : (e.linkTarget ?? '');
        collector.link(p.snapshot, p.block, p.rel, target);
        opts.tee?.link({ snapshot: p.snapshot, block: p.block, rel: p.rel }, t?.kind === 'block' && t.rel !== undefined ? { snapshot: t.snapshot, block: t.block, rel: t.rel } : undefined);
      } else if (p.kind === 'block' && p.rel !== undefined && e.type === 'file') {
        const m = { snapshot: p.snapshot, block: p.block, rel: p.rel };
        await collector.file(p.snapshot, p.block, p.rel, opts.tee ? opts.tee.file(m, e.stream) : e.stream);
      } else e.stream.resume();
    },
    { onProgress: opts.onProgress ? (n) => opts.onProgress!(n, total) : undefined, hardLinks: true, file: opts.file, inflateThread: opts.inflateThread, maxMembers: opts.maxMembers, stop: opts.tee && (() => opts.tee!.stop()) },
  );
  const present = members.present();
  const layout = classify(present, { archive: true });
  const read = new Set(layout.places.flatMap((p) => (p.kind === 'none' ? [] : [p.snapshot])));
  const dropped = new Set([...early].filter((n) => !read.has(n)));
  const headFiles = new Map<string, DataDirFiles>([...heads].filter(([name]) => read.has(name)));
  if (!archive.gzip && opts.name && /\.(tgz|gz)$/i.test(opts.name) && archive.bytesIn > 0) {
    archive.findings.unshift({
      severity: 'warning',
      code: Code.NotGzip,
      message: `${path.basename(opts.name)} is named like a gzip archive but is not gzip-compressed (no gzip magic bytes); it is read as a plain tar`,
    });
  }
  // Before finish, which decides each block's status from all findings: a block with a member the
  // archive cannot give whole (cut short, unsafe, not restored by tar x) is not known good.
  findings.unshift(...archive.findings, ...layout.findings);
  const result = finish(collector, present, layout.places, findings, headFiles, dropped);
  return result;
}
