// The answers of Prometheus 2.42's HTTP API, computed offline from blocks:
// GET /api/v1/series, /labels, /label/<name>/values, and /query for a
// range selector. Each follows the code path the server takes
// (web/api/v1/api.go → tsdb/db.go Querier → tsdb/querier.go):
//
// - A block takes part when it overlaps the closed range [start, end]
//   (Block.OverlapsClosedInterval: minTime <= end && start < maxTime).
// - /series selects series like the block querier: a series is returned when
//   one of its chunks overlaps [start, end] and is not wholly deleted by a
//   tombstone; samples are not read.
// - /labels and /label/x/values read the index only: without match[] every
//   name (value) of every selected block, with match[] the names (values) of
//   the series the matchers select through postings. Neither looks at chunk
//   times or tombstones, so a series whose samples were all deleted still
//   contributes its labels.
// - A range selector `sel[range]` evaluated at `time` returns, per series in
//   label order, the samples in [time - range, time], stale markers
//   dropped; series left without samples are not returned.

import type { Writable } from 'node:stream';
import type { Block } from '../block/block.js';
import { withFile } from '../block/block.js';
import type { HistogramSample } from '../chunkenc/histogrammeta.js';
import { CUSTOM_BUCKETS_SCHEMA } from '../chunkenc/histogrammeta.js';
import { STALE_HI, STALE_LO } from '../chunkenc/stale.js';
import { intersect } from '../index/postings.js';
import { compareLabels, compareUtf8 } from '../encoding/compare.js';
import { serverBlockOrder } from './block-order.js';
import { writeDrained } from './bytewriter.js';
import { envelope, formatApiFloat, formatApiTimestamp, goJsonString, labelsJson, stringsJson } from './api-json.js';
import { buckets, type Bucket } from './histogram-string.js';
import type { Matcher } from './matchers.js';
import { GoHeap } from './goheap.js';
import { mergedSamples, mergedSeries } from './merge.js';
import type { SampleList } from '../chunkenc/sample-list.js';
import { selectPostings } from './select.js';
import { headSeries } from './series.js';
import type { Head } from '../wal/head.js';

/** Block.OverlapsClosedInterval. */
export function blockOverlaps(b: Block, start: number, end: number): boolean {
  return b.meta.minTime <= end && start < b.meta.maxTime;
}

/** GET /api/v1/series: label sets of the matching series, in label order. */
export function apiSeries(blocks: readonly (Block | Head)[], matcherSets: readonly (readonly Matcher[])[], start: number, end: number): string[][] {
  return [...seriesLabels(blocks, matcherSets, start, end)];
}

interface LabelsCursor {
  it: Iterator<{ labels: string[] }>;
  cur: string[];
}

/**
 * The answer of GET /api/v1/series one label set at a time: each match[]'s
 * series merged across blocks, and the sorted sets merged again (duplicates
 * once), so nothing is collected whatever the number of series.
 */
export function* seriesLabels(blocks: readonly (Block | Head)[], matcherSets: readonly (readonly Matcher[])[], start: number, end: number): Generator<string[]> {
  const heap = new GoHeap<LabelsCursor>((a, b) => compareLabels(a.cur, b.cur) < 0);
  const advance = (c: LabelsCursor): boolean => {
    const r = c.it.next();
    if (!r.done) c.cur = r.value.labels;
    return !r.done;
  };
  for (const ms of matcherSets) {
    const c: LabelsCursor = { it: mergedSeries(blocks, ms, start, end), cur: [] };
    if (advance(c)) heap.push(c);
  }
  let last: string[] | undefined;
  while (heap.length > 0) {
    const c = heap.pop();
    if (last === undefined || compareLabels(last, c.cur) !== 0) yield (last = c.cur);
    if (advance(c)) heap.push(c);
  }
}

/** The body of GET /api/v1/series written as the label sets come. */
export async function writeSeriesJson(sets: Iterable<readonly string[]>, out: Writable): Promise<number> {
  const w = new ChunkedWriter(out);
  let n = 0;
  await w.write('{"status":"success","data":[');
  for (const l of sets) await w.write((n++ > 0 ? ',' : '') + labelsJson(l));
  await w.write(']}\n');
  await w.flush();
  return n;
}

function sortedUnion(sets: Iterable<string>): string[] {
  return [...new Set(sets)].sort(compareUtf8);
}

