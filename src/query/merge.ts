// Merge series across blocks the way Prometheus's merge querier does
// (storage/merge.go): series sets are merged by label order with a heap,
// and the samples of a series found in several blocks are chained,
// dropping later samples whose timestamp was already emitted.

import type { Block } from '../block/block.js';
import type { Head } from '../wal/head.js';
import { compareLabels } from '../encoding/compare.js';
import { GoHeap } from './goheap.js';
import type { Matcher } from './matchers.js';
import { SampleList } from '../chunkenc/sample-list.js';
import { blockSeries, headSeries, readSamples, type SeriesPart } from './series.js';

function labelsEqual(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface MergedSeries {
  labels: string[];
  /** The same series in each block (or the head) it appears in, in Prometheus's merge order. */
  parts: SeriesPart[];
}

interface SetCursor {
  it: Iterator<SeriesPart>;
  cur: SeriesPart;
}

/** Matching series across blocks (and a replayed head, queried last), merged and in label order. */
export function* mergedSeries(blocks: readonly (Block | Head)[], matchers: readonly Matcher[], mint: number, maxt: number): Generator<MergedSeries> {
  const heap = new GoHeap<SetCursor>((a, b) => compareLabels(a.cur.labels, b.cur.labels) < 0);
  const advance = (c: SetCursor): boolean => {
    const r = c.it.next();
    if (r.done) return false;
    c.cur = r.value;
    return true;
  };
  for (const b of blocks) {
    const it = 'meta' in b ? blockSeries(b, matchers, mint, maxt) : headSeries(b, matchers, mint, maxt);
    const c = { it, cur: undefined as unknown as SeriesPart };
    if (advance(c)) heap.push(c);
  }
  let current: SetCursor[] = [];
  for (;;) {
    for (const c of current) if (advance(c)) heap.push(c);
    if (heap.length === 0) return;
    current = [];
    const labels = heap.items[0].cur.labels;
    while (heap.length > 0 && labelsEqual(labels, heap.items[0].cur.labels)) current.push(heap.pop());
    yield { labels, parts: current.map((c) => c.cur) };
  }
}

interface SampleCursor {
  s: SampleList;
  i: number;
}

/**
 * Lists reused from one series to the next (the dump's). A list that
 * mergedSamples returns with scratch stays valid until the next call.
 */
export class MergeScratch {
  readonly out = new SampleList();
  readonly parts: SampleList[] = [];
}

/**
 * All samples of a merged series, chained across blocks as
 * chainSampleIterator does. With `scratch`, the lists are reused.
 */
export function mergedSamples(m: MergedSeries, mint: number, maxt: number, scratch?: MergeScratch): SampleList {
  if (m.parts.length === 1) return readSamples(m.parts[0], mint, maxt, scratch?.out.clear());
  const lists = m.parts.map((p, k) => readSamples(p, mint, maxt, scratch ? (scratch.parts[k] ??= new SampleList()).clear() : undefined));
  const out = scratch ? scratch.out.clear() : new SampleList(lists.reduce((n, l) => n + l.n, 0) || 1);
  if (concatInOrder(lists, out)) return out;
  out.clear();
  const at = (c: SampleCursor) => c.s.t[c.i];
  const next = (c: SampleCursor) => ++c.i < c.s.n;
  const heap = new GoHeap<SampleCursor>((a, b) => at(a) < at(b));
  let curr: SampleCursor | undefined = { s: lists[0], i: -1 };
  for (let k = 1; k < lists.length; k++) {
    const c = { s: lists[k], i: -1 };
    if (next(c)) heap.push(c);
  }
  let lastT = -Infinity;
  while (curr) {
    let currT = 0;
    let done = false;
    for (;;) {
      if (next(curr)) {
        currT = at(curr);
        if (currT === lastT) continue; // already emitted from another block
        if (heap.length === 0) break;
        if (currT < at(heap.items[0])) break;
        heap.push(curr);
      } else if (heap.length === 0) {
        done = true;
        break;
      }
      curr = heap.pop();
      currT = at(curr);
      if (currT !== lastT) break;
    }
    if (done) break;
    lastT = currT;
    out.pushFrom(curr.s, curr.i);
  }
  return out;
}

/**
 * The usual case, blocks that do not overlap: when the lists, taken by
 * their first timestamp, make one strictly increasing run, the chained
 * merge is that run. Appends it to `out`; false (out partly filled) otherwise.
 */
function concatInOrder(lists: SampleList[], out: SampleList): boolean {
  const order = lists.filter((l) => l.n > 0).sort((a, b) => a.t[0] - b.t[0]);
  let last = -Infinity;
  for (const l of order) {
    const t = l.t;
    for (let i = 0; i < l.n; i++) {
      if (!(t[i] > last)) return false;
      last = t[i];
    }
    if (l.h) for (let i = 0; i < l.n; i++) out.pushFrom(l, i);
    else {
      out.reserve(l.n);
      out.t.set(t.subarray(0, l.n), out.n);
      out.v.set(l.v.subarray(0, l.n), out.n);
      out.n += l.n;
    }
  }
  return true;
}
