// An archive opened for the query commands: one streaming pass keeps what
// the answer needs (archive-read.ts); the layout is classified from the
// member list as for a directory; chunk records are fetched on demand of a
// dry run of the answer: from the held bytes (stdin), or by a second pass
// over the file that stops once it has them.

import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { BlockSource } from '../block/source.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { classify } from './classify.js';
import { locate } from './layout.js';
import { ArchiveBlockSource } from './archive-source.js';
import { readMembers } from './archive-read.js';
import { fetchRecords } from './chunk-fetch.js';
import { Holder } from './hold.js';
import type { Assemble, OpenOptions, OpenedInput } from './open.js';

/** Chunk segments that arrive on stdin before their index are held in memory up to this total, then in temp files. */
export const HOLD_IN_MEMORY = 256 * 1024 * 1024;

export async function openArchive(input: string, opts: OpenOptions, assemble: Assemble): Promise<OpenedInput> {
  const needs = opts.needs ?? 'chunks';
  const shown = input === '-' ? 'stdin' : input;
  let src: Readable;
  let file: { path: string; size: number } | undefined;
  if (input === '-') src = process.stdin;
  else {
    let fd: number;
    try {
      fd = fs.openSync(input, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
      throw new TsdbError(ErrorCode.BadInput, `${input}: cannot read it: ${(e as Error).message}`, {}, { cause: e });
    }
    const st = fs.fstatSync(fd);
    if (st.isFile()) file = { path: input, size: st.size };
    else if (!st.isFIFO()) {
      fs.closeSync(fd);
      throw new TsdbError(ErrorCode.BadInput, `${input} is not a regular file, a FIFO or a directory: it is not read`);
    }
    src = fs.createReadStream(input, { fd, highWaterMark: 1 << 20 });
  }
  // A regular file can be read again; anything else (stdin, a FIFO) holds segments until their index says what to keep.
  const hold = file === undefined;
  const holder = new Holder(opts.holdInMemory ?? HOLD_IN_MEMORY, opts.tmpDir);
  try {
    const r = await readMembers(src, { needs, hold, holder, file, onProgress: opts.onProgress ? (n) => opts.onProgress!(n, file?.size) : undefined });
    const errors = r.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      const first = errors[0]!;
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : '';
      throw new TsdbError(ErrorCode.Corrupt, `${shown}: the archive is damaged: ${first.message}${more}; run \`tsdb-inspect verify\` for details`, {});
    }
    if (holder.spilled > 0) opts.onNote?.(`${shown}: ${holder.spilled} bytes of chunk segments came before their index and wait in temp files under ${opts.tmpDir ?? 'the temp dir'}`);
    const c = classify(r.members, { archive: true });
    const snapshots = locate(r.members.map((m) => ({ ...m, path: m.name })), c);
    const sources = new Map<string, BlockSource>();
    const archiveSources: ArchiveBlockSource[] = [];
    for (const s of snapshots) {
      for (const b of s.blocks) {
        const source = new ArchiveBlockSource(`${shown}:${b.path}`, r.blocks.get(b.path) ?? new Map());
        sources.set(b.path, source);
        archiveSources.push(source);
      }
    }
    const opened: OpenedInput = await assemble(
      { snapshots, findings: c.findings },
      sources,
      async (p) => r.heads.get(p),
      needs,
      shown,
      {
        fetchChunks: async (answer) => {
          for (const s of archiveSources) s.recording = true;
          try {
            await answer(opened);
          } catch {
            // The answer fails the same way when run for real (reading chunks never fails here).
          } finally {
            for (const s of archiveSources) s.recording = false;
          }
          await fetchRecords(archiveSources, file, holder, opts.onProgress);
        },
        close: () => holder.close(),
      },
      r.findings,
    );
    return opened;
  } catch (e) {
    holder.close();
    throw e;
  }
}
