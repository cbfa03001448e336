// TEST ONLY. A small block whose series each have their one chunk in a
// segment of their own, for the cases about how segment files are mapped:
// Prometheus takes the numeric names in chunks/ in name order, and a chunk
// ref's upper 32 bits are a position in that list (chunks.go NewDirReader).

import type { Member } from '../fuzz/tarball.js';
import { writeIndex } from '../helpers/indexWriter.js';
import { writeSegment } from '../helpers/segmentWriter.js';
import { writeTombstones } from '../helpers/tombstonesWriter.js';
import { encodeXOR } from '../helpers/xorEncoder.js';

export const SNAPSHOT = '20261122T144025Z-2939a76ec4c5dbb6';
export const BLOCK = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

export interface SegmentedBlock {
  members: Member[];
  /** Each series' offset in the index, in ref order (series i refers to segment position i). */
  seriesAt: number[];
}

/**
 * A healthy block of `n` series, series i with 2 samples at 1000 (i + 1) + [0, 500] in the
 * segment at position i, written as file `names[i]` (by default 000001 … in order; null
 * leaves that segment out, as if it were lost).
 */
export function segmentedBlock(n: number, names: readonly (string | null)[] = Array.from({ length: n }, (_, i) => String(i + 1).padStart(6, '0'))): SegmentedBlock {
  const times = (i: number) => [1000 * (i + 1), 1000 * (i + 1) + 500];
  const segs = Array.from({ length: n }, (_, i) => writeSegment([{ encoding: 1, data: encodeXOR(times(i), [0n, 0n]) }]));
  const index = writeIndex(
    segs.map((s, i) => ({
      labels: [['__name__', `m${i}`]],
      chunks: [{ minTime: times(i)[0]!, maxTime: times(i)[1]!, ref: i * 2 ** 32 + s.offsets[0]! }],
    })),
  );
  const meta = { ulid: BLOCK, minTime: 1000, maxTime: 1000 * (n + 1), stats: { numSamples: 2 * n, numSeries: n, numChunks: n }, compaction: { level: 1, sources: [BLOCK] }, version: 1 };
  const p = `snapshots/${SNAPSHOT}/${BLOCK}`;
  const members: Member[] = [
    { name: 'snapshots/' },
    { name: `snapshots/${SNAPSHOT}/` },
    { name: `${p}/` },
    { name: `${p}/chunks/` },
    ...names.flatMap((name, i) => (name === null ? [] : [{ name: `${p}/chunks/${name}`, data: segs[i]!.bytes }])),
    { name: `${p}/index`, data: index.bytes },
    { name: `${p}/meta.json`, data: Buffer.from(JSON.stringify(meta)) },
    { name: `${p}/tombstones`, data: writeTombstones([]) },
  ];
  return { members, seriesAt: index.series.map((s) => s.offset) };
}
