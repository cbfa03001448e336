// Native histogram bucket boundaries, as Prometheus's getBound computes
// them (model/histogram/generic.go): for schema s ≥ 0 the upper bound of
// bucket idx is frac·2^exp, frac from a fixed table; for s < 0 it is a
// power of two. The last finite bucket ends at MaxFloat64, not +Inf.

import { EXPONENTIAL_BOUNDS } from './exponential-bounds.js';

/** Upper bound of bucket `idx` in `schema` (−4 … 8). */
export function getBound(idx: number, schema: number): number {
  if (schema < 0) {
    const exp = idx * 2 ** -schema;
    if (exp === 1024) return Number.MAX_VALUE;
    return ldexp(1, exp);
  }
  const table = EXPONENTIAL_BOUNDS[schema];
  if (!table) throw new RangeError(`histogram schema ${schema} is out of range (−4 … 8)`);
  const frac = table[idx & ((1 << schema) - 1)];
  const exp = (idx >> schema) + 1;
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return ldexp(frac, exp);
}

/** frac · 2^exp without intermediate overflow or underflow (Go's math.Ldexp). */
function ldexp(frac: number, exp: number): number {
  if (exp > 1000) return frac * 2 ** 1000 * 2 ** (exp - 1000);
  if (exp < -1000) return frac * 2 ** -1000 * 2 ** (exp + 1000);
  return frac * 2 ** exp;
}
