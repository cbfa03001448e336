import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkEncoding, decodeChunk, encodingName, numSamplesFor } from '../../src/chunkenc/chunk.js';
import { numSamples } from '../../src/chunkenc/header.js';
import { ErrorCode, TsdbError } from '../../src/encoding/errors.js';
import { bitsOf, encodeFloatHistogram, encodeHistogram } from '../helpers/histogramEncoder.js';
import { encodeXOR, encodeXOR2 } from '../helpers/xorEncoder.js';

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
}

function thrown(fn: () => unknown): TsdbError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TsdbError);
    return e as TsdbError;
  }
  throw new Error('expected a TsdbError');
}

describe('chunk encodings', () => {
  it('uses Prometheus\'s numbers and names', () => {
    expect(ChunkEncoding).toMatchObject({ None: 0, XOR: 1, Histogram: 2, FloatHistogram: 3, XOR2: 4, HistogramST: 5, FloatHistogramST: 6, OOOXOR: 0x81 });
    expect([0, 1, 2, 3, 4, 5, 6].map(encodingName)).toEqual(['none', 'XOR', 'histogram', 'floathistogram', 'XOR2', 'histogramST', 'floathistogramST']);
    expect(encodingName(0x81)).toBe('OOOXOR');
    expect(encodingName(7)).toBe('<unknown 7>');
  });

  it('reads the 2-byte big-endian sample count', () => {
    expect(numSamples(Uint8Array.of(0x01, 0x2c, 0xff))).toBe(300);
    expect(thrown(() => numSamples(Uint8Array.of(1))).code).toBe(ErrorCode.ShortBuffer);
    // ST histograms keep the counter-reset header in the top 2 bits.
    expect(numSamplesFor(ChunkEncoding.HistogramST, Uint8Array.of(0b1100_0001, 0x2c, 0))).toBe(300);
    expect(numSamplesFor(ChunkEncoding.Histogram, Uint8Array.of(0b1100_0001, 0x2c, 0))).toBe(0xc12c);
  });

  it('refuses unknown encodings by number', () => {
    for (const n of [0, 7, 0x80, 0x82, 255]) {
      const e = thrown(() => decodeChunk(n, Uint8Array.of(0, 0, 0)));
      expect(e.code).toBe(ErrorCode.UnknownEncoding);
      expect(e.message).toBe(`unknown chunk encoding ${n}`);
    }
  });
});

describe('decodeChunk', () => {
  it('decodes real XOR chunks written by Prometheus', () => {
    // From Prometheus's tsdb/testdata/index_format_v1 chunks/000001 (Apache-2.0):
    // len 0x0c, encoding 1, data, CRC32C. Prometheus's bstream leaves one spare
    // zero byte after the last bits, which the decoder must ignore.
    const first = hex('00 01 00 0000000000000000 00');
    const last = hex('00 01 06 4010000000000000 00');
    const a = decodeChunk(1, first);
    const b = decodeChunk(1, last);
    expect(a).toEqual({ kind: 'float', t: Float64Array.of(0), v: Float64Array.of(0), count: 1 });
    expect(b).toEqual({ kind: 'float', t: Float64Array.of(3), v: Float64Array.of(4), count: 1 });
  });

  it('dispatches every known encoding', () => {
    const ts = [1000, 2000, 3000];
    const vals = [bitsOf(1), bitsOf(1), bitsOf(-2)];
    const xor = decodeChunk(ChunkEncoding.XOR, encodeXOR(ts, vals));
    expect(xor.kind === 'float' && Array.from(xor.v)).toEqual([1, 1, -2]);
    const ooo = decodeChunk(ChunkEncoding.OOOXOR, encodeXOR(ts, vals));
    expect(ooo.kind === 'float' && Array.from(ooo.t)).toEqual(ts);
    const xor2 = decodeChunk(ChunkEncoding.XOR2, encodeXOR2(ts, vals, [500, 500, 500]));
    expect(xor2.kind === 'float' && [Array.from(xor2.v), Array.from(xor2.st!)]).toEqual([[1, 1, -2], [500, 500, 500]]);

    const layout = { schema: 0, zeroThreshold: 0, positiveSpans: [{ offset: 0, length: 1 }], negativeSpans: [] };
    const h = [{ t: 5, count: 1, zeroCount: 0, sumBits: bitsOf(1), positive: [1], negative: [] }];
    for (const [enc, float, withST] of [
      [ChunkEncoding.Histogram, false, false],
      [ChunkEncoding.FloatHistogram, true, false],
      [ChunkEncoding.HistogramST, false, true],
      [ChunkEncoding.FloatHistogramST, true, true],
    ] as const) {
      const data = (float ? encodeFloatHistogram : encodeHistogram)(layout, h, { withST });
      const got = decodeChunk(enc, data);
      expect(got.kind).toBe('histogram');
      if (got.kind !== 'histogram') continue;
      expect(got.float).toBe(float);
      expect(got.samples.map((s) => [s.t, s.count, s.positiveBuckets])).toEqual([[5, 1, [1]]]);
    }
  });

  it('returns or throws TsdbError for any encoding and bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 0x81, 200), fc.uint8Array({ maxLength: 200 }), (enc, bytes) => {
        try {
          const got = decodeChunk(enc, bytes);
          if (got.kind === 'float') expect(got.t.length).toBe(got.count);
        } catch (e) {
          if (!(e instanceof TsdbError)) throw e;
        }
      }),
      { numRuns: 5000 },
    );
  });
});

// ---- Real data: every chunk of fixtures/snapshot-full.tgz (Prometheus 2.42) ----

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/snapshot-full.tgz');

