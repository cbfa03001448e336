// Which WAL files a head replay reads, after tsdb/wlog/checkpoint.go
// (LastCheckpoint) and tsdb/head.go (Head.Init):
//
//   wal/checkpoint.NNNNNNNN/00000000 …   the last checkpoint: a compacted copy
//                                        of segments ≤ NNNNNNNN, in WAL format
//   wal/00000000 …                       segments; those numbered > NNNNNNNN
//                                        are replayed after the checkpoint
//
// A checkpoint is written as checkpoint.NNNNNNNN.tmp and renamed when
// complete, so a name whose suffix is not a number is ignored (as Go's
// strconv.Atoi does). Segments numbered ≤ the checkpoint are left-overs of an
// unfinished truncation and are skipped. Segments must be consecutive.

import type { Finding } from '../encoding/errors.js';
import { segmentIndex, walSegmentName } from './segment.js';
import { Code } from '../encoding/finding-codes.js';

export const CHECKPOINT_PREFIX = 'checkpoint.';

export interface SegmentRef {
  /** Path relative to the data dir: `wal/00000012`. */
  path: string;
  index: number;
}

export interface CheckpointRef {
  /** Dir path relative to the data dir: `wal/checkpoint.00000011`. */
  dir: string;
  /** The last segment the checkpoint covers. */
  index: number;
  /** Its segment files, in order. */
  segments: SegmentRef[];
}

export interface WalReplayPlan {
  checkpoint?: CheckpointRef;
  /**
   * Segments to replay after the checkpoint, in order, split into runs of
   * consecutive numbers (more than one run means a segment is missing).
   */
  runs: SegmentRef[][];
  /** Segments numbered ≤ the checkpoint, which the replay skips. */
  skipped: SegmentRef[];
  /** Missing segments and the like (errors: Prometheus refuses to start on them). */
  findings: Finding[];
}

/** The index of `checkpoint.NNNNNNNN`, or undefined for anything else (`.tmp` dirs among them). */
export function checkpointIndex(name: string): number | undefined {
  if (!name.startsWith(CHECKPOINT_PREFIX)) return undefined;
  return segmentIndex(name.slice(CHECKPOINT_PREFIX.length));
}

/**
 * Plans the replay from the paths of the data dir's files (relative,
 * `/`-separated; anything outside `walDir` is ignored).
 */
export function planWalReplay(paths: readonly string[], walDir = 'wal'): WalReplayPlan {
  const prefix = walDir + '/';
  const segments: SegmentRef[] = [];
  const checkpoints = new Map<number, CheckpointRef>();
  for (const p of paths) {
    if (!p.startsWith(prefix)) continue;
    const parts = p.slice(prefix.length).split('/');
    if (parts.length === 1) {
      const index = segmentIndex(parts[0]!);
      if (index !== undefined) segments.push({ path: p, index });
    } else if (parts.length === 2) {
      const cpIndex = checkpointIndex(parts[0]!);
      const index = segmentIndex(parts[1]!);
      if (cpIndex === undefined || index === undefined) continue;
      let cp = checkpoints.get(cpIndex);
      if (!cp) {
        cp = { dir: prefix + parts[0], index: cpIndex, segments: [] };
        checkpoints.set(cpIndex, cp);
      }
      cp.segments.push({ path: p, index });
    }
  }
  const findings: Finding[] = [];
  const byIndex = (a: SegmentRef, b: SegmentRef) => a.index - b.index;
  segments.sort(byIndex);

  let checkpoint: CheckpointRef | undefined;
  for (const cp of checkpoints.values()) if (!checkpoint || cp.index > checkpoint.index) checkpoint = cp;
  if (checkpoint) {
    checkpoint.segments.sort(byIndex);
    checkGaps(checkpoint.segments, checkpoint.segments[0]?.index ?? 0, findings, `checkpoint ${checkpoint.dir}`);
  }

  const after = checkpoint ? checkpoint.index + 1 : undefined;
  const skipped = after === undefined ? [] : segments.filter((s) => s.index < after);
  const replay = after === undefined ? segments : segments.filter((s) => s.index >= after);
  // Prometheus opens every segment from the checkpoint + 1 on.
  const first = after ?? replay[0]?.index ?? 0;
  const runs = checkGaps(replay, first, findings, walDir);
  return checkpoint ? { checkpoint, runs, skipped, findings } : { runs, skipped, findings };
}

/** Splits sorted segments into consecutive runs, with a finding for each gap. */
function checkGaps(segs: SegmentRef[], expectFirst: number, findings: Finding[], where: string): SegmentRef[][] {
  const runs: SegmentRef[][] = [];
  let run: SegmentRef[] = [];
  let want = expectFirst;
  for (const s of segs) {
    if (s.index !== want) {
      const missing = s.index - want === 1 ? walSegmentName(want) : `${walSegmentName(want)} … ${walSegmentName(s.index - 1)}`;
      findings.push({
        severity: 'error',
        code: Code.WalSegmentMissing,
        file: s.path,
        message: `${where}: segment ${missing} is missing before ${s.path}; Prometheus and promtool refuse this WAL ("segments are not sequential")`,
      });
      if (run.length > 0) runs.push(run);
      run = [];
    }
    run.push(s);
    want = s.index + 1;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
