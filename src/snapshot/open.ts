// Open any supported input as snapshots of opened blocks.

import * as fs from 'node:fs';
import { Block } from '../block/block.js';
import type { Head } from '../wal/head.js';
import { dirSource } from '../block/source.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import type { Finding } from '../encoding/errors.js';
import { ROOT } from './classify.js';
import { discover, walkInput, walkTree, type Walked } from './layout.js';

export interface Snapshot {
  name: string;
  path: string;
  /** Blocks in time order (minTime, then name), as Prometheus orders them. */
  blocks: Block[];
  /** The head rebuilt from wal/ and chunks_head/, for a data dir. */
  head?: Head;
}

/** Blocks and head of the input, in the order Prometheus queries them (blocks, then the head). */
export function querySources(o: OpenedInput): (Block | Head)[] {
  return o.snapshots.flatMap((s) => (s.head ? [...s.blocks, s.head] : s.blocks));
}

export interface OpenedInput {
  snapshots: Snapshot[];
  /** Warnings about the archive itself. */
  warnings: Finding[];
  /** Remove anything the open created (the temp dir of an unpacked archive). */
  close(): Promise<void>;
  /** The same, synchronously (for signal handlers). */
  closeSync(): void;
}

export async function openInput(input: string): Promise<OpenedInput> {
  if (input !== '-') {
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch (e) {
      throw new TsdbError(ErrorCode.NotFound, `${input}: no such file or directory`, {}, { cause: e });
    }
    if (st.isDirectory()) return finish({ ...walkInput(input), archive: false }, [], async () => {}, () => {}, input);
  }
  // Loaded only for archives (and the WAL reader only for data dirs): each run pays for what it reads.
  const { extractArchive } = await import('./archive.js');
  const x = await extractArchive(input);
  try {
    // The unpacked tree is classified as the archive's members: paths from its top, nothing around it.
    return await finish({ members: walkTree(x.dir, ''), outer: ROOT, archive: true }, x.warnings, x.cleanup, x.cleanupSync, input === '-' ? 'stdin' : input);
  } catch (e) {
    await x.cleanup();
    throw e;
  }
}

/** Open what the classifier finds in a walked dir (an input dir, or the unpacked archive: `archive`). */
async function finish(tree: { members: Walked[]; outer: string; archive: boolean }, archiveWarnings: Finding[], close: () => Promise<void>, closeSync: () => void, shown: string): Promise<OpenedInput> {
  const found = discover(tree.members, tree);
  const warnings = [...archiveWarnings, ...found.findings.filter((f) => f.severity === 'warning')];
  const wal = found.snapshots.some((s) => s.dataDir) ? await import('../wal/head.js') : undefined;
  const snapshots: Snapshot[] = found.snapshots.map((s) => {
    const blocks = s.blocks
      .map((b) => new Block(b.name, dirSource(b.path)))
      .sort((a, b) => a.meta.minTime - b.meta.minTime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const snap: Snapshot = { name: s.name, path: s.path, blocks };
    if (s.dataDir) {
      // As promtool does: replay only what the newest block (by minTime) does not cover.
      const last = blocks[blocks.length - 1];
      snap.head = wal!.replayHead(wal!.dirDataFiles(s.path), { minValidTime: last ? last.meta.maxTime : -Infinity });
      // What Prometheus and promtool refuse to open (a gap in the WAL segments, …) is not queried either.
      const refused = snap.head.refusal();
      if (refused) throw new TsdbError(ErrorCode.Corrupt, `${shown}: the head cannot be read, as Prometheus would not open it: ${refused.message}`, { file: refused.file });
    }
    return snap;
  });
  if (!snapshots.some((s) => s.blocks.length > 0 || s.head)) {
    throw new TsdbError(ErrorCode.BadInput, `${shown}: no Prometheus blocks found (no snapshots/<name>/<ULID>/, block dirs or data dir)`);
  }
  return { snapshots, warnings, close, closeSync };
}
