// A growable list of samples, float or histogram, in typed arrays.

import type { HistogramSample } from '../chunkenc/histogrammeta.js';

export class SampleList {
  n = 0;
  t: Float64Array;
  v: Float64Array;
  /** Histogram samples by position; undefined entries are floats. Allocated on first use. */
  h: (HistogramSample | undefined)[] | undefined;
  /** Whether each histogram sample is a float histogram. */
  hf: boolean[] | undefined;

  constructor(capacity = 128) {
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
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
    const t = new Float64Array(this.t.length * 2);
    t.set(this.t);
    this.t = t;
    const v = new Float64Array(this.v.length * 2);
    v.set(this.v);
    this.v = v;
  }

  pushFloat(t: number, v: number): void {
    if (this.n === this.t.length) this.grow();
    this.t[this.n] = t;
    this.v[this.n++] = v;
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
    this.v[this.n++] = v[i];
  }

  /** Append sample i of another list. */
  pushFrom(o: SampleList, i: number): void {
    const h = o.h?.[i];
    if (h) this.pushHistogram(h, o.hf![i]);
    else {
      if (this.n === this.t.length) this.grow();
      this.t[this.n] = o.t[i];
      // Copy the bits through the typed array so NaN payloads (stale markers) survive.
      this.v[this.n++] = o.v[i];
    }
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
