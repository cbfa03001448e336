// Unpack a snapshot archive (.tar, .tgz/.tar.gz, or stdin) into a fresh
// temporary directory, for the commands that need random access to chunks.
// It goes through the same streaming reader as verify, so unsafe members
// (absolute paths, `..`, links, devices) are never written, and a damaged
// archive is refused rather than half-read.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, TsdbError, type Finding } from '../encoding/errors.js';
import { readArchive } from './stream.js';

export interface Extracted {
  /** The temporary directory holding the archive's files. */
  dir: string;
  /** Warnings about the archive (errors make extraction fail). */
  warnings: Finding[];
  cleanup(): Promise<void>;
  cleanupSync(): void;
}

export async function extractArchive(input: string): Promise<Extracted> {
  let src: Readable;
  let file: { path: string; size: number } | undefined;
  if (input === '-') src = process.stdin;
  else {
    if (!fs.existsSync(input)) throw new TsdbError(ErrorCode.NotFound, `${input}: no such file or directory`);
    const st = fs.statSync(input);
    if (st.isFile()) file = { path: input, size: st.size };
    src = fs.createReadStream(input, { highWaterMark: 1 << 20 });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-inspect-'));
  const cleanupSync = () => fs.rmSync(dir, { recursive: true, force: true });
  const cleanup = async () => cleanupSync();
  try {
    // Safe members, and hard links to earlier files (blocks shared by two snapshots)
    // as links in the temp dir; classify.ts then says what the tree holds.
    const r = await readArchive(
      src,
      async (e) => {
        const target = path.join(dir, e.name);
        if (!target.startsWith(dir + path.sep)) return;
        // As tar x does (tar-tree.ts): what this member replaces is removed first, so a file
        // written where a hard link was is a new file, not new content for both paths.
        if (e.replaced === 'directory') fs.rmdirSync(target);
        else if (e.type !== 'directory') fs.rmSync(target, { force: true });
        else if (e.replaced === 'file') fs.unlinkSync(target);
        if (e.type === 'directory') fs.mkdirSync(target, { recursive: true });
        else if (e.type === 'file') {
          fs.mkdirSync(path.dirname(target), { recursive: true });
          await pipeline(e.stream, fs.createWriteStream(target));
        } else if (e.type === 'link' && e.linkTarget) {
          const from = path.join(dir, e.linkTarget);
          if (!from.startsWith(dir + path.sep) || !fs.existsSync(from)) return;
          fs.mkdirSync(path.dirname(target), { recursive: true });
          fs.linkSync(from, target);
        }
      },
      { hardLinks: true, file },
    );
    const errors = r.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      const first = errors[0];
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : '';
      throw new TsdbError(
        ErrorCode.Corrupt,
        `${input === '-' ? 'stdin' : input}: the archive is damaged: ${first.message}${more}; run \`tsdb-inspect verify\` for details`,
        {},
      );
    }
    return { dir, warnings: r.findings, cleanup, cleanupSync };
  } catch (e) {
    cleanupSync();
    throw e;
  }
}
