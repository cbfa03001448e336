// Open any supported input as snapshots of opened blocks. A directory is
// read in place; an archive (file, .tar, stdin) is read as a stream in one
// pass that keeps only what the answer needs (archive-read.ts), and chunk
// records are fetched afterwards (chunk-fetch.ts): nothing is extracted.

import * as fs from 'node:fs';
import { Block } from '../block/block.js';
import type { BlockSource } from '../block/source.js';
import type { Head } from '../wal/head.js';
import { dirSource } from '../block/source.js';
import { ErrorCode, TsdbError, isTsdbError } from '../encoding/errors.js';
import type { Finding } from '../encoding/errors.js';
import { Code } from '../encoding/finding-codes.js';
import type { DataDirFiles } from '../wal/head.js';
import { ROOT } from './classify.js';
import { discover, walkInput } from './layout.js';
import type { Needs } from './archive-read.js';

export type { Needs };

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
  /** Warnings about the input: the archive, its layout, blocks skipped. */
  warnings: Finding[];
  /**
   * Make the chunk records an answer reads available. `answer` is run once as a dry run
   * (its chunk reads noted, each answered with an empty chunk; its output must go nowhere);
   * then only the records it read are fetched. Nothing to do for a directory.
   */
  fetchChunks(answer: (o: OpenedInput) => Promise<unknown>): Promise<void>;
  /** Let go of what the open kept (temp files included). */
  close(): void;
}

export interface OpenOptions {
  /** What the command reads (default `chunks`): `meta` keeps no index, `index` no chunk. */
  needs?: Needs;
  /** Where temp files go (default $TMPDIR). */
  tmpDir?: string;
  /** Compressed bytes read so far, and the input's size when known. */
  onProgress?(bytesIn: number, total: number | undefined): void;
  /** Bytes of early chunk segments held in memory before temp files are used (default HOLD_IN_MEMORY). */
  holdInMemory?: number;
  /** Notes for the user (stdin segments held in temp files). */
  onNote?(message: string): void;
}

export async function openInput(input: string, opts: OpenOptions = {}): Promise<OpenedInput> {
  if (input !== '-') {
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch (e) {
      throw new TsdbError(ErrorCode.NotFound, `${input}: no such file or directory`, {}, { cause: e });
    }
    if (st.isDirectory()) {
      const { members, outer } = walkInput(input);
      // Files beside the blocks of a dir are verify's to list; the query commands ignore them, as Prometheus does.
      const found = { ...discover(members, { archive: false, outer }), findings: [] };
      const sources = new Map(found.snapshots.flatMap((s) => s.blocks.map((b) => [b.path, dirSource(b.path)] as const)));
      const heads = (p: string) => import('../wal/head.js').then((w) => w.dirDataFiles(p));
      return assemble(found, sources, heads, opts.needs ?? 'chunks', input, { fetchChunks: async () => {}, close: () => {} });
    }
  }
  // Loaded only for archives (and the WAL reader only for data dirs): each run pays for what it reads.
  const { openArchive } = await import('./archive-open.js');
  const opened = await openArchive(input, opts, assemble);
  // A library caller that did not say what it reads gets every chunk record.
  if (opts.needs === undefined) {
    try {
      await opened.fetchChunks(readEveryChunk);
    } catch (e) {
      opened.close();
      throw e;
    }
  }
  return opened;
}

/** Read every chunk of every series of every block (as a dry run: which records there are). */
async function readEveryChunk(o: OpenedInput): Promise<void> {
  for (const s of o.snapshots) {
    for (const b of s.blocks) {
      const ix = b.index;
      for (const ref of ix.allPostings()) for (const c of ix.series(ref).chunks) b.chunk(c.ref, false);
    }
  }
}

export type Assemble = typeof assemble;

/** Open the blocks (and heads) found; blocks whose meta.json Prometheus would reject are skipped with a warning. */
async function assemble(
  found: { snapshots: ReturnType<typeof discover>['snapshots']; findings: Finding[] },
  sources: Map<string, BlockSource>,
  headFiles: (path: string) => Promise<DataDirFiles | undefined>,
  needs: Needs,
  shown: string,
  rest: Pick<OpenedInput, 'fetchChunks' | 'close'>,
  archiveWarnings: Finding[] = [],
): Promise<OpenedInput> {
  const warnings = [...archiveWarnings, ...found.findings.filter((f) => f.severity === 'warning')];
  const wal = needs !== 'meta' && found.snapshots.some((s) => s.dataDir) ? await import('../wal/head.js') : undefined;
  const snapshots: Snapshot[] = [];
  for (const s of found.snapshots) {
    const blocks: Block[] = [];
    for (const b of s.blocks) {
      const block = openBlock(b.name, sources.get(b.path)!, s.name, warnings);
      if (block) blocks.push(block);
    }
    blocks.sort((a, b) => a.meta.minTime - b.meta.minTime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const snap: Snapshot = { name: s.name, path: s.path, blocks };
    const files = wal && s.dataDir ? await headFiles(s.path) : undefined;
    if (wal && files) {
      // As promtool does: replay only what the newest block (by minTime) does not cover.
      const last = blocks[blocks.length - 1];
      snap.head = wal.replayHead(files, { minValidTime: last ? last.meta.maxTime : -Infinity });
      // What Prometheus and promtool refuse to open (a gap in the WAL segments, …) is not queried either.
      const refused = snap.head.refusal();
      if (refused) throw new TsdbError(ErrorCode.Corrupt, `${shown}: the head cannot be read, as Prometheus would not open it: ${refused.message}`, { file: refused.file });
    }
    snapshots.push(snap);
  }
  if (!found.snapshots.some((s) => s.blocks.length > 0 || s.dataDir)) {
    rest.close();
    throw new TsdbError(ErrorCode.BadInput, `${shown}: no Prometheus blocks found (no snapshots/<name>/<ULID>/, block dirs or data dir)`);
  }
  return { snapshots, warnings, ...rest };
}

/** A block, or undefined (with a warning) when Prometheus would not load it: its meta.json does not parse. */
function openBlock(name: string, source: BlockSource, snapshot: string, warnings: Finding[]): Block | undefined {
  try {
    return new Block(name, source);
  } catch (e) {
    if (!isTsdbError(e) || e.context.file !== 'meta.json') throw e;
    const at = e.context.offset;
    warnings.push({
      severity: 'warning',
      code: Code.MetaParse,
      snapshot: snapshot === ROOT ? undefined : snapshot,
      block: name,
      file: 'meta.json',
      ...(at !== undefined ? { offset: at } : {}),
      message: `block ${name} is skipped, as Prometheus skips a block whose meta.json it cannot read: ${e.message}`,
    });
    return undefined;
  }
}