/**
 * Label sets of a replayed head's series for /labels and /label/…/values:
 * every series when there is no match[] and the head overlaps the range,
 * else those the matcher sets select.
 */
function* headLabelSets(head: Head, matcherSets: readonly (readonly Matcher[])[], start: number, end: number): Generator<string[]> {
  const st = head.stats();
  if (!(st.minTime <= end && start <= st.maxTime)) return;
  if (matcherSets.length === 0) {
    for (const s of head.seriesList()) yield s.labels;
    return;
  }
  for (const ms of matcherSets) for (const p of headSeries(head, ms, start, end)) yield p.labels;
}

/** Series refs of a block that a matcher set selects, through postings. */
function selectRefs(b: Block, ms: readonly Matcher[]): Uint32Array {
  return withFile(b.name, 'index', () => selectPostings(b.index, ms));
}

/** GET /api/v1/labels. */
export function apiLabelNames(blocks: readonly (Block | Head)[], matcherSets: readonly (readonly Matcher[])[], start: number, end: number): string[] {
  const names = new Set<string>();
  for (const b of blocks) {
    if (!('meta' in b)) {
      for (const l of headLabelSets(b, matcherSets, start, end)) for (let i = 0; i < l.length; i += 2) names.add(l[i]);
      continue;
    }
    if (!blockOverlaps(b, start, end)) continue;
    const ix = b.index;
    if (matcherSets.length === 0) {
      for (const n of ix.labelNames()) names.add(n);
      continue;
    }
    for (const ms of matcherSets) {
      const refs = selectRefs(b, ms);
      withFile(b.name, 'index', () => {
        for (let k = 0; k < refs.length; k++) {
          const l = ix.series(refs[k], false).labels;
          for (let i = 0; i < l.length; i += 2) names.add(l[i]);
        }
      });
    }
  }
  return sortedUnion(names);
}

function intersects(a: Uint32Array, b: Uint32Array): boolean {
  return intersect(a, b).length > 0;
}

/** GET /api/v1/label/<name>/values. */
export function apiLabelValues(
  blocks: readonly (Block | Head)[],
  name: string,
  matcherSets: readonly (readonly Matcher[])[],
  start: number,
  end: number,
): string[] {
  const values = new Set<string>();
  for (const b of blocks) {
    if (!('meta' in b)) {
      for (const l of headLabelSets(b, matcherSets, start, end)) for (let i = 0; i < l.length; i += 2) if (l[i] === name) values.add(l[i + 1]);
      continue;
    }
    if (!blockOverlaps(b, start, end)) continue;
    const ix = b.index;
    if (matcherSets.length === 0) {
      for (const v of ix.labelValues(name)) values.add(v);
      continue;
    }
    // labelValuesWithMatchers: the values whose postings meet the selected series.
    for (const ms of matcherSets) {
      const refs = selectRefs(b, ms);
      if (refs.length === 0) continue;
      withFile(b.name, 'index', () => {
        for (const [value, offset] of ix.postingsForName(name)) {
          if (!values.has(value) && intersects(refs, ix.readPostingsAt(offset))) values.add(value);
        }
      });
    }
  }
  return sortedUnion(values);
}

/** model/labels.LabelNameRE, which /label/<name>/values checks. */
export function isValidLabelName(name: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name);
}

/** The API's boundary rule of a bucket: 0 (lo,hi], 1 [lo,hi), 2 (lo,hi), 3 [lo,hi]. */
export function boundaryRule(b: Pick<Bucket, 'lowerInclusive' | 'upperInclusive'>): number {
  if (b.lowerInclusive) return b.upperInclusive ? 3 : 1;
  return b.upperInclusive ? 0 : 2;
}

/**
 * A histogram as marshalHistogram writes it: count, sum and the non-empty
 * buckets of AllBucketIterator (negative ones from the lowest up, the zero
 * bucket, positive ones), each [rule, "lower", "upper", "count"].
 * AllBucketIterator moves a bound that lies inside the zero bucket onto the
 * zero threshold: a negative bucket's upper bound above −threshold, a positive
 * bucket's lower bound below +threshold (model/histogram/float_histogram.go,
 * allFloatBucketIterator; 2.42's rule, which 3.5 narrows to bounds ≠ 0 so that
 * custom buckets, whose threshold is 0, keep their −Inf). Dump's String() uses
 * the plain iterators and keeps the bounds.
 */
