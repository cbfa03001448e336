import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChunkRecord } from '../../src/chunks/segment.js';
import { ChunkEncoding } from '../../src/chunkenc/chunk.js';
import { decodeXOR } from '../../src/chunkenc/xor.js';
import { scanXOR, XOR_SCAN_PAD } from '../../src/chunkenc/xor-scan.js';
import { type Fixtures, loadFixtures, segmentFiles } from '../helpers/fixtures.js';
import { encodeXOR, xorChunkArb } from '../helpers/xorEncoder.js';

interface Seen {
  count: number;
  first: number;
  last: number;
  ordered: boolean;
}

/** scanXOR over `data` placed at `at` in a buffer with `after` bytes (of `fill`) behind it. */
function scan(data: Uint8Array, at = 0, after = XOR_SCAN_PAD, fill = 0): Seen | undefined {
  const b = new Uint8Array(at + data.length + after).fill(fill);
  b.set(data, at);
  const res = new Float64Array(3);
  const n = scanXOR(b, new DataView(b.buffer), at, at + data.length, res);
  return n < 0 ? undefined : { count: n, first: res[0]!, last: res[1]!, ordered: res[2] === 1 };
}

/** What the full decoder says, in the scan's terms; undefined when it throws. */
function decoded(data: Uint8Array): Seen | undefined {
  let d;
  try {
    d = decodeXOR(data);
  } catch {
    return undefined;
  }
  let ordered = true;
  for (let i = 1; i < d.count; i++) if (d.t[i]! <= d.t[i - 1]!) ordered = false;
  return { count: d.count, first: d.t[0]!, last: d.t[d.count - 1]!, ordered };
}

/** The scan may decline (undefined), but when it answers, it answers as the decoder does. */
function agrees(data: Uint8Array, at: number, fill: number): void {
  const s = scan(data, at, XOR_SCAN_PAD, fill);
  if (s !== undefined) expect(s).toEqual(decoded(data));
}

const chunkArb = xorChunkArb(15_000);

describe('scanXOR on hand-built chunks', () => {
  it('reads count, first and last timestamps of a steady counter', () => {
    const ts = [1000, 16000, 31000, 46000, 61000];
    const data = encodeXOR(ts, [1n, 2n, 3n, 3n, 4n].map((x) => BigInt(x) << 52n));
    expect(scan(data)).toEqual({ count: 5, first: 1000, last: 61000, ordered: true });
  });

  it('sees a repeated timestamp (a zero delta) as not strictly increasing', () => {
    const data = encodeXOR([5000, 5000, 20000], [0n, 0n, 0n]);
    expect(scan(data)).toEqual({ count: 3, first: 5000, last: 20000, ordered: false });
  });

  it('declines chunks of 0 and 1 samples, and data without room to read past its end', () => {
    expect(scan(encodeXOR([], []))).toBeUndefined();
    expect(scan(encodeXOR([7], [1n]))).toBeUndefined();
    const data = encodeXOR([1, 2, 3], [0n, 0n, 0n]);
    expect(scan(data, 0, XOR_SCAN_PAD - 1)).toBeUndefined();
  });

  it('declines a chunk whose last sample runs past the data', () => {
    const data = encodeXOR([0, 15000, 30000, 45123], [0n, 1n << 40n, 5n << 40n, 0x123456789n]);
    expect(scan(data)).toBeDefined();
    expect(scan(data.subarray(0, data.length - 2), 0, XOR_SCAN_PAD, 0xff)).toBeUndefined();
  });
});

describe('scanXOR agrees with the full decoder', () => {
  it('on encoded chunks, wherever they lie and whatever follows them', () => {
    fc.assert(
      fc.property(chunkArb, fc.nat(7), fc.integer({ min: 0, max: 255 }), (data, at, fill) => {
        const s = scan(data, at, XOR_SCAN_PAD, fill);
        expect(s).toEqual(decoded(data));
      }),
      { numRuns: 1000 },
    );
  });

  it('on the same chunks with bits flipped, bytes cut off or the count changed', () => {
    fc.assert(
      fc.property(chunkArb, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (data, flips, cut, fill) => {
        const d = data.slice();
        for (const f of flips) d[f % d.length]! ^= 1 << (f % 8);
        agrees(d, 3, fill);
        agrees(data.subarray(0, cut % (data.length + 1)), 0, fill);
      }),
      { numRuns: 1500 },
    );
  });

  it('on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 255 }), (d, fill) => agrees(d, 1, fill)),
      { numRuns: 3000 },
    );
  });
});

describe('scanXOR on every XOR chunk of the fixtures', () => {
  let fx: Fixtures;
  beforeAll(async () => {
    fx = await loadFixtures();
  });
  afterAll(() => fx.cleanup());

  it('answers exactly as the decoder does, declining none with 2 or more samples', () => {
    let chunks = 0;
    for (const block of fx.blocks) {
      for (const seg of segmentFiles(block)) {
        const buf = fs.readFileSync(path.join(block.dir, seg));
        const padded = new Uint8Array(buf.length + XOR_SCAN_PAD);
        padded.set(buf);
        const view = new DataView(padded.buffer);
        const res = new Float64Array(3);
        for (let off = 8; off < buf.length && buf[off] !== 0; ) {
          const r = readChunkRecord(buf, off, true);
          if (r.encoding === ChunkEncoding.XOR) {
            const start = r.data.byteOffset - buf.byteOffset;
            const n = scanXOR(padded, view, start, start + r.data.length, res);
            const want = decoded(r.data)!;
            if (want.count >= 2) {
              expect(n).toBe(want.count);
              expect({ first: res[0], last: res[1], ordered: res[2] === 1 }).toEqual({ first: want.first, last: want.last, ordered: want.ordered });
              chunks++;
            }
          }
          off = r.end;
        }
      }
    }
    expect(chunks).toBeGreaterThan(100);
  });
});
