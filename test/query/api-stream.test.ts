// GET /api/v1/series streamed: label sets come one at a time from a k-way
// merge of each match[]'s merged series, the same answer as collecting and
// sorting them; the JSON goes out as it comes; the writer's backpressure
// leaves no listeners behind.

import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareLabels } from '../../src/encoding/compare.js';
import { apiJson, ChunkedWriter, seriesLabels, writeSeriesJson } from '../../src/query/api.js';
import { mergedSeries } from '../../src/query/merge.js';
import { parseMatchParam } from '../../src/query/promql.js';
import { openInput, querySources, type OpenedInput } from '../../src/snapshot/open.js';
import { fixturePath } from '../helpers/prometheus.js';

let opened: OpenedInput;
beforeAll(async () => {
  opened = await openInput(fixturePath('snapshot-full.tgz'));
});
afterAll(() => opened.close());

/** The collected answer: every set's series, sorted, duplicates once. */
function collected(sets: string[], start = -Infinity, end = Infinity): string[][] {
  const all = sets.flatMap((s) => [...mergedSeries(querySources(opened), parseMatchParam(s), start, end)].map((m) => m.labels));
  all.sort(compareLabels);
  return all.filter((l, i) => i === 0 || compareLabels(all[i - 1], l) !== 0);
}

class Sink extends Writable {
  chunks: string[] = [];
  constructor(hwm: number) {
    super({ highWaterMark: hwm });
  }
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.chunks.push(c.toString());
    setImmediate(cb);
  }
}

describe('seriesLabels', () => {
  it('answers as collecting, sorting and de-duplicating every match[] does', () => {
    for (const sets of [['node_load1'], ['{job="node"}', '{__name__=~"node_.*"}'], ['{room=~".+"}', 'node_load1', '{room=~".+"}'], ['{job=~".+"}']]) {
      const got = [...seriesLabels(querySources(opened), sets.map(parseMatchParam), -Infinity, Infinity)];
      expect(got, sets.join(' ')).toEqual(collected(sets));
      expect(got.length).toBeGreaterThan(0);
    }
  });

  it('writes the JSON the API answers', async () => {
    const sets = ['{job="node"}', '{room=~".+"}'];
    const out = new Sink(16);
    await writeSeriesJson(seriesLabels(querySources(opened), sets.map(parseMatchParam), -Infinity, Infinity), out);
    expect(out.chunks.join('')).toBe(apiJson.series(collected(sets)) + '\n');
  });
});

describe('ChunkedWriter', () => {
  it('leaves no drain or error listener behind however often it waits', async () => {
    const out = new Sink(1);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const w = new ChunkedWriter(out);
      for (let i = 0; i < 50; i++) {
        await w.write('x'.repeat(1 << 16));
        expect(out.listenerCount('error')).toBeLessThanOrEqual(1);
        expect(out.listenerCount('drain')).toBe(0);
      }
      await w.flush();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    expect(out.chunks.join('').length).toBe(50 << 16);
  });
});
