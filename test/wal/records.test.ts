import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/encoding/errors.js';
import {
  decodeRecord,
  readRecord,
  RecordType,
  recordTypeName,
  type RefSamples,
  type WalRecord,
} from '../../src/wal/records.js';
import type { RawRecord } from '../../src/wal/segment.js';
import { ByteWriter } from '../helpers/bytes.js';
import { expectTsdbError, FAST_MS, outcome } from '../helpers/errors.js';
import {
  encodeExemplars,
  encodeHistograms,
  encodeMetadata,
  encodeMmapMarkers,
  encodeSamples,
  encodeSamplesV2,
  encodeSeries,
  encodeTombstones,
  f64bits,
  type TestSample,
  type TestWalHistogram,
} from '../helpers/walWriter.js';

const STALE = 0x7ff0000000000002n;

function as<T extends WalRecord['type']>(r: WalRecord, type: T): Extract<WalRecord, { type: T }> {
  expect(r.type).toBe(type);
  return r as Extract<WalRecord, { type: T }>;
}

/** Samples as plain rows, values as bit strings. */
function rows(s: RefSamples): { ref: number; t: number; bits: string; st?: number }[] {
  const w = new Uint32Array(s.v.buffer, s.v.byteOffset, 2 * s.n);
  const out = [];
  for (let i = 0; i < s.n; i++) {
    const bits = ((BigInt(w[2 * i + 1]!) << 32n) | BigInt(w[2 * i]!)).toString(16);
    const r: { ref: number; t: number; bits: string; st?: number } = { ref: s.ref[i]!, t: s.t[i]!, bits };
    if (s.st) r.st = s.st[i]!;
    out.push(r);
  }
  return out;
}

function expected(samples: readonly TestSample[], withST = false) {
  return samples.map((s) => {
    const r: { ref: number; t: number; bits: string; st?: number } = { ref: s.ref, t: s.t, bits: f64bits(s.v).toString(16) };
    if (withST) r.st = s.st ?? 0;
    return r;
  });
}

const H1: TestWalHistogram = {
  ref: 7,
  t: 1000,
  counterResetHint: 0,
  schema: 3,
  zeroThreshold: 0.001,
  zeroCount: 2,
  count: 19,
  sum: 12.5,
  positiveSpans: [{ offset: -2, length: 2 }, { offset: 3, length: 1 }],
  negativeSpans: [{ offset: 0, length: 1 }],
  positiveBuckets: [5, 3, 7],
  negativeBuckets: [2],
};

