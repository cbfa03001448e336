// analyze on a hand-built block, against numbers worked out from promtool's
// analyzeBlock and analyzeCompaction: label pairs keyed "name=value" (two
// pairs that spell the same key count as one, as in promtool's map), churn
// as the uncovered share of the block's range, chunk fullness from each
// chunk's sample count.

import { describe, expect, it } from 'vitest';
import { Block } from '../../src/block/block.js';
import type { BlockSource } from '../../src/block/source.js';
import { analyze } from '../../src/report/analyze.js';
import { writeIndex, type TestSeries } from '../helpers/indexWriter.js';
import { writeSegment } from '../helpers/segmentWriter.js';

/** A block held in memory: meta.json, index and one chunk segment. */
function memoryBlock(series: (Omit<TestSeries, 'chunks'> & { chunks: { minTime: number; maxTime: number; samples: number }[] })[]): Block {
  // XOR chunk data as analyze reads it: the 2-byte sample count (and bytes after it, never decoded).
  const all = series.flatMap((s) => s.chunks);
  const seg = writeSegment(all.map((c) => ({ encoding: 1, data: Uint8Array.of(c.samples >> 8, c.samples & 0xff, 0, 0) })));
  let k = 0;
  const index = writeIndex(series.map((s) => ({ labels: s.labels, chunks: s.chunks.map((c) => ({ minTime: c.minTime, maxTime: c.maxTime, ref: seg.offsets[k++] })) })));
  const meta = { version: 1, ulid: '01TESTBLOCK000000000000000', minTime: 0, maxTime: 1000, stats: { numSeries: series.length } };
  const files: Record<string, Uint8Array> = {
    'meta.json': new TextEncoder().encode(JSON.stringify(meta)),
    index: index.bytes,
    'chunks/000001': seg.bytes,
  };
  const source: BlockSource = {
    location: 'memory',
    read: (rel) => files[rel],
    size: (rel) => files[rel]?.length,
    chunkFiles: () => ['000001'],
  };
  return new Block(meta.ulid, source);
}

describe('analyze on a hand-built block', () => {
  // Range 1000 ms. Uncovered time per series: 1, 1, 991 and 1000.
  const block = memoryBlock([
    // "a=b" + "=" + "c" and "a" + "=" + "b=c" spell the same key.
    { labels: [['a=b', 'c']], chunks: [{ minTime: 0, maxTime: 999, samples: 120 }] },
    { labels: [['a', 'b=c'], ['job', 'x']], chunks: [{ minTime: 0, maxTime: 499, samples: 60 }, { minTime: 500, maxTime: 999, samples: 1 }] },
    { labels: [['job', 'x']], chunks: [{ minTime: 900, maxTime: 909, samples: 200 }] },
    { labels: [['job', 'x'], ['k', 'v']], chunks: [{ minTime: 0, maxTime: 0, samples: 12 }] },
  ]);
  const r = analyze([block], { limit: 100 });
  const sorted = (st: { name: string; value: number }[]) => st.map((x) => `${x.value} ${x.name}`).sort();

  it('counts label pairs by their "name=value" key', () => {
    expect(r.numSeries).toBe(4);
    expect(r.labelNames).toBe(4);
    expect(r.numLabelPairs).toBe(3);
    expect(r.numLabelPairEntries).toBe(6);
    expect(r.seriesCountByLabelValuePair).toEqual([
      { name: 'job=x', value: 3 },
      { name: 'a=b=c', value: 2 },
      { name: 'k=v', value: 1 },
    ]);
  });

  it('sums the uncovered time per pair and per name, in whole block ranges', () => {
    // "job=x": 1 + 991 + 1000 = 1992 → 1; "k=v": 1000 → 1; "a=b=c": 1 + 1 → 0.
    expect(r.churnByLabelPair.map((s) => s.value)).toEqual([1, 1, 0]);
    expect(sorted(r.churnByLabelPair)).toEqual(['0 a=b=c', '1 job=x', '1 k=v']);
    expect(sorted(r.churnByLabelName)).toEqual(['0 a', '0 a=b', '1 job', '1 k']);
  });

  it('puts each chunk in its fullness bucket, counts above 120 in the last', () => {
    // 120 and 200 (read as 120): 100%; 60: 50%; 1 and 12: 10%.
    expect(r.chunkCount).toBe(5);
    const byBucket = Object.fromEntries(r.chunkFullness.filter((b) => b.chunks > 0).map((b) => [b.fullness, b.chunks]));
    expect(byBucket).toEqual({ 10: 2, 50: 1, 100: 2 });
  });
});
