// The golden corpus: every index Prometheus 2.42 wrote into the fixtures, and
// the index-format-v1 block from Prometheus's own test data.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChunkRecord } from '../../src/chunks/segment.js';
import { readLabelIndex, readLabelOffsetTable } from '../../src/index/labelindex.js';
import { IndexReader } from '../../src/index/reader.js';
import { chunkRefOffset, chunkRefSegment } from '../../src/index/series.js';
import { parseMeta } from '../../src/meta/meta.js';
import { compareBytes } from '../helpers/bytes.js';
import { loadFixtures, readBlockFile, segmentFiles, v1BlockDir, type FixtureBlock, type Fixtures } from '../helpers/fixtures.js';
import { flipEveryBit, harmlessFlips, indexCoverage } from '../helpers/indexRead.js';
import { compareLabelSets, writeIndex, type TestSeries } from '../helpers/indexWriter.js';
import { promtoolDump } from '../helpers/answers.js';

let fx: Fixtures;
beforeAll(async () => {
  fx = await loadFixtures();
});
afterAll(async () => {
  await fx?.cleanup();
});

function open(block: FixtureBlock) {
  const buf = readBlockFile(block, 'index');
  return { buf, ir: new IndexReader(buf), meta: parseMeta(readBlockFile(block, 'meta.json')) };
}

/** The series of an index as test-writer input. */
function seriesOf(ir: IndexReader): TestSeries[] {
  return Array.from(ir.allPostings(), (ref) => {
    const s = ir.series(ref);
    const labels: Array<[string, string]> = [];
    for (let i = 0; i < s.labels.length; i += 2) labels.push([s.labels[i], s.labels[i + 1]]);
    return { labels, chunks: s.chunks };
  });
}

const strictlyIncreasing = <T>(xs: ArrayLike<T>, cmp: (a: T, b: T) => number) =>
  Array.from({ length: Math.max(0, xs.length - 1) }, (_, i) => i).every((i) => cmp(xs[i], xs[i + 1]) < 0);

describe('every fixture index', () => {
  it('covers 12 Prometheus 2.42 blocks and the v1 block', () => {
    expect(fx.blocks.filter((b) => b.fixture !== 'index-format-v1')).toHaveLength(12);
    expect(fx.blocks.map((b) => open(b).ir.version).sort()).toEqual([1, ...Array(12).fill(2)]);
  });

  it('has sorted unique symbols, a sorted all-postings list and series sorted by label set', () => {
    for (const block of fx.blocks) {
      const { ir } = open(block);
      expect(strictlyIncreasing(ir.symbols.strings, compareBytes), block.name).toBe(true);
      const all = ir.allPostings();
      expect(all.length).toBeGreaterThan(0);
      expect(strictlyIncreasing(all, (a, b) => a - b), block.name).toBe(true);
      const labelSets = Array.from(all, (r) => ir.series(r).labels);
      expect(strictlyIncreasing(labelSets, compareLabelSets), block.name).toBe(true);
    }
  });

  it('has series with non-empty labels sorted by unique name, as many as meta.json counts, with its chunk count', () => {
    for (const block of fx.blocks) {
      const { ir, meta } = open(block);
      let chunks = 0;
      for (const ref of ir.allPostings()) {
        const s = ir.series(ref);
        expect(s.labels.length, `${block.name} series ${ref}`).toBeGreaterThan(0);
        expect(s.labels.every((l) => l !== ''), `${block.name} series ${ref}`).toBe(true);
        const names = s.labels.filter((_, i) => i % 2 === 0);
        expect(strictlyIncreasing(names, compareBytes), `${block.name} series ${ref}`).toBe(true);
        chunks += s.chunks.length;
      }
      expect(ir.allPostings().length, block.name).toBe(meta.stats.numSeries);
      expect(chunks, block.name).toBe(meta.stats.numChunks);
    }
  });

  it('has chunk metas in time order inside the block, each resolving to a chunk with a good CRC', () => {
    for (const block of fx.blocks) {
      const { ir, meta } = open(block);
      const segments = segmentFiles(block).map((f) => readBlockFile(block, f));
      let resolved = 0;
      for (const ref of ir.allPostings()) {
        const { chunks } = ir.series(ref);
        chunks.forEach((c, i) => {
          const where = `${block.name} series ${ref} chunk ${i}`;
          expect(c.minTime, where).toBeLessThanOrEqual(c.maxTime);
          if (i > 0) expect(c.minTime, where).toBeGreaterThan(chunks[i - 1].maxTime);
          expect(c.minTime, where).toBeGreaterThanOrEqual(meta.minTime);
          expect(c.maxTime, where).toBeLessThan(meta.maxTime);
          // ref = segment index (0 -> chunks/000001) << 32 | offset.
          const seg = segments[chunkRefSegment(c.ref)];
          expect(seg, where).toBeDefined();
          const rec = readChunkRecord(seg, chunkRefOffset(c.ref));
          expect([1, 2, 3], where).toContain(rec.encoding);
          resolved++;
        });
      }
      expect(resolved).toBe(meta.stats.numChunks);
    }
  });

  it('has postings, label names, label values and label indices that agree with the series', () => {
    for (const block of fx.blocks) {
      const { buf, ir } = open(block);
      const want = new Map<string, Map<string, number[]>>();
      for (const ref of ir.allPostings()) {
        const { labels } = ir.series(ref, false);
        for (let i = 0; i < labels.length; i += 2) {
          if (!want.has(labels[i])) want.set(labels[i], new Map());
          const m = want.get(labels[i])!;
          m.set(labels[i + 1], [...(m.get(labels[i + 1]) ?? []), ref]);
        }
      }
      const names = [...want.keys()].sort(compareBytes);
      expect(ir.labelNames(), block.name).toEqual(names);
      for (const name of names) {
        expect(new Set(ir.labelValues(name)), `${block.name} ${name}`).toEqual(new Set(want.get(name)!.keys()));
        for (const [value, refs] of want.get(name)!) expect(Array.from(ir.postings(name, value)), `${block.name} ${name}=${value}`).toEqual(refs);
      }
      const lot = readLabelOffsetTable(buf, ir.toc.labelIndicesTable);
      expect(lot.map((e) => e.name).sort(compareBytes)).toEqual(names);
      for (const e of lot) {
        const li = readLabelIndex(buf, e.offset);
        expect(li.names).toBe(1);
        expect(Array.from(li.values, (r) => ir.symbol(r) ?? '<unknown>').sort(compareBytes), `${block.name} ${e.name}`).toEqual([...want.get(e.name)!.keys()].sort(compareBytes));
      }
    }
  });

  it('keeps zero bytes, and nothing else, outside its sections', () => {
    for (const block of fx.blocks) {
      const { buf } = open(block);
      const mask = indexCoverage(buf);
      const stray = [...mask.keys()].filter((i) => !mask[i] && buf[i] !== 0);
      expect(stray, block.name).toEqual([]);
    }
  });
});