describe('WAL record decoders', () => {
  it('names the record types as Prometheus does', () => {
    expect(RecordType.Series).toBe(1);
    expect(RecordType.FloatHistogramSamples).toBe(8);
    expect(recordTypeName(5)).toBe('mmapmarkers');
    expect(recordTypeName(200)).toBe('unknown');
  });

  it('series: refs and labels in record order, UTF-8 included', () => {
    const series = [
      { ref: 1, labels: ['__name__', 'up', 'job', 'a'] },
      { ref: 2 ** 40 + 5, labels: ['__name__', 'température', 'emoji', '🎉', 'empty', ''] },
      { ref: 3, labels: [] },
    ];
    expect(as(decodeRecord(encodeSeries(series)), 'series').series).toEqual(series);
  });

  it('samples: signed deltas from the first sample, values bit-exact', () => {
    const samples: TestSample[] = [
      { ref: 10, t: 1700000000000, v: 1.5 },
      { ref: 3, t: 1699999999000, v: STALE },
      { ref: 12, t: 1700000001000, v: -0 },
      { ref: 10, t: -5, v: NaN },
      { ref: 11, t: 1700000002000, v: Infinity },
    ];
    const r = as(decodeRecord(encodeSamples(samples)), 'samples');
    expect(rows(r.samples)).toEqual(expected(samples));
    expect(as(decodeRecord(Uint8Array.of(2)), 'samples').samples.n).toBe(0);
  });

  it('samples V2: deltas to the previous ref and the first timestamp, start-timestamp markers', () => {
    const samples: TestSample[] = [
      { ref: 5, t: 1000, v: 1, st: 900 },
      { ref: 9, t: 2000, v: 2, st: 900 }, // same ST
      { ref: 2, t: 1500, v: STALE, st: 0 }, // no ST
      { ref: 2, t: 3000, v: 4, st: 2500 }, // explicit
    ];
    const r = as(decodeRecord(encodeSamplesV2(samples)), 'samples');
    expect(rows(r.samples)).toEqual(expected(samples, true));
  });

  it('tombstones: intervals over the whole int64 range keep their sign', () => {
    const r = as(
      decodeRecord(
        encodeTombstones([
          { ref: 4, minTime: 100, maxTime: 200 },
          { ref: 5, minTime: -(2n ** 63n), maxTime: 2n ** 63n - 1n },
          { ref: 6, minTime: -9223309901257974000n, maxTime: 0 },
        ]),
      ),
      'tombstones',
    );
    expect(r.tombstones).toEqual([
      { ref: 4, minTime: 100, maxTime: 200 },
      { ref: 5, minTime: -(2 ** 63), maxTime: 2 ** 63 },
      { ref: 6, minTime: -9223309901257974000, maxTime: 0 },
    ]);
  });

  it('exemplars, metadata and m-map markers', () => {
    const ex = [
      { ref: 3, t: 1000, v: 0.5, labels: ['trace_id', 'abc'] },
      { ref: 1, t: 990, v: 2, labels: [] },
    ];
    expect(as(decodeRecord(encodeExemplars(ex)), 'exemplars').exemplars).toEqual(ex);
    const meta = [{ ref: 300, type: 1, unit: 'seconds', help: 'Time spent.' }];
    expect(as(decodeRecord(encodeMetadata(meta)), 'metadata').metadata).toEqual(meta);
    // Fields other than UNIT and HELP are skipped.
    const extra = new ByteWriter().byte(6).uvarint(1).byte(2).uvarint(3).uvarintStr('X').uvarintStr('y').uvarintStr('HELP').uvarintStr('h').uvarintStr('UNIT').uvarintStr('u').bytes();
    expect(as(decodeRecord(extra), 'metadata').metadata).toEqual([{ ref: 1, type: 2, unit: 'u', help: 'h' }]);
    const markers = [{ ref: 1, mmapRef: 3 * 2 ** 32 + 1234 }];
    expect(as(decodeRecord(encodeMmapMarkers(markers)), 'mmapmarkers').markers).toEqual(markers);
  });

  it('integer histograms: bucket deltas are undone, stale markers flagged', () => {
    const stale: TestWalHistogram = { ...H1, ref: 8, t: 1100, sum: STALE, positiveSpans: [], negativeSpans: [], positiveBuckets: [], negativeBuckets: [], count: 0, zeroCount: 0 };
    const r = as(decodeRecord(encodeHistograms([H1, stale], false)), 'histograms');
    expect(r.float).toBe(false);
    expect(r.histograms).toHaveLength(2);
    expect(r.histograms[0]).toEqual({
      ref: 7,
      h: {
        t: 1000,
        counterResetHint: 0,
        schema: 3,
        zeroThreshold: 0.001,
        zeroCount: 2,
        count: 19,
        sum: 12.5,
        positiveSpans: H1.positiveSpans,
        negativeSpans: H1.negativeSpans,
        positiveBuckets: [5, 3, 7],
        negativeBuckets: [2],
      },
    });
    expect(r.histograms[1]!.ref).toBe(8);
    expect(r.histograms[1]!.h.stale).toBe(true);
  });

  it('float histograms, custom buckets (types 9, 10) and V2 (types 12, 13)', () => {
    const fh: TestWalHistogram = { ...H1, zeroCount: 1.5, count: 10.25, positiveBuckets: [0.5, 1.5, 2], negativeBuckets: [0.25] };
    const f = as(decodeRecord(encodeHistograms([fh], true)), 'histograms');
    expect(f.float).toBe(true);
    expect(f.histograms[0]!.h).toMatchObject({ zeroCount: 1.5, count: 10.25, positiveBuckets: [0.5, 1.5, 2], negativeBuckets: [0.25] });

    const custom: TestWalHistogram = { ...H1, schema: -53, negativeSpans: [], negativeBuckets: [], customValues: [0.1, 0.5, 1, 5] };
    for (const float of [false, true]) {
      const c = as(decodeRecord(encodeHistograms([custom], float, { customBuckets: true })), 'histograms');
      expect(c.histograms[0]!.h.customValues).toEqual([0.1, 0.5, 1, 5]);
      expect(c.histograms[0]!.h.schema).toBe(-53);
    }

    const v2 = [
      { ...H1, ref: 4, t: 500, st: 100 },
      { ...H1, ref: 9, t: 700, st: 100 },
      { ...H1, ref: 1, t: 600, st: 0 },
    ];
    for (const float of [false, true]) {
      const r = as(decodeRecord(encodeHistograms(v2, float, { v2: true })), 'histograms');
      expect(r.histograms.map((x) => [x.ref, x.h.t, x.h.st])).toEqual([
        [4, 500, 100],
        [9, 700, 100],
        [1, 600, 0],
      ]);
    }
  });

  it('unknown and empty records are skipped, as Prometheus skips them', () => {
    expect(decodeRecord(Uint8Array.of(99, 1, 2))).toEqual({ type: 'unknown', typeByte: 99 });
    expect(decodeRecord(new Uint8Array(0))).toEqual({ type: 'unknown', typeByte: undefined });
  });
});

