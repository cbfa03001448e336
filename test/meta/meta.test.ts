import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/encoding/errors.js';
import { JsonFieldError } from '../../src/meta/gojson.js';
import { isULID, parseMeta } from '../../src/meta/meta.js';
import { expectTsdbError, outcome } from '../helpers/errors.js';
import { loadFixtures, rawMeta, readBlockFile, type Fixtures } from '../helpers/fixtures.js';

// A meta.json as Prometheus 2.42 writes it, with a field from Thanos added.
const FULL = `{
  "ulid": "01M81V49BW04PDGEAVVMHW9HVW",
  "minTime": 1795261080000,
  "maxTime": 1795283940001,
  "stats": { "numSamples": 16044, "numSeries": 42, "numChunks": 168, "numTombstones": 2, "numFloatSamples": 16000, "numHistogramSamples": 44 },
  "compaction": {
    "level": 3,
    "sources": ["01M81V42KYJA9WWSQM1ZPJNPBQ", "01M81V42N2M2T1CHEEYPPZ0NE7"],
    "parents": [{ "ulid": "01M81V42KYJA9WWSQM1ZPJNPBQ", "minTime": 1795261080000, "maxTime": 1795262340001 }],
    "deletable": true,
    "hints": ["from-out-of-order"]
  },
  "version": 1,
  "thanos": { "labels": { "replica": "a" } }
}`;

/** Where the value of the first `"key":` in `text` starts (compact JSON). */
const valueAt = (text: string, key: string) => text.indexOf(`"${key}":`) + key.length + 3;