describe('the v2 fixture indexes and the test writer', () => {
  it('the writer reproduces each index byte for byte from what the reader read', () => {
    for (const block of fx.blocks.filter((b) => b.fixture !== 'index-format-v1')) {
      const { buf, ir } = open(block);
      // Prometheus's compactor also keeps the empty string as a symbol.
      const extra = ir.symbols.strings.filter((s) => s === '');
      const w = writeIndex(seriesOf(ir), { extraSymbols: extra });
      expect(w.bytes.length, block.name).toBe(buf.length);
      expect(Buffer.compare(w.bytes, buf), block.name).toBe(0);
      expect(w.toc).toEqual(ir.toc);
    }
  });

  it('notices every single-bit flip outside padding in the smallest real index', () => {
    const block = fx.blocks.find((b) => b.fixture === 'overlap')!;
    const { buf, ir } = open(block);
    const w = writeIndex(seriesOf(ir), { extraSymbols: [''] });
    expect(Buffer.compare(w.bytes, buf)).toBe(0);
    expect(flipEveryBit(buf, w)).toEqual(harmlessFlips(w));
  });
});

describe('the index-format-v1 block', () => {
  const v1 = () => fx.blocks.find((b) => b.fixture === 'index-format-v1')!;

  it('is read as version 1 with 102 series: bar="0".."99", foo="bar" and foo="baz"', () => {
    const { ir } = open(v1());
    expect(ir.version).toBe(1);
    const sets = Array.from(ir.allPostings(), (r) => ir.series(r).labels.join('='));
    expect(sets).toHaveLength(102);
    const want = [...Array.from({ length: 100 }, (_, i) => `bar=${i}`), 'foo=bar', 'foo=baz'].sort(compareBytes);
    expect([...sets].sort(compareBytes)).toEqual(want);
    // v1 series refs are byte offsets, not offset/16.
    expect(Array.from(ir.allPostings()).some((r) => r % 16 !== 0)).toBe(true);
    expect(ir.labelNames()).toEqual(['bar', 'foo']);
    expect(ir.labelValues('foo')).toEqual(['bar', 'baz']);
  });

  it('reads the label sets promtool tsdb dump prints', () => {
    const { ir } = open(v1());
    const dump = promtoolDump('index-format-v1');
    const printed = dump
      .trim()
      .split('\n')
      .map((line) => line.slice(0, line.lastIndexOf('} ') + 1));
    const read = Array.from(ir.allPostings(), (r) => {
      const l = ir.series(r).labels;
      const pairs = [];
      for (let i = 0; i < l.length; i += 2) pairs.push(`${l[i]}=${JSON.stringify(l[i + 1])}`);
      return `{${pairs.join(', ')}}`;
    });
    expect(printed).toHaveLength(102);
    expect(new Set(read)).toEqual(new Set(printed));
  });
});
