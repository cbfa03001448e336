// TEST ONLY. Encoders for integer and float histogram chunks (and their ST
// variants), written after HistogramAppender / FloatHistogramAppender in
// Prometheus's tsdb/chunkenc/histogram.go, float_histogram.go,
// histogram_meta.go and st.go, for round-trip tests of the decoders.

import {
  BitWriter,
  STALE_NAN_BITS,
  putVarbitInt,
  putVarbitUint,
  varintBytes,
  writeXor,
  type XorWindow,
} from './xorEncoder.js';

export interface TestSpan {
  offset: number;
  length: number;
}

export interface TestLayout {
  schema: number;
  zeroThreshold: number;
  positiveSpans: TestSpan[];
  negativeSpans: TestSpan[];
  customValues?: number[];
}

/**
 * One sample to encode. Buckets are absolute counts; sum is given as bits.
 * Integer chunks take counts beyond 2^53 as bigints (uint64 counts, int64 buckets).
 */
export interface TestHistogram {
  t: number;
  count: number | bigint;
  zeroCount: number | bigint;
  sumBits: bigint;
  positive: (number | bigint)[];
  negative: (number | bigint)[];
  st?: number;
}

export interface EncodeOptions {
  counterResetHeader?: number; // two bits
  withST?: boolean;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export function bitsOf(x: number): bigint {
  f64[0] = x;
  return (BigInt(u32[1]!) << 32n) | BigInt(u32[0]!);
}

/** putZeroThreshold. */
function putZeroThreshold(w: BitWriter, z: number): void {
  if (z === 0) return w.writeByte(0);
  const bits = bitsOf(z);
  const mantissa = bits & ((1n << 52n) - 1n);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const e = biased - 1023;
  const positive = (bits >> 63n) === 0n;
  if (positive && mantissa === 0n && biased !== 0 && e >= -243 && e <= 10) return w.writeByte(e + 244);
  w.writeByte(255);
  w.writeBits(bits, 64);
}

/** putCustomBound. */
function putCustomBound(w: BitWriter, f: number): void {
  const tf = f * 1000;
  if (tf < 0 || tf > 33554430 || Math.round(tf) / 1000 !== f) {
    w.writeBit(0);
    w.writeBits(bitsOf(f), 64);
    return;
  }
  putVarbitUint(w, BigInt(Math.round(tf)) + 1n);
}

/** writeHistogramChunkLayout. */
function writeLayout(w: BitWriter, l: TestLayout): void {
  putZeroThreshold(w, l.zeroThreshold);
  putVarbitInt(w, BigInt(l.schema));
  for (const spans of [l.positiveSpans, l.negativeSpans]) {
    putVarbitUint(w, BigInt(spans.length));
    for (const s of spans) {
      putVarbitUint(w, BigInt(s.length));
      putVarbitInt(w, BigInt(s.offset));
    }
  }
  if (l.schema === -53) {
    const cv = l.customValues ?? [];
    putVarbitUint(w, BigInt(cv.length));
    for (const b of cv) putCustomBound(w, b);
  }
}

const EMPTY_LAYOUT: TestLayout = { schema: 0, zeroThreshold: 0, positiveSpans: [], negativeSpans: [] };

function writeHeader(w: BitWriter, n: number, opts: EncodeOptions): void {
  const cr = opts.counterResetHeader ?? 0;
  if (opts.withST) {
    w.writeBits(cr, 2);
    w.writeBits(n, 14);
    w.writeByte(0); // ST header, patched at the end.
  } else {
    w.writeBits(n, 16);
    w.writeBits(cr, 2);
    w.writeBits(0, 6);
  }
}

/** stEncoder.encode, called after sample i was written. */
class STEncoder {
  header = 0;
  private st = 0n;
  private diff = 0n;
  private changeOn = 0;
  write(w: BitWriter, i: number, t: bigint, prevT: bigint, st: bigint): void {
    if (i === 0) {
      if (st !== 0n) {
        for (const b of varintBytes(t - st)) w.writeByte(b);
        this.header = 0x80;
      }
    } else if (i === 1) {
      if (st !== this.st) {
        this.diff = prevT - st;
        this.changeOn = 1;
        this.header |= 1;
        putVarbitInt(w, this.diff);
      }
    } else if (this.changeOn === 0) {
      if (st !== this.st || i === 0x7f) {
        this.diff = prevT - st;
        this.changeOn = i;
        this.header |= i;
        putVarbitInt(w, this.diff);
      }
    } else {
      const d = prevT - st;
      putVarbitInt(w, d - this.diff);
      this.diff = d;
    }
    this.st = st;
  }
}

/** Deltas between neighbouring buckets, as Histogram.PositiveBuckets holds them. */
function toDeltas(abs: (number | bigint)[]): bigint[] {
  let prev = 0n;
  return abs.map((a) => {
    const d = BigInt.asIntN(64, BigInt(a) - prev);
    prev = BigInt(a);
    return d;
  });
}

/**
 * Encodes integer histogram chunk data. A stale sample (sumBits = stale NaN)
 * is written as Prometheus does, with everything but the sum emptied.
 */
export function encodeHistogram(layout: TestLayout, samples: TestHistogram[], opts: EncodeOptions = {}): Uint8Array {
  const w = new BitWriter();
  writeHeader(w, samples.length, opts);
  const ste = new STEncoder();
  let t = 0n, cnt = 0n, zcnt = 0n, tDelta = 0n, cntDelta = 0n, zcntDelta = 0n, sum = 0n;
  const win: XorWindow = { leading: 0xff, trailing: 0 };
  let buckets: bigint[] = [];
  let bucketDeltas: bigint[] = [];
  samples.forEach((s, i) => {
    const stale = s.sumBits === STALE_NAN_BITS;
    const hc = stale ? 0n : BigInt(s.count);
    const hz = stale ? 0n : BigInt(s.zeroCount);
    const hb = stale ? [] : [...toDeltas(s.positive), ...toDeltas(s.negative)];
    const ht = BigInt(s.t);
    const prevT = t;
    let nd = 0n, ncd = 0n, nzd = 0n;
    if (i === 0) {
      writeLayout(w, stale ? EMPTY_LAYOUT : layout);
      buckets = hb.map(() => 0n);
      bucketDeltas = hb.map(() => 0n);
      putVarbitInt(w, ht);
      putVarbitUint(w, hc);
      putVarbitUint(w, hz);
      w.writeBits(s.sumBits, 64);
      for (const b of hb) putVarbitInt(w, b);
    } else {
      // Go's int64 arithmetic wraps.
      const i64 = (v: bigint) => BigInt.asIntN(64, v);
      nd = ht - t;
      ncd = i64(hc - cnt);
      nzd = i64(hz - zcnt);
      putVarbitInt(w, nd - tDelta);
      putVarbitInt(w, stale ? 0n : i64(ncd - cntDelta));
      putVarbitInt(w, stale ? 0n : i64(nzd - zcntDelta));
      writeXor(w, s.sumBits, sum, win);
      hb.forEach((b, j) => {
        const delta = i64(b - buckets[j]!);
        putVarbitInt(w, i64(delta - bucketDeltas[j]!));
        bucketDeltas[j] = delta;
      });
    }
    t = ht;
    cnt = hc;
    zcnt = hz;
    tDelta = nd;
    cntDelta = ncd;
    zcntDelta = nzd;
    hb.forEach((b, j) => (buckets[j] = b));
    sum = s.sumBits;
    if (opts.withST) ste.write(w, i, t, prevT, BigInt(s.st ?? 0));
  });
  const out = w.bytes();
  if (opts.withST) out[2] = ste.header;
  return out;
}

/** Encodes float histogram chunk data; bucket values are floats given as numbers. */
export function encodeFloatHistogram(layout: TestLayout, samples: TestHistogram[], opts: EncodeOptions = {}): Uint8Array {
  const w = new BitWriter();
  writeHeader(w, samples.length, opts);
  const ste = new STEncoder();
  let t = 0n, tDelta = 0n;
  // count, zero count, sum, then buckets: previous bits and windows.
  let prev: bigint[] = [];
  let wins: XorWindow[] = [];
  samples.forEach((s, i) => {
    const stale = s.sumBits === STALE_NAN_BITS;
    const fields = stale
      ? [0n, 0n, s.sumBits]
      : [bitsOf(Number(s.count)), bitsOf(Number(s.zeroCount)), s.sumBits, ...[...s.positive, ...s.negative].map((x) => bitsOf(Number(x)))];
    const ht = BigInt(s.t);
    const prevT = t;
    let nd = 0n;
    if (i === 0) {
      writeLayout(w, stale ? EMPTY_LAYOUT : layout);
      putVarbitInt(w, ht);
      for (const f of fields) w.writeBits(f, 64);
      prev = [...fields];
      wins = fields.map(() => ({ leading: 0xff, trailing: 0 }));
    } else {
      nd = ht - t;
      putVarbitInt(w, nd - tDelta);
      fields.forEach((f, j) => {
        writeXor(w, f, prev[j]!, wins[j]!);
        prev[j] = f;
      });
    }
    t = ht;
    tDelta = nd;
    if (opts.withST) ste.write(w, i, t, prevT, BigInt(s.st ?? 0));
  });
  const out = w.bytes();
  if (opts.withST) out[2] = ste.header;
  return out;
}
