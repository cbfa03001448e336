// TEST ONLY. Encoders for XOR and XOR2 chunks, written after the appenders in
// Prometheus's tsdb/chunkenc/xor.go and xor2.go, so the decoders can be
// checked by round trips. They favour plainness over speed and use BigInt
// for 64-bit words, a different route from the decoders' 32-bit halves.

import fc from 'fast-check';

const MASK64 = (1n << 64n) - 1n;

/** Writes bits most-significant first, like bstream.writeBit/writeBits. */
export class BitWriter {
  private readonly out: number[] = [];
  /** Free bits in the last byte (0 means start a new byte). */
  private free = 0;

  writeBit(bit: number | boolean): void {
    if (this.free === 0) {
      this.out.push(0);
      this.free = 8;
    }
    this.free--;
    if (bit) this.out[this.out.length - 1]! |= 1 << this.free;
  }

  /** Writes the low n bits of v (n ≤ 64). */
  writeBits(v: bigint | number, n: number): void {
    const x = BigInt.asUintN(64, BigInt(v));
    for (let i = n - 1; i >= 0; i--) this.writeBit(Number((x >> BigInt(i)) & 1n));
  }

  writeByte(b: number): void {
    this.writeBits(b & 0xff, 8);
  }

  /** Bits written so far. */
  bitLength(): number {
    return this.out.length * 8 - this.free;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** Go's binary.PutUvarint. */
export function uvarintBytes(v: bigint): number[] {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

/** Go's binary.PutVarint (zig-zag). */
export function varintBytes(v: bigint): number[] {
  const x = BigInt.asIntN(64, v);
  const ux = BigInt.asUintN(64, x << 1n) ^ (x < 0n ? MASK64 : 0n);
  return uvarintBytes(ux);
}

export function leadingZeros64(x: bigint): number {
  for (let i = 63; i >= 0; i--) if ((x >> BigInt(i)) & 1n) return 63 - i;
  return 64;
}

export function trailingZeros64(x: bigint): number {
  for (let i = 0; i < 64; i++) if ((x >> BigInt(i)) & 1n) return i;
  return 64;
}

/** xor.go bitRange: -(2^(n-1) - 1) ≤ x ≤ 2^(n-1). */
export function bitRange(x: bigint, n: number): boolean {
  const half = 1n << BigInt(n - 1);
  return -(half - 1n) <= x && x <= half;
}

/** The float64 bits of values[i], read through a Uint32Array alias (no NaN canonicalisation). */
export function floatBits(values: Float64Array, i: number): bigint {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  return (BigInt(u[2 * i + 1]!) << 32n) | BigInt(u[2 * i]!);
}

/** The carried XOR state of one value: previous bits and the leading/trailing window. */
export interface XorWindow {
  leading: number; // 0xff: no window yet
  trailing: number;
}

/** xorWrite in xor.go: the <varbit_xor> of newBits against curBits. */
export function writeXor(w: BitWriter, newBits: bigint, curBits: bigint, win: XorWindow): void {
  const delta = newBits ^ curBits;
  if (delta === 0n) {
    w.writeBit(0);
    return;
  }
  w.writeBit(1);
  writeXorNonZero(w, delta, win, 1);
}

/**
 * The window part of a non-zero XOR: reuse the window + significant bits, or
 * a new window: 5 bits leading + 6 bits sigbits (64 written as 0) + bits.
 * Style 1 writes the control as 0 / 1 (XOR, and XOR2 after its `10` joint
 * prefix); style 2 as 10 / 110 (XOR2's <varbit_xor2>).
 */
export function writeXorNonZero(w: BitWriter, delta: bigint, win: XorWindow, style: 1 | 2): void {
  let lead = leadingZeros64(delta);
  const trail = trailingZeros64(delta);
  if (lead >= 32) lead = 31; // Clamp so it fits 5 bits.
  if (win.leading !== 0xff && lead >= win.leading && trail >= win.trailing) {
    if (style === 2) w.writeBits(0b10, 2);
    else w.writeBit(0);
    w.writeBits(delta >> BigInt(win.trailing), 64 - win.leading - win.trailing);
    return;
  }
  win.leading = lead;
  win.trailing = trail;
  if (style === 2) w.writeBits(0b110, 3);
  else w.writeBit(1);
  w.writeBits(lead, 5);
  const sigbits = 64 - lead - trail;
  w.writeBits(sigbits === 64 ? 0 : sigbits, 6);
  w.writeBits(delta >> BigInt(trail), sigbits);
}

/**
 * Encodes an XOR chunk's data (sample count first, no encoding byte) from
 * timestamps and value bits, as xorAppender.Append would.
 */
export function encodeXOR(ts: readonly number[], valueBits: readonly bigint[]): Uint8Array {
  const w = new BitWriter();
  w.writeBits(ts.length, 16);
  const win: XorWindow = { leading: 0xff, trailing: 0 };
  let prevT = 0n;
  let prevV = 0n;
  let tDelta = 0n;
  for (let i = 0; i < ts.length; i++) {
    const t = BigInt(ts[i]!);
    const v = valueBits[i]!;
    if (i === 0) {
      for (const b of varintBytes(t)) w.writeByte(b);
      w.writeBits(v, 64);
    } else if (i === 1) {
      tDelta = t - prevT;
      for (const b of uvarintBytes(tDelta)) w.writeByte(b);
      writeXor(w, v, prevV, win);
    } else {
      const d = t - prevT;
      const dod = d - tDelta;
      tDelta = d;
      if (dod === 0n) w.writeBit(0);
      else if (bitRange(dod, 14)) (w.writeBits(0b10, 2), w.writeBits(dod, 14));
      else if (bitRange(dod, 17)) (w.writeBits(0b110, 3), w.writeBits(dod, 17));
      else if (bitRange(dod, 20)) (w.writeBits(0b1110, 4), w.writeBits(dod, 20));
      else (w.writeBits(0b1111, 4), w.writeBits(dod, 64));
      writeXor(w, v, prevV, win);
    }
    prevT = t;
    prevV = v;
  }
  return w.bytes();
}

export const STALE_NAN_BITS = 0x7ff0000000000002n;

/**
 * Encodes XOR2 chunk data (3-byte header first) as xor2Appender.Append
 * would: the general path, which writes the same bits as its fast paths.
 * `st` holds start timestamps (0 = none).
 */
export function encodeXOR2(ts: readonly number[], valueBits: readonly bigint[], st?: readonly number[]): Uint8Array {
  const w = new BitWriter();
  w.writeBits(ts.length, 16);
  w.writeBits(0, 8); // ST header, patched below.
  let stHeader = 0;
  const win: XorWindow = { leading: 0xff, trailing: 0 };
  let prevT = 0n;
  let base = 0n; // Last non-stale value.
  let tDelta = 0n;
  let prevST = 0n;
  let stDiff = 0n;
  let firstSTChangeOn = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = BigInt(ts[i]!);
    const v = valueBits[i]!;
    const s = BigInt(st?.[i] ?? 0);
    const stale = v === STALE_NAN_BITS;
    if (i === 0) {
      for (const b of varintBytes(t)) w.writeByte(b);
      w.writeBits(v, 64);
      if (s !== 0n) {
        for (const b of varintBytes(t - s)) w.writeByte(b);
        stHeader = 0x80;
      }
    } else if (i === 1) {
      tDelta = t - prevT;
      for (const b of uvarintBytes(tDelta)) w.writeByte(b);
      writeXor2Value(w, v, base, win);
      stDiff = 0n;
      if (s !== prevST) {
        stDiff = prevT - s;
        firstSTChangeOn = 1;
        stHeader |= 1;
        putVarbitInt(w, stDiff);
      }
    } else {
      const d = t - prevT;
      const dod = d - tDelta;
      tDelta = d;
      if (dod === 0n) {
        if (stale) w.writeBits(0b11111, 5);
        else if (v === base) w.writeBit(0);
        else (w.writeBits(0b10, 2), writeXorNonZero(w, v ^ base, win, 1));
      } else {
        if (dod >= -4096n && dod <= 4095n) (w.writeBits(0b110, 3), w.writeBits(dod, 13));
        else if (dod >= -(1n << 19n) && dod <= (1n << 19n) - 1n) (w.writeBits(0b1110, 4), w.writeBits(dod, 20));
        else (w.writeBits(0b11110, 5), w.writeBits(dod, 64));
        writeXor2Value(w, v, base, win);
      }
      if (firstSTChangeOn === 0) {
        stDiff = 0n;
        if (s !== prevST || i === 0x7f) {
          stDiff = prevT - s;
          firstSTChangeOn = i;
          stHeader |= i;
          putVarbitInt(w, stDiff);
        }
      } else {
        const next = prevT - s;
        putVarbitInt(w, next - stDiff);
        stDiff = next;
      }
    }
    prevST = s;
    prevT = t;
    if (!stale) base = v;
  }
  const out = w.bytes();
  out[2] = stHeader;
  return out;
}

/** <varbit_xor2>: 0 unchanged | 10 reuse | 110 new window | 111 stale. */
function writeXor2Value(w: BitWriter, v: bigint, base: bigint, win: XorWindow): void {
  if (v === STALE_NAN_BITS) return w.writeBits(0b111, 3);
  const delta = v ^ base;
  if (delta === 0n) return w.writeBit(0);
  writeXorNonZero(w, delta, win, 2);
}

/** varbit.go putVarbitInt. */
export function putVarbitInt(w: BitWriter, val: bigint): void {
  if (val === 0n) return w.writeBit(0);
  const buckets: Array<[number, number, number]> = [
    [3, 0b10, 2],
    [6, 0b110, 3],
    [9, 0b1110, 4],
    [12, 0b11110, 5],
    [18, 0b111110, 6],
    [25, 0b1111110, 7],
    [56, 0b11111110, 8],
  ];
  for (const [n, prefix, plen] of buckets) {
    if (bitRange(val, n)) {
      w.writeBits(prefix, plen);
      w.writeBits(val, n);
      return;
    }
  }
  w.writeBits(0b11111111, 8);
  w.writeBits(val, 64);
}

/** varbit.go putVarbitUint. */
export function putVarbitUint(w: BitWriter, val: bigint): void {
  if (val === 0n) return w.writeBit(0);
  const buckets: Array<[number, number, number]> = [
    [3, 0b10, 2],
    [6, 0b110, 3],
    [9, 0b1110, 4],
    [12, 0b11110, 5],
    [18, 0b111110, 6],
    [25, 0b1111110, 7],
    [56, 0b11111110, 8],
  ];
  for (const [n, prefix, plen] of buckets) {
    if (leadingZeros64(val) >= 64 - n) {
      w.writeBits(prefix, plen);
      w.writeBits(val, n);
      return;
    }
  }
  w.writeBits(0b11111111, 8);
  w.writeBits(val, 64);
}

/**
 * fast-check: XOR chunk data as real series make it: repeated values, steady
 * steps, dods at the edges of the 14/17/20-bit buckets, the odd jump back.
 */
export function xorChunkArb(step = 15_000): fc.Arbitrary<Uint8Array> {
  const gap = fc.oneof(
    { weight: 5, arbitrary: fc.constant(step) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 70_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: -70_000, max: 2 ** 40 }) },
    { weight: 2, arbitrary: fc.constantFrom(...[8191, 8192, 8193, -8191, -8192, -8193, 65535, 65536, 65537, 524287, 524288, 524289, -524288].map((d) => step + d)) },
  );
  const valueBits = fc.oneof(
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.constantFrom(0n, 1n, 0x3ff0000000000000n, 0x7ff0000000000002n, 0x8000000000000000n),
    fc.integer({ min: 0, max: 1000 }).map((x) => new BigUint64Array(new Float64Array([x]).buffer)[0]!),
  );
  return fc
    .tuple(fc.integer({ min: -(2 ** 45), max: 2 ** 45 }), fc.array(fc.tuple(gap, valueBits, fc.boolean()), { minLength: 2, maxLength: 250 }))
    .map(([t0, rows]) => {
      const ts: number[] = [];
      const vals: bigint[] = [];
      let t = t0;
      for (const [g, v, repeat] of rows) {
        ts.push(t);
        vals.push(repeat && vals.length > 0 ? vals[vals.length - 1]! : v);
        t += g;
      }
      return encodeXOR(ts, vals);
    });
}