describe('WAL record decoders on bad input', () => {
  const valid: [string, Uint8Array][] = [
    ['series', encodeSeries([{ ref: 1, labels: ['a', 'b', 'c', 'd'] }, { ref: 2, labels: ['x', 'y'] }])],
    ['samples', encodeSamples([{ ref: 1, t: 5, v: 1 }, { ref: 2, t: 6, v: 2 }])],
    ['samplesV2', encodeSamplesV2([{ ref: 1, t: 5, v: 1, st: 3 }, { ref: 2, t: 6, v: 2, st: 4 }])],
    ['tombstones', encodeTombstones([{ ref: 1, minTime: 1, maxTime: 2 }, { ref: 2, minTime: 3, maxTime: 4 }])],
    ['exemplars', encodeExemplars([{ ref: 1, t: 1, v: 1, labels: ['a', 'b'] }, { ref: 2, t: 1, v: 1, labels: [] }])],
    ['metadata', encodeMetadata([{ ref: 1, type: 1, unit: 'u', help: 'h' }])],
    ['mmapmarkers', encodeMmapMarkers([{ ref: 1, mmapRef: 2 }, { ref: 3, mmapRef: 4 }])],
    ['histograms', encodeHistograms([H1, { ...H1, ref: 9 }], false)],
    ['floathistograms', encodeHistograms([H1], true)],
    ['histogramsV2', encodeHistograms([H1, H1], false, { v2: true })],
  ];

  it('every truncation fails cleanly or decodes fewer entries', () => {
    for (const [what, rec] of valid) {
      for (let n = 1; n < rec.length; n++) {
        const r = outcome(() => decodeRecord(rec.subarray(0, n)), n);
        if (r.kind === 'unclean') throw new Error(`${what} cut at ${n}: ${r.reason}`, { cause: r.thrown });
      }
    }
  });

  it('trailing bytes are an error', () => {
    const rec = encodeTombstones([{ ref: 1, minTime: 1, maxTime: 2 }]);
    const e = expectTsdbError(() => decodeRecord(Uint8Array.of(...rec, 0, 0)), { code: [ErrorCode.Corrupt, ErrorCode.ShortBuffer] });
    expect(e.message).toContain('tombstones record');
  });

  it('hostile counts cost nothing', () => {
    const hostile = [
      new ByteWriter().byte(1).be64(1).uvarint(2 ** 32).bytes(), // 4 billion labels
      new ByteWriter().byte(7).be64(1).be64(0).varint(0).varint(0).byte(0).varint(0).be64(0).uvarint(0).uvarint(0).be64(0).uvarint(2 ** 40).bytes(),
      new ByteWriter().byte(6).uvarint(1).byte(1).uvarint(2 ** 50).bytes(),
      new ByteWriter().byte(1).be64(1).uvarint(1).uvarint(2 ** 40).bytes(), // a 1 TiB string
    ];
    for (const rec of hostile) expectTsdbError(() => decodeRecord(rec), { maxMs: FAST_MS, inputLength: rec.length });
  });

  it('random bytes after any type byte fail cleanly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 14 }), fc.uint8Array({ maxLength: 200 }), (t, body) => {
        const rec = Uint8Array.of(t, ...body);
        const r = outcome(() => decodeRecord(rec), rec.length);
        if (r.kind === 'unclean') throw new Error(r.reason, { cause: r.thrown });
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips random sample and series records (property)', () => {
    const i64 = fc.integer({ min: -(2 ** 50), max: 2 ** 50 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ ref: fc.integer({ min: 0, max: 2 ** 40 }), t: i64, v: fc.oneof(fc.double(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })) }), { maxLength: 50 }),
        fc.array(fc.record({ ref: fc.integer({ min: 0, max: 2 ** 52 }), labels: fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 8 }).map((a) => (a.length % 2 ? a.slice(1) : a)) }), { maxLength: 10 }),
        (samples, series) => {
          // Values given as bits may be any NaN payload; compare bits.
          expect(rows(as(decodeRecord(encodeSamples(samples)), 'samples').samples)).toEqual(expected(samples));
          expect(as(decodeRecord(encodeSeries(series)), 'series').series).toEqual(series);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('readRecord', () => {
  const raw = (data: Uint8Array, compression: RawRecord['compression']): RawRecord => ({ segment: 'wal/00000003', offset: 4096, compression, data });

  it('decode errors name the segment and the record offset', () => {
    const e = expectTsdbError(() => readRecord(raw(Uint8Array.of(1, 0, 0), 'none')), { code: ErrorCode.ShortBuffer });
    expect(e.context).toMatchObject({ file: 'wal/00000003', offset: 4096 });
    expect(e.message).toMatch(/^wal record at wal\/00000003 offset 4096: series record/);
  });
});
