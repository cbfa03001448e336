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

/** promtool tsdb list -r's time: time.Unix(ms/1000, 0).UTC().String(). */
export function humanTime(ms: number): string {
  const d = new Date(Math.trunc(ms / 1000) * 1000);
  if (Number.isNaN(d.getTime())) return String(ms);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC');
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** promtool tsdb list -r's size: units.Base2Bytes(n).String(), every non-zero unit from the largest (66KiB342B). */
export function humanBytes(n: number): string {
  if (n === 0) return '0B';
  const parts: string[] = [];
  for (let i = 0; i < BYTE_UNITS.length && n > 0; i++) {
    const r = n % 1024;
    if (r !== 0) parts.unshift(`${r}${BYTE_UNITS[i]}`);
    n = Math.floor(n / 1024);
  }
  return parts.join('');
}
