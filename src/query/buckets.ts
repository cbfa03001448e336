// Native histogram bucket boundaries, as Prometheus's getBound computes
// them (model/histogram/generic.go): for schema s ≥ 0 the upper bound of
// bucket idx is frac·2^exp, frac from a fixed table; for s < 0 it is a
// power of two. The last finite bucket ends at MaxFloat64, not +Inf.
// Custom buckets (schema -53, Prometheus 3.x) take their bounds from the
// histogram's custom values, -Inf below the first and +Inf above the last.

import { CUSTOM_BUCKETS_SCHEMA } from '../chunkenc/histogrammeta.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { EXPONENTIAL_BOUNDS } from './exponential-bounds.js';

/** Upper bound of bucket `idx` in `schema` (−4 … 8, or −53 with its custom values). */
export function getBound(idx: number, schema: number, customValues?: readonly number[]): number {
  if (schema === CUSTOM_BUCKETS_SCHEMA) {
    const cv = customValues ?? [];
    if (idx === cv.length) return Infinity;
    if (idx === -1) return -Infinity;
    const b = cv[idx];
    if (b === undefined) throw new TsdbError(ErrorCode.Corrupt, `custom bucket ${idx} is out of bounds for ${cv.length} custom values`);
    return b;
  }
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
