// Flat tables for the index walk (index-check.ts). One entry per series or
// per postings list would be a JS object or array apiece, and a block of
// 10,000 series then leaves megabytes of survivors on the JS heap for every
// block checked; typed arrays keep that off the heap.

import { grown } from '../../encoding/grow.js';
import type { SymbolSource } from '../../index/series.js';

/** Byte ranges [start, end) that some part of the index accounts for. */
export class Ranges {
  n = 0;
  private start = new Float64Array(64);
  private end = new Float64Array(64);

  add(start: number, end: number): void {
    if (this.n === this.start.length) {
      this.start = grown(this.start, this.n * 2);
      this.end = grown(this.end, this.n * 2);
    }
    this.start[this.n] = start;
    this.end[this.n++] = end;
  }

  /**
   * Indexes of the ranges in ascending order of start (then of adding). No callbacks: a
   * closure per call would be a new call target each block, undoing the JIT's work.
   */
  sorted(): Uint32Array {
    const order = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) order[i] = i;
    byStart = this.start;
    order.sort(compareByStart);
    byStart = EMPTY;
    return order;
  }

  startOf(i: number): number {
    return this.start[i]!;
  }

  endOf(i: number): number {
    return this.end[i]!;
  }
}

const EMPTY = new Float64Array(0);
let byStart = EMPTY;
const compareByStart = (a: number, b: number): number => byStart[a]! - byStart[b]! || a - b;

/** Every series' ref (ascending, as the series section is walked) and its label symbol refs. */
export class SeriesLabelRefs {
  n = 0;
  refs = new Float64Array(1024);
  /** Label pairs of series i: syms[at[i]] up to syms[at[i + 1]]. */
  private at = new Uint32Array(1025);
  private syms = new Uint32Array(8192);

  push(ref: number, labelRefs: readonly number[]): void {
    if (this.n + 1 === this.refs.length) {
      this.refs = grown(this.refs, this.refs.length * 2);
      this.at = grown(this.at, this.at.length * 2);
    }
    const from = this.at[this.n]!;
    if (from + labelRefs.length > this.syms.length) this.syms = grown(this.syms, Math.max(this.syms.length * 2, from + labelRefs.length));
    this.syms.set(labelRefs, from);
    this.refs[this.n++] = ref;
    this.at[this.n] = from + labelRefs.length;
  }

  /** Index of the series with ref `ref`, or -1; `from`: no series before it has that ref (a postings list walked in order). */
  find(ref: number, from = 0): number {
    if (from < this.n && this.refs[from] === ref) return from;
    let lo = from;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.refs[mid]!;
      if (r === ref) return mid;
      if (r < ref) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Whether series i has label `name` = `value` (the first label of that name decides). */
  has(i: number, name: string, value: string, symbols: SymbolSource): boolean {
    for (let j = this.at[i]!; j < this.at[i + 1]!; j += 2) if (symbols.symbol(this.syms[j]!) === name) return symbols.symbol(this.syms[j + 1]!) === value;
    return false;
  }

  /** As `has`, for symbol refs that are places in `strings` (index format v2 and later). */
  hasSeq(i: number, name: string, value: string, strings: readonly string[]): boolean {
    for (let j = this.at[i]!; j < this.at[i + 1]!; j += 2) if (strings[this.syms[j]!] === name) return strings[this.syms[j + 1]!] === value;
    return false;
  }

  /** Label pairs of series i. */
  labelCount(i: number): number {
    return (this.at[i + 1]! - this.at[i]!) / 2;
  }
}

