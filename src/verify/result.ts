// What verify returns, and the steps every input form ends with: the layout
// check over all members, the per-snapshot summaries, the WAL head of a data
// dir.

import type { Finding } from '../encoding/errors.js';
import { checkLayout, type MemberInfo } from '../snapshot/layout-check.js';
import type { DataDirFiles } from '../wal/head.js';
import type { Collector, CollectorOptions, SnapshotSummary } from './collect.js';
import { checkHead } from './head-check.js';
import { Code } from '../encoding/finding-codes.js';

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
}

/** The layout of all members, the blocks' summaries, and the head of each data dir. */
export function finish(collector: Collector, members: MemberInfo[], findings: Finding[], checkNames: boolean, heads = new Map<string, DataDirFiles>()): VerifyResult {
  const layout = checkLayout(members);
  for (const f of layout.findings) {
    if (!checkNames && f.code === Code.BadSnapshotName) continue;
    // A data dir with only a WAL (a fresh server) has no blocks, and that is fine: its head is the data.
    if (heads.size > 0 && f.code === Code.NoBlocks) continue;
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
