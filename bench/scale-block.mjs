// A block dir with many series for the scale benchmarks (bench/series-scale.mjs):
// the index written by the tests' own writer (test/helpers/indexWriter.ts,
// bundled by rolldown on the fly), one chunk segment with one XOR chunk that
// every series' chunk meta names (`series` reads the index only).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const ULID = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
const MIN_TIME = 1_700_000_000_000;
const MAX_TIME = MIN_TIME + 7_200_000;

/** Import a test helper (TypeScript) by bundling it into a temp module. */
async function importHelper(name, dir) {
  const out = path.join(dir, `${name}.mjs`);
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'rolldown'), [path.join(ROOT, 'test', 'helpers', `${name}.ts`), '--format', 'esm', '--file', out], { stdio: 'ignore' });
  return import(pathToFileURL(out).href);
}

/** The label pairs of series i: 100 metrics, each with its own instances, as a scrape of many targets gives. */
export function seriesLabels(i) {
  return [
    ['__name__', `bench_metric_${i % 100}`],
    ['instance', `host-${String(Math.floor(i / 100)).padStart(7, '0')}:9100`],
    ['job', 'bench'],
  ];
}

/** Build (or reuse) a data dir holding one block of `n` series under `base`; returns its path. */
export async function scaleBlock(n, base = path.join(os.tmpdir(), 'tsdb-inspect-scale')) {
  const dir = path.join(base, `series-${n}`);
  const block = path.join(dir, ULID);
  if (fs.existsSync(path.join(block, 'meta.json'))) return dir;
  fs.mkdirSync(path.join(block, 'chunks'), { recursive: true });
  const [{ writeIndex }, { writeSegment }, { encodeXOR }] = await Promise.all(['indexWriter', 'segmentWriter', 'xorEncoder'].map((h) => importHelper(h, base)));
  const chunk = encodeXOR([MIN_TIME, MAX_TIME - 1], [0n, 0n]);
  const seg = writeSegment([{ encoding: 1, data: chunk }]);
  fs.writeFileSync(path.join(block, 'chunks', '000001'), seg.bytes);
  const ref = seg.offsets[0];
  // Made in label order (metric names as strings sort, instances zero-padded), so the writer's sort has nothing to do.
  const order = Array.from({ length: Math.min(n, 100) }, (_, m) => m).sort((a, b) => (String(a) < String(b) ? -1 : 1));
  const series = [];
  for (const m of order) for (let i = m; i < n; i += 100) series.push({ labels: seriesLabels(i), chunks: [{ minTime: MIN_TIME, maxTime: MAX_TIME - 1, ref }] });
  fs.writeFileSync(path.join(block, 'index'), writeIndex(series).bytes);
  const meta = { ulid: ULID, minTime: MIN_TIME, maxTime: MAX_TIME, stats: { numSamples: 2 * n, numSeries: n, numChunks: n }, compaction: { level: 1, sources: [ULID] }, version: 1 };
  fs.writeFileSync(path.join(block, 'meta.json'), JSON.stringify(meta, null, '\t'));
  return dir;
}
