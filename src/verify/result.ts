// What verify returns, and the steps every input form ends with: the layout
// check over all members, the per-snapshot summaries, the WAL head of a data
// dir.

import type { Finding } from '../encoding/errors.js';
import type { Place } from '../snapshot/classify.js';
import { checkLayout, type MemberInfo } from '../snapshot/layout-check.js';
import type { DataDirFiles } from '../wal/head.js';
import type { Readable } from 'node:stream';
import type { BlockSummary } from './check/block-check.js';
import type { Collector, CollectorOptions, SnapshotSummary } from './stream/collect.js';
import { checkHead } from './check/head-check.js';
import { checkCoverage } from './check/coverage.js';
import { FindingSink } from './check/findings.js';
import { Code } from '../encoding/finding-codes.js';

/** A block as the result shows it: its summary, and whether any error names it. */
export interface BlockResult extends BlockSummary {
  ok: boolean;
}

export interface SnapshotResult extends Omit<SnapshotSummary, 'blocks'> {
  blocks: BlockResult[];
}

export interface VerifyResult {
  ok: boolean;
  snapshots: SnapshotResult[];
  findings: Finding[];
}

export interface VerifyOptions extends CollectorOptions {
  /** Called with bytes read so far and the total when known. */
  onProgress?(done: number, total: number | undefined): void;
  /** The input's name, for messages (e.g. a `.tgz` that is not gzip). */
  name?: string;
  /**
   * For a directory: how many worker threads check its blocks (default 1: all in this
   * thread), or 'auto': one per core when the blocks hold at least AUTO_WORKERS_FROM
   * bytes, else 1. The result is the same, in the same order, whatever the number.
   */
  workers?: number | 'auto';
  /** The regular file the stream reads, so a large one can be decompressed in a worker thread. */
  file?: { path: string; size: number };
  /** Force decompression in a worker thread on or off (default: by file size). */
  inflateThread?: boolean;
  /** For an archive: members read before `too-many-members` (default and most 100,000; lower only to test it). */
  maxMembers?: number;
  /** For an archive: sees each block member as it is checked (restore writes them; src/restore). */
  tee?: BlockTee;
}

/** Where a block member belongs: its snapshot, block dir and path in the block. */
export interface BlockMember {
  snapshot: string;
  block: string;
  rel: string;
}

/**
 * A reader of the block members verify checks, in archive order. `file` returns the
 * stream the checks read instead of `stream`: it must pass every byte through.
 */
export interface BlockTee {
  file(m: BlockMember, stream: Readable): Readable;
  /** A hard link to an earlier member (`target`, where it belongs when it is a block member). */
  link(m: BlockMember, target: BlockMember | undefined): void;
  /** tar x removes the file `m` (a directory comes in its place). */
  removed(m: BlockMember): void;
  /** Asked before each member: true stops reading (the rest unchecked). */
  stop(): boolean;
}

/**
 * The layout of the members (`places[i]` is where `members[i]` belongs), the blocks' summaries, and the head of each
 * data dir. `dropped` names snapshots the collector checked that the layout does not read (a
 * stream is checked before all of its paths are known): their findings and summaries go.
 */
export function finish(collector: Collector, members: readonly MemberInfo[], places: readonly Place[], findings: Finding[], heads = new Map<string, DataDirFiles>(), dropped = new Set<string>()): VerifyResult {
  const keep = (from: number) => {
    const kept = findings.splice(from).filter((f) => f.snapshot === undefined || !dropped.has(f.snapshot));
    findings.push(...kept);
  };
  keep(0);
  const layout = checkLayout(members, places);
  for (const f of layout.findings) {
    // A data dir with only a WAL (a fresh server) has no blocks, and that is fine: its head is the data.
    if (heads.size > 0 && f.code === Code.NoBlocks) continue;
    findings.push(f);
  }
  for (const s of layout.snapshots) collector.snapshot(s.name);
  for (const name of heads.keys()) collector.snapshot(name);
  const from = findings.length;
  const snapshots = collector.finish().filter((s) => !dropped.has(s.name));
  keep(from);
  for (const s of snapshots) {
    const files = heads.get(s.name);
    if (!files) continue;
    // As Prometheus: replay only what the newest block (by minTime) does not cover.
    const last = s.blocks.filter((b) => b.minTime !== null).sort((a, b) => a.minTime! - b.minTime!).pop();
    s.head = checkHead(files, last?.maxTime ?? -Infinity, s.name, findings);
  }
  // After the head: a data dir's head is part of what it covers.
  for (const s of snapshots) {
    const sink = new FindingSink({ snapshot: s.name }, findings);
    checkCoverage(s.name, collector.served.get(s.name) ?? [], s.head, collector.coverage, sink);
    sink.close();
  }
  return { ok: !findings.some((f) => f.severity === 'error'), snapshots: withStatus(snapshots, findings), findings };
}

/**
 * Each block's status, decided here only, from the final findings: a block is ok unless an
 * error names it, whoever made it (its own checks, the archive reader, the layout check).
 */
function withStatus(snapshots: SnapshotSummary[], findings: Finding[]): SnapshotResult[] {
  const bad = new Set<string>();
  for (const f of findings) if (f.severity === 'error' && f.block !== undefined) bad.add(`${f.snapshot}/${f.block}`);
  return snapshots.map((s) => ({ ...s, blocks: s.blocks.map((b) => ({ ...b, ok: !bad.has(`${s.name}/${b.ulid}`) })) }));
}
