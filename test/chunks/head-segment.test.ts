import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeHeadChunk,
  HEAD_CHUNK_FILE_HEADER_LEN,
  headChunkFileSeq,
  isEmptyHeadChunkFile,
  MAGIC_HEAD_CHUNKS,
  OUT_OF_ORDER_FLAG,
  readHeadChunkFile,
} from '../../src/chunks/head-segment.js';
import { crc32c } from '../../src/encoding/crc32c.js';
import { ErrorCode } from '../../src/encoding/errors.js';
import { flipBit, hex } from '../helpers/bytes.js';
import { expectTsdbError, FAST_MS, outcome } from '../helpers/errors.js';
import { bitsOf, encodeHistogram } from '../helpers/histogramEncoder.js';
import { writeHeadChunkFile, type TestHeadChunk } from '../helpers/walWriter.js';
import { encodeXOR } from '../helpers/xorEncoder.js';

const xor = (ts: number[], vs: number[]) => encodeXOR(ts, vs.map(bitsOf));

const CHUNKS: TestHeadChunk[] = [
  { seriesRef: 1, minTime: 1000, maxTime: 3000, encoding: 1, data: xor([1000, 2000, 3000], [1, 2, 3]) },
  { seriesRef: 2 ** 33 + 7, minTime: -5000, maxTime: -4000, encoding: 1, data: xor([-5000, -4000], [0.5, -0.5]) },
  {
    seriesRef: 3,
    minTime: 10,
    maxTime: 20,
    encoding: 2,
    data: encodeHistogram({ schema: 0, zeroThreshold: 0.001, positiveSpans: [{ offset: 0, length: 2 }], negativeSpans: [] }, [
      { t: 10, count: 3, zeroCount: 0, sumBits: bitsOf(4), positive: [1, 2], negative: [] },
      { t: 20, count: 5, zeroCount: 1, sumBits: bitsOf(6), positive: [2, 2], negative: [] },
    ]),
  },
  { seriesRef: 1, minTime: 4000, maxTime: 4000, encoding: 0x81, data: xor([4000], [9]) },
];

