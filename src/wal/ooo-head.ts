// The out-of-order head of a series, as Prometheus's Head.Init rebuilds it
// (tsdb/head.go loadMmappedChunks, tsdb/head_wal.go loadWBL and
// wblSubsetProcessor, tsdb/head_append.go memSeries.insert; 2.42 and 3.5):
//
// - out-of-order chunks of chunks_head/ (encoding bit 0x80) are kept whatever
//   their time (no minValidTime for them), and a series record hands them to
//   its series, as resetSeriesWithMMappedChunks does;
// - the WBL (wbl/, the WAL's format) is replayed after the WAL: samples and
//   histograms go into the series' OOO head chunk, which refuses a timestamp
//   it already holds and is cut when it holds OOO_CAP_MAX samples; an m-map
//   marker for a chunk that chunks_head/ held at start-up drops the head
//   chunk (its samples are in that m-mapped chunk), a later one is ignored.
//
// Both versions replay the WBL whenever it is there and query the OOO head
// whenever its time range overlaps the query, with or without an
// out_of_order_time_window (that window only decides what may be appended).
// Queries merge the OOO samples with the in-order ones by timestamp; on a
// tie the in-order sample is kept.

import { SampleList } from '../chunkenc/sample-list.js';
import type { HistogramSample } from '../chunkenc/histogrammeta.js';
import { decodeHeadChunk, type HeadChunk } from '../chunks/head-segment.js';
import { TsdbError } from '../encoding/errors.js';
import { isDeleted, type Interval } from '../tombstones/tombstones.js';

/** Samples per OOO head chunk: DefaultOutOfOrderCapMax (the data dir does not record the flag). */
export const OOO_CAP_MAX = 32;
const TWO_POW_32 = 4294967296;

export class OooSeries {
  /** Out-of-order chunks m-mapped in chunks_head/. */
  mmapped: HeadChunk[] = [];
  /** Head chunks the replay filled and cut. */
  private readonly cut: SampleList[] = [];
  private head: SampleList | undefined;

  /** memSeries.insert: false when the head chunk already holds `t`. */
  insertFloatWords(t: number, lo: number, hi: number): boolean {
    const c = this.chunkFor(t);
    if (!c) return false;
    c.pushFloatWords(t, lo, hi);
    return true;
  }

  insertHistogram(h: HistogramSample, float: boolean): boolean {
    const c = this.chunkFor(h.t);
    if (!c) return false;
    c.pushHistogram(h, float);
    return true;
  }

  /** An m-map marker: the head chunk's samples are in an m-mapped chunk. */
  dropHeadChunk(): void {
    this.head = undefined;
  }

  hasData(): boolean {
    return this.mmapped.length > 0 || this.cut.length > 0 || this.head !== undefined;
  }

  /** Samples held: m-mapped chunks (by their headers) and the replayed ones. */
  numSamples(): number {
    let n = this.head?.n ?? 0;
    for (const c of this.mmapped) n += c.numSamples;
    for (const c of this.cut) n += c.n;
    return n;
  }

  /** Every OOO sample not deleted, in no particular order. */
  samples(del: Interval[] | undefined, seriesRef: number): SampleList {
    const out = new SampleList(16);
    for (const c of this.mmapped) pushChunk(out, c, del, seriesRef);
    for (const c of this.head ? [...this.cut, this.head] : this.cut) {
      for (let i = 0; i < c.n; i++) if (!isDeleted(del, c.t[i]!)) out.pushFrom(c, i);
    }
    return out;
  }

  private chunkFor(t: number): SampleList | undefined {
    if (this.head && this.head.n >= OOO_CAP_MAX) {
      this.cut.push(this.head);
      this.head = undefined;
    }
    this.head ??= new SampleList(OOO_CAP_MAX);
    const c = this.head;
    for (let i = 0; i < c.n; i++) if (c.t[i] === t) return undefined;
    return c;
  }
}

/** Appends the samples of an m-mapped chunk that are not deleted. */
export function pushChunk(out: SampleList, c: HeadChunk, del: Interval[] | undefined, seriesRef: number): void {
  let d;
  try {
    d = decodeHeadChunk(c);
  } catch (e) {
    if (!(e instanceof TsdbError)) throw e;
    const where = `m-mapped chunk ${Math.floor(c.ref / TWO_POW_32)}:${c.offset} of series ref ${seriesRef}`;
    throw new TsdbError(e.code, `${where}: ${e.message}`, { offset: c.offset }, { cause: e });
  }
  if (d.kind === 'float') {
    const w = new Uint32Array(d.v.buffer, d.v.byteOffset, 2 * d.count);
    for (let i = 0; i < d.count; i++) {
      if (!isDeleted(del, d.t[i]!)) out.pushFloatWords(d.t[i]!, w[2 * i]!, w[2 * i + 1]!);
    }
  } else {
    for (const h of d.samples) if (!isDeleted(del, h.t)) out.pushHistogram(h, d.float);
  }
}

/**
 * The in-order samples (sorted) and the OOO ones merged by timestamp; on a
 * tie the in-order sample, then the first OOO sample, is kept.
 */
export function mergeOutOfOrder(inOrder: SampleList, ooo: SampleList): SampleList {
  if (ooo.n === 0) return inOrder;
  const order = Array.from({ length: ooo.n }, (_, i) => i).sort((a, b) => ooo.t[a]! - ooo.t[b]! || a - b);
  const out = new SampleList(inOrder.n + ooo.n);
  let i = 0;
  let k = 0;
  let last = -Infinity;
  while (i < inOrder.n || k < order.length) {
    const j = order[k];
    const takeOoo = j !== undefined && (i >= inOrder.n || ooo.t[j]! < inOrder.t[i]!);
    const t = takeOoo ? ooo.t[j]! : inOrder.t[i]!;
    if (t !== last) {
      if (takeOoo) out.pushFrom(ooo, j);
      else out.pushFrom(inOrder, i);
      last = t;
    }
    if (takeOoo) k++;
    else i++;
  }
  return out;
}
