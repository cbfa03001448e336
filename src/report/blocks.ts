// One row per block, the facts `promtool tsdb list` shows.

import type { Snapshot } from '../snapshot/open.js';
import { formatDuration } from './duration.js';

export interface BlockRow {
  snapshot: string;
  ulid: string;
  minTime: number;
  maxTime: number;
  /** maxTime − minTime in ms. */
  durationMs: number;
  /** The same as Go's time.Duration prints it. */
  duration: string;
  numSamples: number;
  numChunks: number;
  numSeries: number;
  numTombstones: number;
  /** Bytes on disk: chunks, index, tombstones and meta.json, as promtool counts them. */
  size: number;
  compactionLevel: number;
  /** meta.json's stats, as written. */
  stats: Snapshot['blocks'][number]['meta']['stats'];
}

export function blockRows(snapshots: readonly Snapshot[]): BlockRow[] {
  const rows: BlockRow[] = [];
  for (const s of snapshots) {
    for (const b of s.blocks) {
      const m = b.meta;
      rows.push({
        snapshot: s.name,
        ulid: m.ulid,
        minTime: m.minTime,
        maxTime: m.maxTime,
        durationMs: m.maxTime - m.minTime,
        duration: formatDuration(m.maxTime - m.minTime),
        numSamples: m.stats.numSamples,
        numChunks: m.stats.numChunks,
        numSeries: m.stats.numSeries,
        numTombstones: m.stats.numTombstones,
        size: b.size(),
        compactionLevel: m.compaction.level,
        stats: m.stats,
      });
    }
  }
  return rows;
}