describe('head chunk files on hand-built bytes', () => {
  it('reads the header and a chunk laid out as head_chunks.md says', () => {
    expect(MAGIC_HEAD_CHUNKS).toBe(0x0130bc91);
    expect(HEAD_CHUNK_FILE_HEADER_LEN).toBe(8);
    const data = hex('0001 aa');
    const body = hex(`
      0000000000000005  # series ref 5
      0000000000000064  # mint 100
      fffffffffffffff6  # maxt -10
      01                # encoding XOR
      03                # len
    `);
    const rec = Uint8Array.of(...body, ...data);
    const crc = crc32c(rec);
    const file = Uint8Array.of(...hex('0130bc91 01 000000'), ...rec, crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff);
    const f = readHeadChunkFile(file, 'chunks_head/000007');
    expect(f).toMatchObject({ seq: 7, version: 1, end: file.length });
    expect(f.error).toBeUndefined();
    expect(f.chunks).toHaveLength(1);
    expect(f.chunks[0]).toMatchObject({ ref: 7 * 2 ** 32 + 8, offset: 8, seriesRef: 5, minTime: 100, maxTime: -10, encoding: 1, outOfOrder: false, numSamples: 1 });
    expect(Array.from(f.chunks[0]!.data)).toEqual([0, 1, 0xaa]);
  });

  it('reads every chunk, stops at the preallocated zeros, and decodes the data', () => {
    const { bytes, offsets } = writeHeadChunkFile(CHUNKS, { preallocate: 128 * 1024 });
    const f = readHeadChunkFile(bytes, 'chunks_head/000003');
    expect(f.error).toBeUndefined();
    expect(f.chunks.map((c) => [c.offset, c.seriesRef, c.minTime, c.maxTime, c.encoding, c.outOfOrder, c.numSamples])).toEqual([
      [offsets[0], 1, 1000, 3000, 1, false, 3],
      [offsets[1], 2 ** 33 + 7, -5000, -4000, 1, false, 2],
      [offsets[2], 3, 10, 20, 2, false, 2],
      [offsets[3], 1, 4000, 4000, 0x81, true, 1],
    ]);
    expect(f.end).toBe(offsets[3]! + 8 + 16 + 1 + 1 + CHUNKS[3]!.data.length + 4);
    const d0 = decodeHeadChunk(f.chunks[0]!);
    expect(d0.kind === 'float' && [Array.from(d0.t), Array.from(d0.v)]).toEqual([[1000, 2000, 3000], [1, 2, 3]]);
    const d2 = decodeHeadChunk(f.chunks[2]!);
    expect(d2.kind === 'histogram' && d2.samples.map((h) => [h.t, h.count, h.positiveBuckets])).toEqual([
      [10, 3, [1, 2]],
      [20, 5, [2, 2]],
    ]);
    // The out-of-order bit is stripped for decoding.
    expect(OUT_OF_ORDER_FLAG).toBe(0x80);
    const d3 = decodeHeadChunk(f.chunks[3]!);
    expect(d3.kind === 'float' && Array.from(d3.v)).toEqual([9]);
    // A file that is exactly its chunks, with no zeros after them.
    expect(readHeadChunkFile(writeHeadChunkFile(CHUNKS).bytes, 'chunks_head/000001').chunks).toHaveLength(4);
  });

  it('names files as Prometheus does', () => {
    expect(headChunkFileSeq('000003')).toBe(3);
    expect(headChunkFileSeq('000003.tmp')).toBeUndefined();
    expect(isEmptyHeadChunkFile(new Uint8Array(3))).toBe(true);
    expect(isEmptyHeadChunkFile(new Uint8Array(131072))).toBe(true);
    expect(isEmptyHeadChunkFile(writeHeadChunkFile([]).bytes)).toBe(false);
  });

  it('refuses a bad header', () => {
    const good = writeHeadChunkFile(CHUNKS).bytes;
    expectTsdbError(() => readHeadChunkFile(good.subarray(0, 7), 'chunks_head/000001'), { code: ErrorCode.ShortBuffer });
    const e = expectTsdbError(() => readHeadChunkFile(flipBit(good, 0, 0), 'chunks_head/000001'), { code: ErrorCode.BadMagic });
    expect(e.context).toMatchObject({ file: 'chunks_head/000001', offset: 0 });
    expectTsdbError(() => readHeadChunkFile(writeHeadChunkFile([], { version: 2 }).bytes, 'chunks_head/000001'), { code: ErrorCode.BadVersion });
  });

  it('stops at a bad chunk, keeps the good ones, and tells a torn tail', () => {
    const { bytes, offsets } = writeHeadChunkFile(CHUNKS, { preallocate: 4096 });
    // A flipped bit in chunk 1's data: a CRC error, and chunk 2 follows: not torn.
    const mid = readHeadChunkFile(flipBit(bytes, offsets[1]! + 30, 2), 'chunks_head/000002');
    expect(mid.chunks).toHaveLength(1);
    expect(mid.error?.code).toBe(ErrorCode.BadChecksum);
    expect(mid.error?.context).toMatchObject({ file: 'chunks_head/000002', offset: offsets[1] });
    expect(mid.end).toBe(offsets[1]);
    expect(mid.tornTail).toBe(false);
    // The last chunk half written, zeros after it (the writer was caught mid-chunk).
    const last = offsets[3]!;
    const cut = bytes.slice();
    cut.fill(0, last + 30);
    const torn = readHeadChunkFile(cut, 'chunks_head/000002');
    expect(torn.chunks).toHaveLength(3);
    expect(torn.error?.code).toBe(ErrorCode.BadChecksum);
    expect(torn.tornTail).toBe(true);
    // The file cut off inside the last chunk.
    const short = readHeadChunkFile(bytes.subarray(0, last + 27), 'chunks_head/000002');
    expect(short.chunks).toHaveLength(3);
    expect(short.error?.code).toBe(ErrorCode.ShortBuffer);
    expect(short.tornTail).toBe(true);
  });

  it('every truncation and every bit flip fails cleanly (property)', () => {
    const { bytes } = writeHeadChunkFile(CHUNKS, { preallocate: 512 });
    for (let n = 0; n <= bytes.length; n += 3) {
      const r = outcome(() => readHeadChunkFile(bytes.subarray(0, n), 'chunks_head/000001'), n);
      if (r.kind === 'unclean') throw new Error(`cut at ${n}: ${r.reason}`, { cause: r.thrown });
      if (r.kind === 'ok') for (const c of r.value.chunks) outcome(() => decodeHeadChunk(c));
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 7 }), (at, bit) => {
        const r = outcome(() => {
          const f = readHeadChunkFile(flipBit(bytes, at, bit), 'chunks_head/000001');
          return f.chunks.map((c) => decodeHeadChunk(c));
        }, bytes.length);
        if (r.kind === 'unclean') throw new Error(`flip ${at}/${bit}: ${r.reason}`, { cause: r.thrown });
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes after a good header fail cleanly and fast (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), (body) => {
        const file = Uint8Array.of(...hex('0130bc91 01 000000'), ...body);
        const t0 = performance.now();
        const r = outcome(() => readHeadChunkFile(file, 'chunks_head/000001'), file.length);
        expect(performance.now() - t0).toBeLessThan(FAST_MS);
        if (r.kind === 'unclean') throw new Error(r.reason, { cause: r.thrown });
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips random chunk records (property)', () => {
    const chunk = fc.record({
      seriesRef: fc.integer({ min: 1, max: 2 ** 53 - 1 }),
      minTime: fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
      maxTime: fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
      encoding: fc.constantFrom(1, 2, 3, 0x81),
      data: fc.uint8Array({ minLength: 2, maxLength: 300 }),
    });
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 8 }), fc.integer({ min: 0, max: 2000 }), (chunks, pre) => {
        const { bytes, offsets } = writeHeadChunkFile(chunks, { preallocate: pre });
        const f = readHeadChunkFile(bytes, 'chunks_head/000009');
        expect(f.error).toBeUndefined();
        expect(f.chunks.map((c) => ({ seriesRef: c.seriesRef, minTime: c.minTime, maxTime: c.maxTime, encoding: c.encoding, data: c.data }))).toEqual(chunks);
        expect(f.chunks.map((c) => c.offset)).toEqual(offsets);
      }),
      { numRuns: 200 },
    );
  });
});
