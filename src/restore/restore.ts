// restore: an archive's blocks into a Prometheus data dir, each checked by
// verify as it streams past and written as Prometheus writes a block
// (block-writer.ts). Blocks wait as tmp dirs until the whole archive is
// checked: then, by default, all are renamed into place or none is (a corrupt
// block stops the restore); with skipCorrupt the healthy ones are.
//
// Before anything is written: the data dir must exist and no process may hold
// its lock (lock.ts); for an archive file, a first pass over the member names
// (no data is checked) picks the snapshot and finds any block the data dir
// already holds. On stdin a block is looked for when its first member comes.

import * as fs from 'node:fs';
import type { Finding } from '../encoding/errors.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { classify, placePath } from '../snapshot/classify.js';
import type { MemberInfo } from '../snapshot/layout-check.js';
import { readArchive } from '../snapshot/stream.js';
import { verify, type BlockMember, type VerifyResult } from '../verify/verify.js';
import { BlockWriter, isBlockFile, isBlockName, takenError } from './block-writer.js';
import { assertUnlocked } from './lock.js';
import { RestoreTee } from './tee.js';

export interface RestoreOptions {
  /** The snapshot to restore (required when the archive holds more than one). */
  snapshot?: string;
  /** Restore the healthy blocks when some are corrupt (default: restore none then). */
  skipCorrupt?: boolean;
  onProgress?(done: number, total: number | undefined): void;
}

export interface SkippedBlock {
  ulid: string;
  /** The first error that keeps it out. */
  why: string;
}

export interface RestoreResult {
  /** verify's result for the archive. */
  verify: VerifyResult;
  snapshot: string;
  /** Blocks renamed into place, in time order. */
  restored: string[];
  /** Blocks not restored (all of them without skipCorrupt when one is corrupt). */
  skipped: SkippedBlock[];
  /** Every block of the snapshot restored. */
  ok: boolean;
}

/** Head files of a data dir: not restored, so their errors do not keep a block out. */
const HEAD = /^(wal|wbl|chunks_head)\//;

/**
 * Restore `input` (an archive file or `-`) into `dataDir`. Rejects with a usage error when
 * it refuses to start (no data dir, locked, a block already there, no or several snapshots);
 * a tmp dir left is removed on every failure.
 */
export async function restore(input: string, dataDir: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
  assertDataDir(dataDir);
  assertUnlocked(dataDir);
  const writer = new BlockWriter(dataDir);
  let snapshot = opts.snapshot;
  let carried: Map<string, BlockMember> | undefined;
  if (input !== '-') {
    assertArchiveFile(input);
    const s = await survey(input);
    snapshot = pickSnapshot(s.blocks, opts.snapshot, writer);
    carried = carriedFiles(s.links, snapshot);
  }
  const tee = new RestoreTee(writer, snapshot, snapshot !== undefined, carried);
  try {
    const result = await verify(input, { tee, onProgress: opts.onProgress });
    if (tee.failure !== undefined) throw tee.failure;
    const snap = result.snapshots.find((s) => s.name === tee.snapshot);
    if (!snap) throw new TsdbError(ErrorCode.BadInput, opts.snapshot ? `the archive holds no snapshot ${opts.snapshot}` : 'the archive holds no blocks to restore');
    const general = result.findings.find((f) => f.severity === 'error' && f.block === undefined && (f.snapshot === undefined || f.snapshot === snap.name) && !HEAD.test(f.file ?? ''));
    const good: string[] = [];
    const skipped: SkippedBlock[] = [];
    for (const b of snap.blocks) {
      const why = general ? `the archive is not whole: ${general.message}` : blockProblem(b.ulid, b.ok, result.findings, snap.name, tee, writer);
      if (why) skipped.push({ ulid: b.ulid, why });
      else good.push(b.ulid);
    }
    const restored = skipped.length && !opts.skipCorrupt ? [] : good;
    writer.commit(restored);
    const held = restored.length === good.length ? [] : good.map((ulid) => ({ ulid, why: 'healthy, held back: another block is corrupt (--skip-corrupt restores the healthy ones)' }));
    return { verify: result, snapshot: snap.name, restored, skipped: [...skipped, ...held], ok: skipped.length === 0 };
  } finally {
    writer.discard();
  }
}

