// A growable list of samples, float or histogram, in typed arrays: what the
// head (wal/head.ts) keeps per series and what a query gathers. Float values
// move as their two 32-bit words (`w` aliases `v`), so NaN payloads (stale
// markers) survive every copy.

import { grown } from '../encoding/grow.js';
import type { HistogramSample } from './histogrammeta.js';

export class SampleList {
  n = 0;
  t: Float64Array;
  v: Float64Array;
  /** The words of `v`: 2i the low, 2i + 1 the high half of value i. */
  w: Uint32Array;
  /** Histogram samples by position; undefined entries are floats. Allocated on first use. */
  h: (HistogramSample | undefined)[] | undefined;
  /** Whether each histogram sample is a float histogram. */
  hf: boolean[] | undefined;

  constructor(capacity = 128) {
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
    this.w = new Uint32Array(this.v.buffer);
  }

  /** Empty the list, keeping its arrays for reuse. */
  clear(): this {
    this.n = 0;
    this.h = undefined;
    this.hf = undefined;
    return this;
  }

  /** Make room for `k` more samples. */
  reserve(k: number): void {
    while (this.n + k > this.t.length) this.grow();
  }

  private grow(): void {
    const n = Math.max(1, this.t.length * 2);
    this.t = grown(this.t, n);
    this.v = grown(this.v, n);
    this.w = new Uint32Array(this.v.buffer);
  }

  pushFloat(t: number, v: number): void {
    if (this.n === this.t.length) this.grow();
    this.t[this.n] = t;
    this.v[this.n++] = v;
  }

  /** Append a float given as its words. */
  pushFloatWords(t: number, lo: number, hi: number): void {
    if (this.n === this.t.length) this.grow();
    this.t[this.n] = t;
    this.w[2 * this.n] = lo;
    this.w[2 * this.n + 1] = hi;
    this.n++;
  }

  pushHistogram(h: HistogramSample, float: boolean): void {
    if (this.n === this.t.length) this.grow();
    if (!this.h) {
      this.h = [];
      this.hf = [];
    }
    this.h[this.n] = h;
    this.hf![this.n] = float;
    this.t[this.n++] = h.t;
  }

  /** Append a float whose value is element i of `v`, copied bit for bit. */
  pushFloatFrom(v: Float64Array, t: number, i: number): void {
    if (this.n === this.t.length) this.grow();
    this.t[this.n] = t;
    this.v[this.n++] = v[i]!;
  }

  /** Append sample i of another list. */
  pushFrom(o: SampleList, i: number): void {
    const h = o.h?.[i];
    if (h) this.pushHistogram(h, o.hf![i]!);
    else this.pushFloatWords(o.t[i]!, o.w[2 * i]!, o.w[2 * i + 1]!);
  }

  isHistogram(i: number): boolean {
    return this.h?.[i] !== undefined;
  }

  /**
   * The number of float samples before the first histogram sample: what
   * promtool prints of a series (`for it.Next() == chunkenc.ValFloat`).
   */
  floatPrefix(): number {
    let i = 0;
    while (i < this.n && this.h?.[i] === undefined) i++;
    return i;
  }
}