describe('parseMeta on hand-written meta.json', () => {
  it('reads every field, from a string or from bytes', () => {
    const want = {
      version: 1,
      ulid: '01M81V49BW04PDGEAVVMHW9HVW',
      minTime: 1795261080000,
      maxTime: 1795283940001,
      stats: { numSamples: 16044, numSeries: 42, numChunks: 168, numTombstones: 2, numFloatSamples: 16000, numHistogramSamples: 44 },
      compaction: {
        level: 3,
        sources: ['01M81V42KYJA9WWSQM1ZPJNPBQ', '01M81V42N2M2T1CHEEYPPZ0NE7'],
        parents: [{ ulid: '01M81V42KYJA9WWSQM1ZPJNPBQ', minTime: 1795261080000, maxTime: 1795262340001 }],
        deletable: true,
        failed: false,
        hints: ['from-out-of-order'],
      },
      extra: { thanos: { labels: { replica: 'a' } } },
    };
    const { offsets, ...got } = parseMeta(FULL);
    expect(got).toEqual(want);
    expect(parseMeta(new TextEncoder().encode(FULL))).toEqual({ ...want, offsets });
    // Where each value starts, for findings about it; fields inside arrays are left out.
    for (const k of ['ulid', 'minTime', 'maxTime', 'stats', 'compaction', 'version']) expect(offsets[k], k).toBe(FULL.indexOf(`"${k}": `) + k.length + 4);
    expect(offsets.version).toBe(FULL.indexOf('"version": 1') + 11);
    expect(offsets['stats.numSeries']).toBe(FULL.indexOf('"numSeries": 42') + 13);
    expect(offsets['compaction.parents[0].minTime']).toBeUndefined();
  });

  it('fills in defaults for a minimal meta.json', () => {
    const text = '{"version":1,"ulid":"01DXXFZDYD1MQW6079WK0K6EDQ","minTime":0,"maxTime":7200000}';
    expect(parseMeta(text)).toEqual({
      version: 1,
      ulid: '01DXXFZDYD1MQW6079WK0K6EDQ',
      minTime: 0,
      maxTime: 7200000,
      stats: { numSamples: 0, numFloatSamples: 0, numHistogramSamples: 0, numSeries: 0, numChunks: 0, numTombstones: 0 },
      compaction: { level: 0, sources: [], parents: [], deletable: false, failed: false, hints: [] },
      extra: {},
      offsets: { version: valueAt(text, 'version'), ulid: valueAt(text, 'ulid'), minTime: valueAt(text, 'minTime'), maxTime: valueAt(text, 'maxTime') },
    });
  });

  it('knows ULIDs as ulid.ParseStrict does (Prometheus isBlockDir): either case, no I L O U, first 0-7', () => {
    const B = '01M81V49BW04PDGEAVVMHW9HVW';
    expect(isULID(B)).toBe(true);
    expect(isULID(B.toLowerCase())).toBe(true);
    expect(isULID('7ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBe(true);
    for (const s of ['', B.slice(1), '81M81V49BW04PDGEAVVMHW9HVW', B.slice(0, 25) + 'I', B.slice(0, 25) + 'U', B.slice(0, 25) + 'l', B + 'X', 'wal', 'chunks_head']) {
      expect(isULID(s), s).toBe(false);
    }
  });
});

describe('parseMeta refuses garbage cleanly', () => {
  const corrupt = (text: string | Uint8Array) => {
    const e = expectTsdbError(() => parseMeta(text), { code: ErrorCode.Corrupt });
    expect(e.context.file).toBe('meta.json');
    return e;
  };

  it('refuses what is not JSON or not an object', () => {
    for (const t of ['', ' ', '{', '{"version":1,', '[]', '[1]', '1', '"meta"', 'true', '\ufeff{"version":1}', '{"version":1} x']) corrupt(t);
    corrupt(Uint8Array.of(0xff, 0xfe));
    corrupt(new Uint8Array(1));
  });

  it('refuses a version other than 1 or 2 as BadVersion (null or none is 0), and a version not an int as Corrupt', () => {
    for (const v of [0, 3, -1, null]) {
      const e = expectTsdbError(() => parseMeta(JSON.stringify({ version: v, minTime: 0, maxTime: 1 })), { code: ErrorCode.BadVersion });
      expect(e.context).toEqual({ file: 'meta.json', offset: 11 });
    }
    expectTsdbError(() => parseMeta('null'), { code: ErrorCode.BadVersion });
    expectTsdbError(() => parseMeta('{"minTime":0}'), { code: ErrorCode.BadVersion });
    for (const v of ['"1"', '[1]', '{}', '1.5', '1e0', '1.0', 'true']) corrupt(`{"version":${v}}`);
    expect(parseMeta('{"version":2}').version).toBe(2);
  });

  it('takes what Go takes: no ulid (the zero ULID), null times, a lowercase ulid, unknown fields of any kind', () => {
    expect(parseMeta('{"version":1,"minTime":null,"maxTime":1}')).toMatchObject({ ulid: '00000000000000000000000000', minTime: 0, maxTime: 1 });
    expect(parseMeta('{"version":1,"ulid":"01m81v49bw04pdgeavvmhw9hvw"}').ulid).toBe('01M81V49BW04PDGEAVVMHW9HVW');
    expect(parseMeta('{"version":1,"stats":{"numBytes":null,"x":1.5e999}}').stats.numSamples).toBe(0);
  });

  it('refuses fields of the wrong type or range as JsonFieldErrors naming the field', () => {
    const field = (t: string, name: string) => {
      const e = corrupt(t);
      expect(e).toBeInstanceOf(JsonFieldError);
      expect([(e as JsonFieldError).field, e.context.offset]).toEqual([name, valueAt(t, name.replace(/.*[.\]]/, ''))]);
    };
    field('{"version":1,"ulid":5}', 'ulid');
    field('{"version":1,"ulid":"x"}', 'ulid');
    field('{"version":1,"ulid":"81M81V49BW04PDGEAVVMHW9HVW"}', 'ulid');
    field('{"version":1,"minTime":"0"}', 'minTime');
    field('{"version":1,"maxTime":1761004797051.5}', 'maxTime');
    field('{"version":1,"maxTime":1.76e12}', 'maxTime');
    field('{"version":1,"stats":5}', 'stats');
    field('{"version":1,"stats":{"numSamples":24.0}}', 'stats.numSamples');
    field('{"version":1,"compaction":{"sources":"01M81V49BW04PDGEAVVMHW9HVW"}}', 'compaction.sources');
    field('{"version":1,"compaction":{"parents":[{"maxTime":-1.5}]}}', 'compaction.parents[0].maxTime');
  });

  it('refuses every truncation of a valid meta.json', () => {
    for (let n = 0; n < FULL.trimEnd().length; n++) corrupt(FULL.slice(0, n));
  });

  it('never fails other than with a clean TsdbError on any JSON or text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), fc.constant(FULL).chain((f) => fc.nat(f.length).map((i) => f.slice(0, i) + f.slice(i + 1)))), (text) => {
        const r = outcome(() => parseMeta(text));
        expect(r.kind === 'unclean' ? r.reason : 'clean').toBe('clean');
      }),
    );
  });

  it('never fails other than with a clean TsdbError on meta.json with fields of any type (property)', () => {
    const anything = fc.jsonValue();
    fc.assert(
      fc.property(
        fc.record({ version: fc.constant(1), ulid: fc.string(), minTime: fc.integer(), maxTime: fc.integer(), stats: anything, compaction: anything }, { requiredKeys: ['version', 'ulid', 'minTime', 'maxTime'] }),
        (m) => {
          const r = outcome(() => parseMeta(JSON.stringify(m)));
          expect(r.kind === 'unclean' ? r.reason : 'clean').toBe('clean');
        },
      ),
    );
  });
});

