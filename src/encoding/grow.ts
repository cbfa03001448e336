// The one way a growable table of typed arrays (SampleList, the WAL's sample
// columns, verify's tables) makes room: a larger array of the same type with
// the old contents. TypedArray.prototype.set between arrays of one type copies
// the bytes, so NaN payloads (stale markers) survive.

type Typed = Float64Array | Uint32Array | Uint8Array;

/** A new array of `a`'s type and length `n` (≥ a.length), starting with a copy of `a`. */
export function grown<T extends Typed>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
