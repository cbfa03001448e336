// `promtool tsdb analyze --extended` (Prometheus 2.42, cmd/promtool/tsdb.go
// analyzeBlock and analyzeCompaction), for one block or for several blocks
// merged, with newer promtool's --match (a selector narrows every section).
//
// Sections and numbers are promtool's: churn per label pair and label name
// (the share of the block's time range a series does not cover, summed and
// divided by the range), the most common label pairs, label names by
// cumulative value length (bytes), the highest-cardinality labels and metric
// names, and the chunk fullness histogram. Entries are ordered by Go's
// sort.Slice with the same input order promtool gives it where that order is
// deterministic (label names, metric names); promtool feeds the other
// sections from Go maps, whose order is random, so entries of equal value
// may come out in another order there.
//
// Several blocks merged: a series present in several blocks counts once,
// its covered range runs from its first chunk in any block to its last,
// the time range is that of all blocks together, and label values are the
// union of the blocks' values.

import type { Block } from '../block/block.js';
import { withFile } from '../block/block.js';
import { numSamplesFor } from '../chunkenc/chunk.js';
import type { ChunkMeta } from '../index/series.js';
import { intersect } from '../index/postings.js';
import { compareLabels, compareUtf8 } from '../encoding/compare.js';
import { GoHeap } from '../query/goheap.js';
import type { Matcher } from '../query/matchers.js';
import { selectPostings } from '../query/select.js';
import { formatDuration } from './duration.js';
import { goSortSlice } from '../encoding/gosort.js';

export interface Stat {
  name: string;
  value: number;
}

export interface FullnessBucket {
  /** Upper end of the bucket in percent of 120 samples: 10, 20, … 100. */
  fullness: number;
  chunks: number;
  /** 100 · chunks / all chunks, rounded down, as promtool draws it. */
  percent: number;
}

export interface AnalyzeReport {
  /** ULIDs of the analysed blocks. */
  blocks: string[];
  minTime: number;
  maxTime: number;
  /** maxTime − minTime as Go's time.Duration prints it. */
  duration: string;
  /** One block: meta.json's numSeries (as promtool prints it). Several: distinct series. */
  numSeries: number;
  /** Series the matchers select (only with matchers). */
  matchedSeries?: number;
  labelNames: number;
  /** Distinct label pairs (promtool's "Postings (unique label pairs)"). */
  numLabelPairs: number;
  /** Label pairs over all series ("Postings entries (total label pairs)"). */
  numLabelPairEntries: number;
  churnByLabelPair: Stat[];
  churnByLabelName: Stat[];
  seriesCountByLabelValuePair: Stat[];
  memoryInBytesByLabelName: Stat[];
  labelValueCountByLabelName: Stat[];
  seriesCountByMetricName: Stat[];
  chunkCount: number;
  chunkFullness: FullnessBucket[];
}

export interface AnalyzeOptions {
  /** Entries per section; promtool's default is 20. */
  limit?: number;
  matchers?: readonly Matcher[];
}

interface PairStats {
  /** Time not covered, summed over the pair's series. */
  uncovered: number;
  series: number;
}

interface SeriesPart {
  labels: string[];
  chunks: ChunkMeta[];
  block: Block;
}

/** A block's selected series, in index (label) order. */
function* blockSeriesParts(b: Block, refs: Uint32Array): Generator<SeriesPart> {
  const ix = b.index;
  for (let k = 0; k < refs.length; k++) {
    const s = withFile(b.name, 'index', () => ix.series(refs[k]));
    yield { labels: s.labels, chunks: s.chunks, block: b };
  }
}