describe('parseMeta property', () => {
  it('reads back any meta.json written with Prometheus\'s field names', () => {
    const ulid = fc.stringMatching(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    const meta = fc.record({
      ulid,
      minTime: fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
      maxTime: fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
      stats: fc.record({ numSamples: fc.maxSafeNat(), numSeries: fc.maxSafeNat(), numChunks: fc.maxSafeNat(), numTombstones: fc.maxSafeNat() }),
      compaction: fc.record({
        level: fc.nat(10),
        sources: fc.array(ulid, { maxLength: 3 }),
        parents: fc.array(fc.record({ ulid, minTime: fc.integer(), maxTime: fc.integer() }), { maxLength: 3 }),
        deletable: fc.boolean(),
        failed: fc.boolean(),
        hints: fc.array(fc.string(), { maxLength: 2 }),
      }),
    });
    fc.assert(
      fc.property(meta, (m) => {
        const { offsets, ...got } = parseMeta(JSON.stringify({ ...m, version: 1 }));
        expect(got).toEqual({ ...m, stats: { numFloatSamples: 0, numHistogramSamples: 0, ...m.stats }, version: 1, extra: {} });
        expect(offsets.version).toBeGreaterThan(0);
        expect(isULID(got.ulid)).toBe(true);
      }),
    );
  });
});

describe('meta.json of the real fixtures (golden corpus)', () => {
  let fx: Fixtures;
  beforeAll(async () => {
    fx = await loadFixtures();
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('parses every block\'s meta.json into what the JSON holds', () => {
    expect(fx.blocks.length).toBe(13);
    for (const block of fx.blocks) {
      const raw = rawMeta(block);
      const m = parseMeta(readBlockFile(block, 'meta.json'));
      expect(m.version).toBe(1);
      expect(isULID(m.ulid), m.ulid).toBe(true);
      if (block.fixture !== 'index-format-v1') expect(m.ulid).toBe(block.name);
      expect(m.minTime).toBe(raw.minTime);
      expect(m.maxTime).toBe(raw.maxTime);
      expect(m.minTime).toBeLessThan(m.maxTime);
      expect(m.stats).toMatchObject({ numSamples: raw.stats.numSamples, numSeries: raw.stats.numSeries, numChunks: raw.stats.numChunks });
      expect(m.compaction.level).toBe(raw.compaction.level);
      expect(m.compaction.sources).toEqual(raw.compaction.sources);
      expect(m.compaction.parents).toEqual(raw.compaction.parents ?? []);
      expect(m.extra).toEqual({});
    }
  });

  it('matches fixtures/README.md for snapshot-full', () => {
    const levels = Object.fromEntries(
      fx.blocks.filter((b) => b.fixture === 'snapshot-full').map((b) => {
        const m = parseMeta(readBlockFile(b, 'meta.json'));
        return [m.ulid, [m.compaction.level, m.stats.numSamples, m.stats.numChunks, m.stats.numSeries]];
      }),
    );
    expect(levels).toEqual({
      '01M81V49BW04PDGEAVVMHW9HVW': [3, 16044, 168, 42],
      '01M81V4972GQCM9WTNQ9F9SJEZ': [2, 15120, 126, 42],
      '01M81V49973SAKH6H329SWWYDN': [2, 15120, 126, 42],
      '01M81V435F3FDT7KYM95FWRKSW': [1, 5040, 42, 42],
      '01M81V437311AY8K10ZBCVFY88': [1, 5040, 42, 42],
      '01M81V4397ER1SCEFRK7VM70W2': [1, 4158, 42, 42],
      '01M81V70BWRRN49VQ1VV6H21P4': [1, 2692, 32, 31],
    });
  });
});