export function histogramJson(h: HistogramSample): string {
  let out = '{"count":"' + formatApiFloat(h.count) + '","sum":"' + formatApiFloat(h.sum) + '"';
  const z = h.zeroThreshold;
  const all: Bucket[] = buckets(h.negativeSpans, h.negativeBuckets, h.schema, false, h.customValues).reverse();
  if (h.schema !== CUSTOM_BUCKETS_SCHEMA) for (const b of all) if (b.upper > -z) b.upper = -z;
  if (h.zeroCount > 0) all.push({ lower: -z, upper: z, lowerInclusive: true, upperInclusive: true, count: h.zeroCount });
  for (const b of buckets(h.positiveSpans, h.positiveBuckets, h.schema, true, h.customValues)) {
    if (h.schema !== CUSTOM_BUCKETS_SCHEMA && b.lower < z) b.lower = z;
    all.push(b);
  }
  let first = true;
  for (const b of all) {
    if (b.count === 0) continue;
    out += (first ? ',"buckets":[' : ',') + '[' + boundaryRule(b) + ',"' + formatApiFloat(b.lower) + '","' + formatApiFloat(b.upper) + '","' + formatApiFloat(b.count) + '"]';
    first = false;
  }
  return out + (first ? '}' : ']}');
}

/** One series of a matrix result, or undefined when no sample is left after dropping stale markers. */
export function matrixSeriesJson(labels: readonly string[], s: SampleList): string | undefined {
  const words = new Uint32Array(s.v.buffer, s.v.byteOffset, s.v.length * 2);
  let values = '';
  let hists = '';
  for (let i = 0; i < s.n; i++) {
    const h = s.h?.[i];
    if (h) {
      if (h.stale) continue;
      hists += (hists ? ',[' : '[') + formatApiTimestamp(s.t[i]) + ',' + histogramJson(h) + ']';
    } else {
      // value.IsStaleNaN: the exact bits 0x7ff0000000000002.
      if (words[2 * i + 1] === STALE_HI && words[2 * i] === STALE_LO) continue;
      values += (values ? ',[' : '[') + formatApiTimestamp(s.t[i]) + ',"' + formatApiFloat(s.v[i]) + '"]';
    }
  }
  if (!values && !hists) return undefined;
  let out = '{"metric":' + labelsJson(labels);
  if (values) out += ',"values":[' + values + ']';
  if (hists) out += ',"histograms":[' + hists + ']';
  return out + '}';
}

export interface RangeQueryStats {
  series: number;
  floats: number;
  histograms: number;
}

/**
 * GET /api/v1/query?query=<sel>[<maxt - mint>ms]&time=<maxt>: the matrix
 * of samples in [mint, maxt], written to `out` as the API's JSON body.
 */
export async function writeRangeQuery(blocks: readonly (Block | Head)[], matchers: readonly Matcher[], mint: number, maxt: number, out: Writable): Promise<RangeQueryStats> {
  const stats: RangeQueryStats = { series: 0, floats: 0, histograms: 0 };
  const w = new ChunkedWriter(out);
  await w.write('{"status":"success","data":{"resultType":"matrix","result":[');
  for (const m of mergedSeries(serverBlockOrder(blocks), matchers, mint, maxt)) {
    const s = mergedSamples(m, mint, maxt);
    const json = matrixSeriesJson(m.labels, s);
    if (json === undefined) continue;
    await w.write((stats.series++ > 0 ? ',' : '') + json);
  }
  await w.write(']}}\n');
  await w.flush();
  return stats;
}

/** The JSON bodies of the metadata endpoints. */
export const apiJson = {
  series: (sets: readonly (readonly string[])[]) => envelope('[' + sets.map(labelsJson).join(',') + ']'),
  strings: (values: readonly string[]) => envelope(stringsJson(values)),
  string: goJsonString,
};

const FLUSH_AT = 1 << 16;

/** Buffers small writes and honours backpressure. */
export class ChunkedWriter {
  private buf = '';
  constructor(private readonly out: Writable) {}

  async write(s: string): Promise<void> {
    this.buf += s;
    if (this.buf.length >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = this.buf;
    this.buf = '';
    return writeDrained(this.out, chunk);
  }
}
