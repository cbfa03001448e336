import { describe, expect, it } from 'vitest';
import { compareLabels } from '../../src/encoding/compare.js';
import { replayHead, type DataDirFiles, type HeadSamples } from '../../src/wal/head.js';
import { flipBit } from '../helpers/bytes.js';
import { bitsOf } from '../helpers/histogramEncoder.js';
import {
  encodeExemplars,
  encodeHistograms,
  encodeMetadata,
  encodeSamples,
  encodeSeries,
  encodeTombstones,
  WalWriter,
  writeHeadChunkFile,
  type TestHeadChunk,
  type TestWalHistogram,
} from '../helpers/walWriter.js';
import { encodeXOR } from '../helpers/xorEncoder.js';

const STALE = 0x7ff0000000000002n;

function files(map: Record<string, Uint8Array>): DataDirFiles {
  return { paths: Object.keys(map).sort(), read: (p) => map[p] };
}

/** Segments from record lists, one list per segment, numbered from `first`. */
function wal(segs: Uint8Array[][], first = 0, dir = 'wal', snappy = true): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const w = new WalWriter({ firstIndex: first, dir, snappy });
  segs.forEach((recs, i) => {
    for (const r of recs) w.log(r);
    if (i < segs.length - 1) w.nextSegment();
  });
  for (const s of w.segments()) out[s.name] = s.bytes;
  return out;
}

function floats(s: HeadSamples): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < s.n; i++) if (!s.h?.[i]) out.push([s.t[i]!, s.v[i]!]);
  return out;
}

function dump(head: ReturnType<typeof replayHead>) {
  return [...head.series()].map((s) => ({ labels: s.labels.join(','), t: Array.from(s.samples.t.subarray(0, s.samples.n)) }));
}

const A = ['__name__', 'a'];
const B = ['__name__', 'b'];
const xor = (ts: number[], vs: number[]) => encodeXOR(ts, vs.map(bitsOf));
const hist = (ref: number, t: number): TestWalHistogram => ({
  ref,
  t,
  counterResetHint: 0,
  schema: 0,
  zeroThreshold: 0,
  zeroCount: 0,
  count: 1,
  sum: 1,
  positiveSpans: [{ offset: 0, length: 1 }],
  negativeSpans: [],
  positiveBuckets: [1],
  negativeBuckets: [],
});