/** Series of several blocks merged by label set: each yields all its parts. */
function* mergeParts(streams: Generator<SeriesPart>[]): Generator<SeriesPart[]> {
  if (streams.length === 1) {
    for (const p of streams[0]) yield [p];
    return;
  }
  interface Cur {
    it: Generator<SeriesPart>;
    cur: SeriesPart;
  }
  const heap = new GoHeap<Cur>((a, b) => compareLabels(a.cur.labels, b.cur.labels) < 0);
  for (const it of streams) {
    const r = it.next();
    if (!r.done) heap.push({ it, cur: r.value });
  }
  while (heap.length > 0) {
    const labels = heap.items[0].cur.labels;
    const parts: SeriesPart[] = [];
    while (heap.length > 0 && compareLabels(heap.items[0].cur.labels, labels) === 0) {
      const c = heap.pop();
      parts.push(c.cur);
      const r = c.it.next();
      if (!r.done) heap.push({ it: c.it, cur: r.value });
    }
    yield parts;
  }
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Go's uint64(float64(m) / float64(d)). */
function churn(m: number, d: number): number {
  return d > 0 ? Math.trunc(m / d) : 0;
}

function sortedStats(entries: Iterable<[string, number]>, limit: number): Stat[] {
  const infos: Stat[] = [];
  for (const [name, value] of entries) infos.push({ name, value });
  goSortSlice(infos, (a, b) => a.value > b.value);
  return infos.slice(0, limit);
}

const MAX_SAMPLES_PER_CHUNK = 120;
const FULLNESS_BUCKETS = 10;

export function analyze(blocks: readonly Block[], opts: AnalyzeOptions = {}): AnalyzeReport {
  if (blocks.length === 0) throw new RangeError('analyze needs at least one block');
  const limit = opts.limit ?? 20;
  const ms = opts.matchers && opts.matchers.length > 0 ? opts.matchers : undefined;
  const minTime = Math.min(...blocks.map((b) => b.meta.minTime));
  const maxTime = Math.max(...blocks.map((b) => b.meta.maxTime));
  const dur = maxTime - minTime;

  // The series each block contributes: all of them, or what the matchers select through postings.
  const refs = blocks.map((b) => withFile(b.name, 'index', () => (ms ? selectPostings(b.index, ms) : b.index.allPostings())));

  // Label names and values, per block, through the index (with matchers: of the selected series only).
  const names = new Set<string>();
  const valuesByName = new Map<string, Set<string>>();
  const valuesOf = (n: string) => {
    let v = valuesByName.get(n);
    if (!v) valuesByName.set(n, (v = new Set()));
    return v;
  };
  blocks.forEach((b, i) => {
    withFile(b.name, 'index', () => {
      const ix = b.index;
      if (!ms) {
        for (const n of ix.labelNames()) {
          names.add(n);
          const vs = valuesOf(n);
          for (const v of ix.labelValues(n)) vs.add(v);
        }
        return;
      }
      const selected = refs[i];
      const blockNames = new Set<string>();
      for (let k = 0; k < selected.length; k++) {
        const l = ix.series(selected[k], false).labels;
        for (let j = 0; j < l.length; j += 2) blockNames.add(l[j]);
      }
      for (const n of blockNames) {
        names.add(n);
        const vs = valuesOf(n);
        for (const [v, off] of ix.postingsForName(n)) if (!vs.has(v) && intersect(selected, ix.readPostingsAt(off)).length > 0) vs.add(v);
      }
    });
  });
  const allLabelNames = [...names].sort(compareUtf8);

  const labelsUncovered = new Map<string, number>();
  // Label pairs keyed "name=value", as promtool keys them (so pairs that spell the same key count together).
  const pairs = new Map<string, PairStats>();
  // The same stats by name, then value: no key string is built per label.
  const pairsByName = new Map<string, Map<string, PairStats>>();
  const pairStats = (name: string, value: string): PairStats => {
    let byValue = pairsByName.get(name);
    if (!byValue) pairsByName.set(name, (byValue = new Map()));
    let st = byValue.get(value);
    if (!st) {
      const key = name + '=' + value;
      st = pairs.get(key);
      if (!st) pairs.set(key, (st = { uncovered: 0, series: 0 }));
      byValue.set(value, st);
    }
    return st;
  };
  const metricSeries = new Map<string, number>();
  const fullness = new Array<number>(FULLNESS_BUCKETS).fill(0);
  let entries = 0;
  let distinctSeries = 0;
  let chunkCount = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

  for (const parts of mergeParts(blocks.map((b, i) => blockSeriesParts(b, refs[i])))) {
    distinctSeries++;
    let first = Infinity;
    let last = -Infinity;
    for (const p of parts) {
      if (p.chunks.length === 0) continue;
      first = Math.min(first, p.chunks[0].minTime);
      last = Math.max(last, p.chunks[p.chunks.length - 1].maxTime);
      for (const c of p.chunks) {
        // The sample count alone, read as promtool reads it: no CRC check (verify checks them).
        const rec = p.block.chunk(c.ref, false);
        const n = Math.min(numSamplesFor(rec.encoding, rec.data), MAX_SAMPLES_PER_CHUNK);
        const bucket = Math.ceil((FULLNESS_BUCKETS * n) / MAX_SAMPLES_PER_CHUNK) - 1;
        fullness[Math.max(0, bucket)]++;
        chunkCount++;
      }
    }
    // Amount of the time range not covered by this series.
    const uncovered = first <= last ? dur - (last - first) : dur;
    const labels = parts[0].labels;
    for (let i = 0; i < labels.length; i += 2) {
      add(labelsUncovered, labels[i], uncovered);
      const st = pairStats(labels[i], labels[i + 1]);
      st.uncovered += uncovered;
      st.series++;
      entries++;
      if (labels[i] === '__name__') add(metricSeries, labels[i + 1], 1);
    }
  }

  const metricNames = [...(valuesByName.get('__name__') ?? [])].sort(compareUtf8);
  return {
    blocks: blocks.map((b) => b.meta.ulid),
    minTime,
    maxTime,
    duration: formatDuration(dur),
    numSeries: blocks.length === 1 ? blocks[0].meta.stats.numSeries : distinctSeries,
    ...(ms ? { matchedSeries: distinctSeries } : {}),
    labelNames: allLabelNames.length,
    numLabelPairs: pairs.size,
    numLabelPairEntries: entries,
    churnByLabelPair: sortedStats([...pairs].map(([k, st]) => [k, churn(st.uncovered, dur)]), limit),
    churnByLabelName: sortedStats([...labelsUncovered].map(([k, m]) => [k, churn(m, dur)]), limit),
    seriesCountByLabelValuePair: sortedStats([...pairs].map(([k, st]) => [k, st.series]), limit),
    memoryInBytesByLabelName: sortedStats(
      allLabelNames.map((n) => [n, [...(valuesByName.get(n) ?? [])].reduce((s, v) => s + byteLength(v), 0)]),
      limit,
    ),
    labelValueCountByLabelName: sortedStats(
      allLabelNames.map((n) => [n, valuesByName.get(n)?.size ?? 0]),
      limit,
    ),
    seriesCountByMetricName: sortedStats(
      metricNames.map((n) => [n, metricSeries.get(n) ?? 0]),
      limit,
    ),
    chunkCount,
    chunkFullness: fullness.map((chunks, i) => ({
      fullness: (i + 1) * 10,
      chunks,
      percent: chunkCount > 0 ? Math.trunc((100 * chunks) / chunkCount) : 0,
    })),
  };
}

/** The sections in promtool's order, with promtool's headings. */
export const ANALYZE_SECTIONS = [
  ['churnByLabelPair', 'Label pairs most involved in churning'],
  ['churnByLabelName', 'Label names most involved in churning'],
  ['seriesCountByLabelValuePair', 'Most common label pairs'],
  ['memoryInBytesByLabelName', 'Label names with highest cumulative label value length'],
  ['labelValueCountByLabelName', 'Highest cardinality labels'],
  ['seriesCountByMetricName', 'Highest cardinality metric names'],
] as const satisfies readonly (readonly [keyof AnalyzeReport, string])[];

/** promtool tsdb analyze --extended's text, byte for byte for one block. */
export function analyzeText(r: AnalyzeReport, matcher?: string): string {
  let out = r.blocks.length === 1 ? `Block ID: ${r.blocks[0]}\n` : `Block ID: ${r.blocks.length} blocks merged (${r.blocks.join(', ')})\n`;
  out += `Duration: ${r.duration}\n`;
  out += `Series: ${r.numSeries}\n`;
  if (matcher !== undefined) out += `Matcher: ${matcher}\n`;
  out += `Label names: ${r.labelNames}\n`;
  if (r.matchedSeries !== undefined) out += `Matched series: ${r.matchedSeries}\n`;
  out += `Postings (unique label pairs): ${r.numLabelPairs}\n`;
  out += `Postings entries (total label pairs): ${r.numLabelPairEntries}\n`;
  for (const [key, title] of ANALYZE_SECTIONS) {
    out += `\n${title}:\n`;
    for (const s of r[key]) out += `${s.value} ${s.name}\n`;
  }
  out += '\nCompaction analysis:\nFullness: Amount of samples in chunks (100% is 120 samples)\n';
  for (const b of r.chunkFullness) out += String(b.fullness).padStart(7) + '%: ' + '#'.repeat(b.percent) + '\n';
  return out;
}