/** Why a block checked by verify is not restored, or undefined. */
function blockProblem(ulid: string, ok: boolean, findings: readonly Finding[], snapshot: string, tee: RestoreTee, writer: BlockWriter): string | undefined {
  if (!isBlockName(ulid)) return `${ulid} is not a block ULID: Prometheus does not open a dir of that name`;
  if (!ok) return findings.find((f) => f.severity === 'error' && f.snapshot === snapshot && f.block === ulid)?.message ?? 'it has errors';
  const broken = tee.broken.get(ulid);
  if (broken) return broken;
  if (!writer.has(ulid)) return 'none of its files were written';
  return undefined;
}

function assertDataDir(dataDir: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dataDir);
  } catch (e) {
    throw new TsdbError(ErrorCode.BadInput, `cannot use data dir ${dataDir}: ${(e as Error).message}; restore writes into an existing directory`);
  }
  if (!st.isDirectory()) throw new TsdbError(ErrorCode.BadInput, `${dataDir} is not a directory`);
}

function assertArchiveFile(input: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(input);
  } catch (e) {
    throw new TsdbError(ErrorCode.BadInput, `cannot read ${input}: ${(e as Error).message}`);
  }
  if (st.isDirectory()) throw new TsdbError(ErrorCode.BadInput, `${input} is a directory: restore reads an archive (a .tgz/.tar file, or - for stdin)`);
}

interface Survey {
  /** The blocks of each snapshot. */
  blocks: Map<string, Set<string>>;
  /** Hard links to block files: [where the link goes, where its target is]. */
  links: [BlockMember, BlockMember][];
}

/** The blocks of each snapshot an archive file holds, as verify will place them, and its hard links (member names only). */
async function survey(input: string): Promise<Survey> {
  const members: MemberInfo[] = [];
  const links: [BlockMember, BlockMember][] = [];
  await readArchive(
    fs.createReadStream(input, { highWaterMark: 1 << 20 }),
    (e) => {
      members.push({ name: e.name, type: e.type === 'directory' ? 'directory' : 'file', size: e.size });
      const m = blockMember(e.name);
      const t = e.type === 'link' && e.linkTarget !== undefined ? blockMember(e.linkTarget) : undefined;
      if (m && t) links.push([m, t]);
      e.stream.resume();
    },
    { hardLinks: true },
  );
  const out = new Map<string, Set<string>>();
  for (const p of classify(members, { archive: true }).places) {
    if (p.kind === 'snapshot' || p.kind === 'block') {
      const blocks = out.get(p.snapshot) ?? new Set<string>();
      out.set(p.snapshot, blocks);
      if (p.kind === 'block') blocks.add(p.block);
    }
  }
  return { blocks: out, links };
}

function blockMember(name: string): BlockMember | undefined {
  const p = placePath(name, false);
  return p.kind === 'block' && p.rel !== undefined ? { snapshot: p.snapshot, block: p.block, rel: p.rel } : undefined;
}

/**
 * Files of other snapshots that hard links of `snapshot` name (a block two snapshots share, as
 * GNU tar stores it): each is written where the first link to it goes (by snapshot/block/rel).
 */
function carriedFiles(links: readonly [BlockMember, BlockMember][], snapshot: string): Map<string, BlockMember> {
  const out = new Map<string, BlockMember>();
  for (const [m, t] of links) {
    const k = `${t.snapshot}/${t.block}/${t.rel}`;
    if (m.snapshot === snapshot && t.snapshot !== snapshot && isBlockName(m.block) && isBlockFile(m.rel) && !out.has(k)) out.set(k, m);
  }
  return out;
}

/** The snapshot to restore; throws when it is not clear, or when the data dir already holds one of its blocks. */
function pickSnapshot(snapshots: Map<string, Set<string>>, wanted: string | undefined, writer: BlockWriter): string {
  const names = [...snapshots.keys()];
  const name = wanted ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined || !snapshots.has(name)) {
    const held = names.length ? `it holds ${names.join(', ')}` : 'it holds none';
    const why = wanted !== undefined ? `the archive holds no snapshot ${wanted}` : names.length ? 'the archive holds more than one snapshot: name the one to restore with --snapshot' : 'the archive holds no snapshot';
    throw new TsdbError(ErrorCode.BadInput, `${why} (${held}); nothing was changed`);
  }
  const taken = writer.taken([...snapshots.get(name)!].filter(isBlockName));
  if (taken.length) throw takenError(writer.dataDir, taken);
  return name;
}