describe('head replay', () => {
  it('replays series and samples, in label order, with stats', () => {
    const head = replayHead(
      files(
        wal([
          [encodeSeries([{ ref: 2, labels: B }, { ref: 1, labels: A }, { ref: 3, labels: ['__name__', 'never'] }])],
          [encodeSamples([{ ref: 1, t: 10, v: 1 }, { ref: 2, t: 10, v: STALE }]), encodeSamples([{ ref: 1, t: 20, v: 2 }])],
        ]),
      ),
    );
    expect(head.findings).toEqual([]);
    const series = [...head.series()];
    expect(series.map((s) => [s.ref, s.labels])).toEqual([
      [1, A],
      [2, B],
    ]);
    expect(floats(series[0]!.samples)).toEqual([
      [10, 1],
      [20, 2],
    ]);
    // The stale marker keeps its NaN payload.
    const w = new Uint32Array(series[1]!.samples.v.buffer, 0, 2);
    expect([w[1], w[0]]).toEqual([0x7ff00000, 2]);
    expect(head.stats()).toMatchObject({ numSeries: 2, numSamples: 3, numHistogramSamples: 0, minTime: 10, maxTime: 20, records: { series: 1, samples: 2 } });
  });

  it('drops samples at or before the series\' last timestamp, floats and histograms alike', () => {
    const head = replayHead(
      files(
        wal([
          [
            encodeSeries([{ ref: 1, labels: A }]),
            encodeSamples([{ ref: 1, t: 10, v: 1 }, { ref: 1, t: 10, v: 9 }, { ref: 1, t: 5, v: 9 }, { ref: 1, t: 20, v: 2 }]),
            encodeHistograms([hist(1, 20), hist(1, 30)], false),
            encodeSamples([{ ref: 1, t: 30, v: 9 }, { ref: 1, t: 40, v: 4 }]),
            encodeHistograms([hist(1, 50)], true),
          ],
        ]),
      ),
    );
    const [s] = [...head.series()];
    expect(Array.from(s!.samples.t.subarray(0, s!.samples.n))).toEqual([10, 20, 30, 40, 50]);
    expect(s!.samples.h?.[2]?.t).toBe(30);
    expect(s!.samples.hf?.[4]).toBe(true);
    expect(floats(s!.samples)).toEqual([
      [10, 1],
      [20, 2],
      [40, 4],
    ]);
    expect(head.stats()).toMatchObject({ numSamples: 5, numHistogramSamples: 2, droppedOutOfOrder: 4 });
  });

  it('honours minValidTime, counts unknown refs, and applies tombstones and metadata', () => {
    const head = replayHead(
      files(
        wal([
          [
            encodeSeries([{ ref: 1, labels: A }, { ref: 2, labels: B }]),
            encodeSamples([1, 2, 3, 4, 5, 6].map((k) => ({ ref: 1, t: k * 10, v: k }))),
            encodeSamples([{ ref: 2, t: 10, v: 1 }, { ref: 9, t: 60, v: 1 }]),
            encodeTombstones([
              { ref: 1, minTime: 40, maxTime: 50 },
              { ref: 1, minTime: 0, maxTime: 15 }, // ends before minValidTime: ignored
              { ref: 9, minTime: 0, maxTime: 100 },
            ]),
            encodeMetadata([{ ref: 1, type: 2, unit: '', help: 'A gauge.' }]),
            encodeExemplars([{ ref: 1, t: 30, v: 1, labels: ['trace_id', 'x'] }]),
          ],
        ]),
      ),
      { minValidTime: 20 },
    );
    const series = [...head.series()];
    // Series b had only a sample before minValidTime: gone.
    expect(series.map((s) => s.labels)).toEqual([A]);
    expect(floats(series[0]!.samples).map(([t]) => t)).toEqual([20, 30, 60]);
    expect(series[0]!.metadata).toEqual({ type: 2, unit: '', help: 'A gauge.' });
    expect(head.tombstoneIntervals().get(1)).toEqual([{ minTime: 40, maxTime: 50 }]);
    expect(head.stats()).toMatchObject({ numSeries: 1, numSamples: 5, minTime: 20, maxTime: 60, numTombstones: 1, numExemplars: 1, unknownRefs: 2 });
  });

  it('replays the last checkpoint, then only the segments after it', () => {
    const map = {
      ...wal([[encodeSeries([{ ref: 1, labels: A }]), encodeSamples([{ ref: 1, t: 100, v: 1 }])]], 0, 'wal/checkpoint.00000003'),
      ...wal([[encodeSeries([{ ref: 5, labels: ['__name__', 'old'] }]), encodeSamples([{ ref: 1, t: 50, v: 9 }])]], 0, 'wal/checkpoint.00000001'),
      ...wal([[encodeSamples([{ ref: 1, t: 90, v: 9 }])], [encodeSeries([{ ref: 2, labels: B }])], [encodeSamples([{ ref: 1, t: 200, v: 2 }, { ref: 2, t: 200, v: 3 }])]], 3),
    };
    const head = replayHead(files(map));
    expect(head.findings).toEqual([]);
    expect(head.plan?.checkpoint?.dir).toBe('wal/checkpoint.00000003');
    expect(head.plan?.skipped.map((x) => x.path)).toEqual(['wal/00000003']);
    expect(dump(head)).toEqual([
      { labels: '__name__,a', t: [100, 200] },
      { labels: '__name__,b', t: [200] },
    ]);
  });

  it('maps a second series record for known labels onto the series, resetting its samples', () => {
    const head = replayHead(
      files(
        wal([
          [
            encodeSeries([{ ref: 1, labels: A }]),
            encodeSamples([{ ref: 1, t: 10, v: 1 }]),
            encodeSeries([{ ref: 7, labels: A }]),
            encodeSamples([{ ref: 7, t: 20, v: 2 }, { ref: 1, t: 30, v: 3 }]),
          ],
        ]),
      ),
    );
    // As Prometheus: the duplicate record resets the head chunk (sample 10 is gone).
    expect(dump(head)).toEqual([{ labels: '__name__,a', t: [20, 30] }]);
    expect(head.stats().numSeries).toBe(1);
  });

  it('uses m-mapped chunks: chunk samples first, WAL samples after them', () => {
    const chunks: TestHeadChunk[] = [
      { seriesRef: 1, minTime: 10, maxTime: 30, encoding: 1, data: xor([10, 20, 30], [1, 2, 3]) },
      { seriesRef: 1, minTime: 0, maxTime: 5, encoding: 1, data: xor([0, 5], [0, 0]) }, // starts before the previous chunk ends: out of sequence
    ];
    const good = writeHeadChunkFile([chunks[0]!, { seriesRef: 2, minTime: 1, maxTime: 2, encoding: 1, data: xor([1, 2], [1, 1]) }], { preallocate: 4096 }).bytes;
    const segs = wal([[encodeSeries([{ ref: 1, labels: A }]), encodeSamples([{ ref: 1, t: 20, v: 9 }, { ref: 1, t: 30, v: 9 }, { ref: 1, t: 40, v: 4 }])]]);
    const head = replayHead(files({ 'chunks_head/000001': good, ...segs }));
    expect(head.findings).toEqual([]);
    const [s] = [...head.series()];
    expect(floats(s!.samples)).toEqual([
      [10, 1],
      [20, 2],
      [30, 3],
      [40, 4],
    ]);
    // Chunks of refs without a series record are not part of the head.
    expect(head.stats()).toMatchObject({ numSeries: 1, numSamples: 4, numMmappedChunks: 1, minTime: 10, maxTime: 40 });

    // minValidTime above a chunk's maxTime skips the chunk.
    expect(dump(replayHead(files({ 'chunks_head/000001': good, ...segs }), { minValidTime: 31 }))).toEqual([{ labels: '__name__,a', t: [40] }]);

    // Out of sequence chunks: Prometheus discards every m-mapped chunk.
    const bad = writeHeadChunkFile(chunks).bytes;
    const h2 = replayHead(files({ 'chunks_head/000001': bad, ...segs }));
    expect(h2.findings.map((f) => [f.severity, f.code])).toEqual([['error', 'head-chunks-out-of-sequence']]);
    expect(dump(h2)).toEqual([{ labels: '__name__,a', t: [20, 30, 40] }]);
  });

  it('keeps out-of-order chunks in the out-of-order head, and drops an empty last file quietly', () => {
    const f1 = writeHeadChunkFile([{ seriesRef: 1, minTime: 10, maxTime: 10, encoding: 0x81, data: xor([10], [1]) }]).bytes;
    const head = replayHead(files({ 'chunks_head/000001': f1, 'chunks_head/000002': new Uint8Array(0), ...wal([[encodeSeries([{ ref: 1, labels: A }])]]) }));
    expect(head.findings).toEqual([]);
    expect(head.stats()).toMatchObject({ numSeries: 1, numSamples: 0, numOutOfOrderChunks: 1, numOutOfOrderSamples: 1 });
    expect(dump(head)).toEqual([{ labels: '__name__,a', t: [10] }]);
  });

  it('a torn last chunk file is a warning; a bad earlier file is an error; both drop the file and the later ones', () => {
    const c = (ref: number, t: number): TestHeadChunk => ({ seriesRef: ref, minTime: t, maxTime: t + 1, encoding: 1, data: xor([t, t + 1], [1, 1]) });
    const f1 = writeHeadChunkFile([c(1, 10)], { preallocate: 1024 });
    const f2 = writeHeadChunkFile([c(1, 20), c(1, 30)], { preallocate: 1024 });
    const torn = f2.bytes.slice();
    torn.fill(0, f2.offsets[1]! + 28);
    const segs = wal([[encodeSeries([{ ref: 1, labels: A }])]]);
    const h = replayHead(files({ 'chunks_head/000001': f1.bytes, 'chunks_head/000002': torn, ...segs }));
    expect(h.findings.map((f) => [f.severity, f.code, f.file])).toEqual([['warning', 'head-chunks-torn-tail', 'chunks_head/000002']]);
    expect(dump(h)).toEqual([{ labels: '__name__,a', t: [10, 11] }]);

    const h2 = replayHead(files({ 'chunks_head/000001': flipBit(f1.bytes, 20, 1), 'chunks_head/000002': f2.bytes, ...segs }));
    expect(h2.findings.map((f) => [f.severity, f.code, f.file, f.offset])).toEqual([['error', 'head-chunks-corrupt', 'chunks_head/000001', 8]]);
    expect(dump(h2)).toEqual([]);
  });

  it('a torn tail of the last segment is a warning; corruption earlier stops the replay with an error', () => {
    const w = new WalWriter({ snappy: false });
    w.log(encodeSeries([{ ref: 1, labels: A }]));
    w.log(encodeSamples([{ ref: 1, t: 10, v: 1 }]));
    w.nextSegment();
    const big = encodeSamples(Array.from({ length: 5000 }, (_, i) => ({ ref: 1, t: 20 + i, v: i })));
    w.log(encodeSamples([{ ref: 1, t: 15, v: 1 }]));
    const at = w.log(big);
    const [s0, s1] = w.segments();
    const torn = s1!.bytes.subarray(0, at.offset + 40000);
    const h = replayHead(files({ [s0!.name]: s0!.bytes, [s1!.name]: torn }));
    expect(h.findings).toEqual([
      {
        severity: 'warning',
        code: 'wal-torn-tail',
        file: 'wal/00000001',
        offset: at.offset,
        message: expect.stringMatching(/^wal\/00000001: last record is torn: .*Prometheus drops the torn record on start$/),
      },
    ]);
    expect(dump(h)).toEqual([{ labels: '__name__,a', t: [10, 15] }]);

    // A flipped bit in segment 0: error there, nothing after it replayed.
    const bad = flipBit(s0!.bytes, 30, 0);
    const h2 = replayHead(files({ [s0!.name]: bad, [s1!.name]: s1!.bytes }));
    expect(h2.findings.map((f) => [f.severity, f.code, f.file])).toEqual([['error', 'wal-corrupt', 'wal/00000000']]);
    expect(h2.findings[0]!.message).toMatch(/Prometheus repairs the WAL by dropping everything from here on/);
    expect(h2.stats().numSamples).toBe(0);
  });

  it('reports a missing segment and a torn checkpoint as errors', () => {
    const segs = wal([[encodeSeries([{ ref: 1, labels: A }])], [encodeSamples([{ ref: 1, t: 1, v: 1 }])], [encodeSamples([{ ref: 1, t: 2, v: 1 }])]]);
    delete segs['wal/00000001'];
    const h = replayHead(files(segs));
    expect(h.findings.map((f) => [f.severity, f.code, f.file])).toEqual([['error', 'wal-segment-missing', 'wal/00000002']]);
    expect(dump(h)).toEqual([{ labels: '__name__,a', t: [2] }]);

    const cp = wal([[encodeSeries([{ ref: 1, labels: A }]), encodeSamples(Array.from({ length: 4000 }, (_, i) => ({ ref: 1, t: i, v: i })))]], 0, 'wal/checkpoint.00000000', false);
    const name = 'wal/checkpoint.00000000/00000000';
    const h3 = replayHead(files({ [name]: cp[name]!.subarray(0, 1000) }));
    expect(h3.findings.map((f) => [f.severity, f.code, f.file])).toEqual([['error', 'checkpoint-corrupt', name]]);
  });

  it('never throws on garbage files', () => {
    const junk = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff);
    const h = replayHead(files({ 'wal/00000000': junk, 'wal/checkpoint.00000000/00000000': junk, 'chunks_head/000001': junk, 'chunks_head/000002': junk }));
    expect(h.findings.length).toBeGreaterThan(0);
    expect(h.findings.every((f) => f.severity === 'error')).toBe(true);
  });
});

describe('label order', () => {
  it('is Go byte order, with astral code points after the rest of the BMP', () => {
    const sorted = [['a', '1'], ['a', '1', 'b', '2'], ['a', '\uffef'], ['a', '😀'], ['b', '']];
    const shuffled = [sorted[3]!, sorted[0]!, sorted[4]!, sorted[2]!, sorted[1]!];
    expect(shuffled.sort(compareLabels)).toEqual(sorted);
  });
});
