// TEST ONLY. Writes a whole block directory (meta.json, index, chunks/000001,
// tombstones) from series and their encoded chunks, so that tests can give
// the same hand-made block to tsdb-inspect, promtool and a Prometheus server.

import fs from 'node:fs';
import path from 'node:path';
import { writeIndex } from './indexWriter.js';
import { writeSegment } from './segmentWriter.js';
import { writeTombstones } from './tombstonesWriter.js';

export interface TestBlockChunk {
  encoding: number;
  data: Uint8Array;
  minTime: number;
  maxTime: number;
  samples: number;
}

export interface TestBlockSeries {
  labels: ReadonlyArray<readonly [string, string]>;
  chunks: readonly TestBlockChunk[];
}

/** Writes `<db>/<ulid>/…` and returns the block dir. maxTime is exclusive, as in meta.json. */
export function writeBlockDir(db: string, ulid: string, series: readonly TestBlockSeries[], minTime: number, maxTime: number): string {
  const dir = path.join(db, ulid);
  fs.mkdirSync(path.join(dir, 'chunks'), { recursive: true });
  const all = series.flatMap((s) => s.chunks);
  const seg = writeSegment(all);
  let k = 0;
  const index = writeIndex(series.map((s) => ({ labels: s.labels, chunks: s.chunks.map((c) => ({ minTime: c.minTime, maxTime: c.maxTime, ref: seg.offsets[k++] })) })));
  const meta = {
    ulid,
    minTime,
    maxTime,
    stats: { numSamples: all.reduce((n, c) => n + c.samples, 0), numSeries: series.length, numChunks: all.length },
    compaction: { level: 1, sources: [ulid] },
    version: 1,
  };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta, null, '\t'));
  fs.writeFileSync(path.join(dir, 'index'), index.bytes);
  fs.writeFileSync(path.join(dir, 'chunks', '000001'), seg.bytes);
  fs.writeFileSync(path.join(dir, 'tombstones'), writeTombstones([]));
  return dir;
}
