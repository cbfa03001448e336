import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numSamples } from '../../src/chunkenc/header.js';
import { decodeXORBits } from '../../src/chunkenc/xor.js';
import { decodeXORPeek } from '../../src/chunkenc/xor-peek.js';
import { XOR_SCAN_PAD } from '../../src/chunkenc/xor-scan.js';
import { encodeXOR, xorChunkArb } from '../helpers/xorEncoder.js';

type Out = { n: number; t: number[]; bits: number[] } | 'declined' | 'error';

/** `data` at offset `at` of a fresh buffer with `after` bytes of `fill` behind it. */
function place(data: Uint8Array, at: number, after: number, fill: number): Uint8Array {
  const b = new Uint8Array(at + data.length + after).fill(fill);
  b.set(data, at);
  return b.subarray(at, at + data.length);
}

function run(fn: (t: Float64Array, out: Uint32Array) => number): Out {
  const t = new Float64Array(300);
  const v = new Float64Array(300);
  const out = new Uint32Array(v.buffer);
  let n: number;
  try {
    n = fn(t, out);
  } catch {
    return 'error';
  }
  if (n < 0) return 'declined';
  return { n, t: Array.from(t.subarray(0, n)), bits: Array.from(out.subarray(0, 2 * n)) };
}

const peek = (d: Uint8Array) => run((t, out) => decodeXORPeek(d, t, out));
const careful = (d: Uint8Array) => run((t, out) => decodeXORBits(d, numSamples(d), t, out));

const chunkArb = xorChunkArb(30_000);

describe('decodeXORPeek, the fast path of decodeXORInto', () => {
  it('decodes every encoded chunk of 2 or more samples exactly as the careful decoder does (declining only what it refuses)', () => {
    fc.assert(
      fc.property(chunkArb, fc.nat(9), fc.integer({ min: 0, max: 255 }), (data, at, fill) => {
        const d = place(data, at, XOR_SCAN_PAD, fill);
        const got = peek(d);
        const want = careful(d);
        // A negative first delta is a uvarint beyond 2^53: the careful decoder refuses it.
        if (want === 'error') expect(got).toBe('declined');
        else expect(got).toEqual(want);
      }),
      { numRuns: 1000 },
    );
  });

  it('declines data without XOR_SCAN_PAD bytes behind it, and chunks of fewer than 2 samples', () => {
    const data = encodeXOR([0, 30_000, 60_000], [1n, 2n, 3n]);
    expect(peek(place(data, 0, XOR_SCAN_PAD - 1, 0))).toBe('declined');
    expect(peek(place(data, 0, XOR_SCAN_PAD, 0))).not.toBe('declined');
    expect(peek(place(encodeXOR([5], [1n]), 0, XOR_SCAN_PAD, 0))).toBe('declined');
  });

  it('on damaged and garbage data, answers only where the careful decoder answers the same', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          chunkArb.chain((d) => fc.tuple(fc.constant(d), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.nat())),
          fc.uint8Array({ minLength: 2, maxLength: 200 }).map((d) => [d, [] as number[], d.length] as const),
        ),
        fc.integer({ min: 0, max: 255 }),
        ([data, flips, cut], fill) => {
          const d0 = data.slice(0, 2 + (cut % Math.max(1, data.length - 1)));
          for (const f of flips) d0[f % d0.length]! ^= 1 << (f % 8);
          const d = place(d0, 1, XOR_SCAN_PAD, fill);
          const got = peek(d);
          if (got !== 'declined') expect(got).toEqual(careful(d));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