/** The regular files of a .tgz, by path (ustar headers, 512-byte blocks). */
function untgz(file: string): Map<string, Uint8Array> {
  const tar = zlib.gunzipSync(fs.readFileSync(file));
  const out = new Map<string, Uint8Array>();
  for (let off = 0; off + 512 <= tar.length; ) {
    const name = tar.subarray(off, off + 100).toString('latin1').replace(/\0.*$/s, '');
    if (!name) break;
    const prefix = tar.subarray(off + 345, off + 500).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(tar.subarray(off + 124, off + 136).toString('latin1').trim() || '0', 8);
    const type = String.fromCharCode(tar[off + 156]!);
    if (type === '0' || type === '\0') out.set(prefix ? `${prefix}/${name}` : name, tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Chunks of a segment file: 8-byte header, then len <uvarint>, encoding, data, CRC32C. */
function* segmentChunks(seg: Uint8Array): Generator<{ encoding: number; data: Uint8Array }> {
  for (let off = 8; off < seg.length; ) {
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = seg[off++]!;
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    yield { encoding: seg[off]!, data: seg.subarray(off + 1, off + 1 + len) };
    off += 1 + len + 4;
  }
}

describe.skipIf(!fs.existsSync(FIXTURE))('real chunks from fixtures/snapshot-full.tgz', () => {
  const files = fs.existsSync(FIXTURE) ? untgz(FIXTURE) : new Map<string, Uint8Array>();
  const blocks = [...files.keys()].filter((f) => f.endsWith('/meta.json')).map((f) => f.slice(0, -'/meta.json'.length));

  it('decodes every chunk of every block into the samples meta.json counts', () => {
    expect(blocks.length).toBe(7);
    for (const b of blocks) {
      const meta = JSON.parse(Buffer.from(files.get(`${b}/meta.json`)!).toString('utf8'));
      let samples = 0;
      let chunks = 0;
      for (const { encoding, data } of segmentChunks(files.get(`${b}/chunks/000001`)!)) {
        const d = decodeChunk(encoding, data);
        chunks++;
        if (d.kind === 'float') {
          samples += d.count;
          for (let i = 0; i < d.count; i++) {
            expect(d.t[i]! >= meta.minTime && d.t[i]! < meta.maxTime).toBe(true);
            if (i > 0) expect(d.t[i]!).toBeGreaterThan(d.t[i - 1]!);
          }
        } else samples += d.samples.length;
      }
      expect([chunks, samples]).toEqual([meta.stats.numChunks, meta.stats.numSamples]);
    }
  });

  it('decodes the native histograms of the head block as Prometheus serves them', () => {
    const head = blocks.find((b) => b.endsWith('01M81V70BWRRN49VQ1VV6H21P4'))!;
    const hist = [];
    let staleMarkers = 0;
    for (const { encoding, data } of segmentChunks(files.get(`${head}/chunks/000001`)!)) {
      const d = decodeChunk(encoding, data);
      if (d.kind === 'histogram') {
        expect(encoding).toBe(ChunkEncoding.Histogram);
        hist.push(d.samples);
      } else {
        const u = new Uint32Array(d.v.buffer);
        for (let i = 0; i < d.count; i++) if (u[2 * i + 1] === 0x7ff00000 && u[2 * i] === 2) staleMarkers++;
      }
    }
    // test_ephemeral_gauge ends with a stale marker (fixtures/README.md).
    expect(staleMarkers).toBe(1);
    // GET, POST before and after its counter reset, and the temperature histogram.
    expect(hist.map((h) => h.length)).toEqual([90, 39, 51, 90]);
    for (const s of hist.flat()) {
      // A valid histogram's count is its zero count plus all bucket counts.
      const inBuckets = [...s.positiveBuckets, ...s.negativeBuckets].reduce((a, x) => a + x, s.zeroCount);
      expect(inBuckets).toBe(s.count);
      expect(s.positiveBuckets.every((x) => x >= 0) && s.negativeBuckets.every((x) => x >= 0)).toBe(true);
    }
    // First sample of GET, as Prometheus 2.42's query API returns it: count 6,
    // sum 6.654513404141966, buckets (-1.834,-1.682] 2, (-0.707,-0.648] 1,
    // (1.189,1.297] 2, (8,8.724] 1.
    const get = hist[0]![0]!;
    expect(get).toMatchObject({ t: 1795358336148, schema: 3, zeroThreshold: 0.001, count: 6, sum: 6.654513404141966, zeroCount: 0 });
    const nonZero = (spans: { offset: number; length: number }[], counts: number[]) => {
      const out: Array<[number, number]> = [];
      let idx = 0;
      let k = 0;
      for (const sp of spans) {
        idx += sp.offset;
        for (let q = 0; q < sp.length; q++, idx++, k++) if (counts[k]) out.push([idx, counts[k]!]);
      }
      return out;
    };
    // Schema 3: bucket i covers (2^((i-1)/8), 2^(i/8)], negated for negative
    // buckets: 2^(3/8) = 1.297, 2^(25/8) = 8.724, 2^(-4/8) = 0.707, 2^(7/8) = 1.834.
    expect(nonZero(get.positiveSpans, get.positiveBuckets)).toEqual([[3, 2], [25, 1]]);
    expect(nonZero(get.negativeSpans, get.negativeBuckets)).toEqual([[-4, 1], [7, 2]]);
    // test_temperature_delta_celsius: zero threshold 1e-128 takes the 9-byte encoding.
    expect(hist[3]![0]).toMatchObject({ schema: 0, zeroThreshold: 1e-128, count: 3, sum: 3.75 });
  });
});
