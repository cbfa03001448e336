// TEST ONLY. Independent models of Go's float formatting: strconv's
// shortest digits from the definition (exact BigInt arithmetic), and
// FormatFloat's 'f', 'e' and 'g' layouts of them; plus doubles that probe
// the layouts' edges.

import fc from 'fast-check';

/** |v| exactly, as D · 10^q with D an integer. */
function exact(v: number): { D: bigint; q: number } {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(v));
  const bits = dv.getBigUint64(0);
  const be = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const m = be === 0 ? frac : frac | (1n << 52n);
  const e = (be === 0 ? 1 : be) - 1075;
  return e >= 0 ? { D: m << BigInt(e), q: 0 } : { D: m * 5n ** BigInt(-e), q: e };
}

/**
 * Go's shortest digits, modelled from the definition: the fewest significant
 * digits p for which a p-digit decimal reads back as v; of the (at most two)
 * such decimals next to v the closer one, on a tie the even one.
 */
export function shortest(v: number): { digits: string; exp: number } {
  const { D, q } = exact(v);
  const S = D.toString();
  const E10 = S.length - 1 + q; // v = S[0].S[1…] · 10^E10
  for (let p = 1; p <= 17; p++) {
    const keep = Math.min(p, S.length);
    const lo = BigInt(S.slice(0, keep)) * 10n ** BigInt(p - keep);
    const restDigits = S.length - keep;
    const rest = restDigits > 0 ? BigInt(S.slice(keep)) : 0n;
    const unit = 10n ** BigInt(restDigits);
    const scale = E10 - p + 1;
    const cands: { n: bigint; dist: bigint }[] = [{ n: lo, dist: rest }];
    if (rest !== 0n) cands.push({ n: lo + 1n, dist: unit - rest });
    const ok = cands.filter((c) => Number(`${c.n}e${scale}`) === Math.abs(v));
    if (ok.length === 0) continue;
    ok.sort((a, b) => (a.dist < b.dist ? -1 : a.dist > b.dist ? 1 : Number(a.n % 2n) - Number(b.n % 2n)));
    const n = ok[0].n.toString();
    const digits = n.replace(/0+$/, '') || '0';
    return { digits, exp: scale + n.length - 1 };
  }
  throw new Error('unreachable');
}

export function modelF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  if (v === 0) return sign + '0';
  const { digits, exp } = shortest(v);
  let s: string;
  if (exp < 0) s = '0.' + '0'.repeat(-exp - 1) + digits;
  else if (exp + 1 >= digits.length) s = digits + '0'.repeat(exp + 1 - digits.length);
  else s = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  return sign + s;
}

export function modelE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  if (v === 0) return sign + '0e+00';
  const { digits, exp } = shortest(v);
  const e = String(Math.abs(exp)).padStart(2, '0');
  return sign + digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '') + 'e' + (exp < 0 ? '-' : '+') + e;
}

export const anyDouble = fc.oneof(
  fc.double(),
  fc.double({ min: -1e-5, max: 1e-5 }),
  fc.double({ min: 1e20, max: 1e22 }),
  fc.integer({ min: -1e15, max: 1e15 }).map((n) => n / 1000),
  fc.integer({ min: -(2 ** 53), max: 2 ** 53 }).map((n) => n / 8), // exact halves at the 17th digit: ties
  fc.constantFrom(0, -0, 1e21, 9.999999999999999e20, 1e-6, 9.99999999999e-7, 5e-324, Number.MAX_VALUE, 0.1 + 0.2, 1234567, 123456.5),
);

/** strconv.FormatFloat(v, 'g', -1, 64), as fmt's %g prints it: 'e' when the exponent is below -4 or from 6 on. */
export function modelG(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return modelF(v);
  const { exp } = shortest(v);
  return exp < -4 || exp >= 6 ? modelE(v) : modelF(v);
}
