import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32c } from '../../src/encoding/crc32c.js';
import { ErrorCode } from '../../src/encoding/errors.js';
import { IndexReader } from '../../src/index/reader.js';
import { parseMeta } from '../../src/meta/meta.js';
import { addInterval, isDeleted, readTombstones, type Interval } from '../../src/tombstones/tombstones.js';
import { ByteWriter, flipBit, hex } from '../helpers/bytes.js';
import { expectTsdbError, FAST_MS, outcome } from '../helpers/errors.js';
import { loadFixtures, readBlockFile, type Fixtures } from '../helpers/fixtures.js';
import { writeTombstones } from '../helpers/tombstonesWriter.js';

describe('readTombstones on hand-built bytes', () => {
  it('reads a file Prometheus wrote (from fixtures/snapshot-full.tgz)', () => {
    const buf = hex(`
      0130ba30          # magic
      01                # version 1
      60                # series ref 96 <uvarint>
      80acb89dc068      # mint 1795327200000 <varint>
      c0f69fa4c068      # maxt 1795334340000 <varint>
      100843d1          # CRC32C over the tombstones
    `);
    const t = readTombstones(buf);
    expect(t.entries).toEqual([{ ref: 96, minTime: 1795327200000, maxTime: 1795334340000, offset: 5 }]);
    expect(t.bySeries).toEqual(new Map([[96, [{ minTime: 1795327200000, maxTime: 1795334340000 }]]]));
  });

  it('reads an empty file: header and the CRC of nothing', () => {
    const t = readTombstones(hex('0130ba30 01 00000000'));
    expect(t.entries).toEqual([]);
    expect(t.bySeries.size).toBe(0);
  });

  it('merges the intervals of one series and keeps file order in entries', () => {
    const t = readTombstones(
      writeTombstones([
        { ref: 7, minTime: 10, maxTime: 20 },
        { ref: 3, minTime: -5, maxTime: 0 },
        { ref: 7, minTime: 21, maxTime: 30 },
        { ref: 7, minTime: 0, maxTime: 1 },
      ]),
    );
    expect(t.entries.map((e) => [e.ref, e.offset])).toEqual([[7, 5], [3, 8], [7, 11], [7, 14]]);
    expect(t.bySeries.get(7)).toEqual([{ minTime: 0, maxTime: 1 }, { minTime: 10, maxTime: 30 }]);
    expect(t.bySeries.get(3)).toEqual([{ minTime: -5, maxTime: 0 }]);
  });
});

describe('addInterval and isDeleted', () => {
  const iv = (minTime: number, maxTime: number): Interval => ({ minTime, maxTime });
  const addAll = (xs: Interval[]) => xs.reduce((l, x) => addInterval(l, x), [] as Interval[]);

  it('merges overlapping and touching intervals (t is discrete), and keeps gaps', () => {
    expect(addAll([iv(1, 2), iv(3, 4)])).toEqual([iv(1, 4)]);
    expect(addAll([iv(1, 2), iv(4, 5)])).toEqual([iv(1, 2), iv(4, 5)]);
    expect(addAll([iv(10, 20), iv(1, 2), iv(30, 40), iv(25, 26)])).toEqual([iv(1, 2), iv(10, 20), iv(25, 26), iv(30, 40)]);
    expect(addAll([iv(1, 2), iv(5, 6), iv(9, 10), iv(3, 8)])).toEqual([iv(1, 10)]);
    expect(addAll([iv(5, 6), iv(5, 6)])).toEqual([iv(5, 6)]);
    expect(addAll([iv(0, 100), iv(10, 20)])).toEqual([iv(0, 100)]);
  });

  it('does not change the list it is given', () => {
    const list = [iv(1, 2), iv(10, 11)];
    addInterval(list, iv(3, 9));
    expect(list).toEqual([iv(1, 2), iv(10, 11)]);
  });

  it('isDeleted answers for closed intervals', () => {
    const l = [iv(1, 2), iv(10, 20)];
    expect([0, 1, 2, 3, 9, 10, 20, 21].map((t) => isDeleted(l, t))).toEqual([false, true, true, false, false, true, true, false]);
    expect(isDeleted(undefined, 1)).toBe(false);
  });

  it('deletes exactly the timestamps the intervals cover, in a canonical list (property)', () => {
    const interval = fc.tuple(fc.integer({ min: -20, max: 60 }), fc.nat(15)).map(([a, d]) => iv(a, a + d));
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), (xs) => {
        const list = addAll(xs);
        const naive = new Set(xs.flatMap((x) => Array.from({ length: x.maxTime - x.minTime + 1 }, (_, i) => x.minTime + i)));
        const merged = new Set(list.flatMap((x) => Array.from({ length: x.maxTime - x.minTime + 1 }, (_, i) => x.minTime + i)));
        expect(merged).toEqual(naive);
        for (let i = 1; i < list.length; i++) expect(list[i].minTime).toBeGreaterThan(list[i - 1].maxTime + 1);
        for (let t = -25; t <= 80; t++) expect(isDeleted(list, t)).toBe(naive.has(t));
      }),
    );
  });

  // Entries of series 1: [3, 3], [9, 9], and [10, 2], inverted.
  const inverted = () =>
    readTombstones(
      writeTombstones([
        { ref: 1, minTime: 3, maxTime: 3 },
        { ref: 1, minTime: 9, maxTime: 9 },
        { ref: 1, minTime: 10, maxTime: 2 },
      ]),
    );

  it('reads an inverted interval as written', () => {
    expect(inverted().entries.map((e) => [e.minTime, e.maxTime])).toEqual([[3, 3], [9, 9], [10, 2]]);
    expect(isDeleted(inverted().bySeries.get(1), 3)).toBe(true);
  });

  // KNOWN BUG (reported): an inverted interval (mint > maxt, which a
  // tombstones file can hold) goes into the list out of order, and
  // isDeleted's early exit stops at it: t = 9 below is deleted by [9, 9]
  // but reads as kept. Go's DeletedIterator checks every interval and still
  // deletes it. Remove `.fails` once fixed.
  it('still deletes what other intervals cover when one interval is inverted', () => {
    expect(isDeleted(inverted().bySeries.get(1), 9)).toBe(true);
  });

  // Go's "from the beginning of time to the end": math.MinInt64 .. math.MaxInt64.
  const everything = () => readTombstones(writeTombstones([{ ref: 1, minTime: -(2n ** 63n), maxTime: 2n ** 63n - 1n }]));

  it('reads a tombstone from math.MinInt64 to math.MaxInt64', () => {
    expect(everything().entries).toHaveLength(1);
    expect(everything().entries[0].maxTime).toBe(2 ** 63);
  });

  // KNOWN BUG (reported, see test/encoding/varint.test.ts): varints below
  // -2^52 come back positive, so math.MinInt64 turns into +2^63 and the
  // interval deletes nothing. Remove `.fails` once fixed.
  it('reads a tombstone from math.MinInt64 to math.MaxInt64 as covering everything', () => {
    expect(everything().entries[0].minTime).toBeLessThan(0);
    expect(isDeleted(everything().bySeries.get(1), 1795327200000)).toBe(true);
  });
});

describe('readTombstones refuses garbage cleanly', () => {
  const good = writeTombstones([
    { ref: 1, minTime: 1000, maxTime: 2000 },
    { ref: 300, minTime: -70000, maxTime: 70000 },
  ]);

  it('refuses empty, 1-byte and too-short files, a wrong magic and unknown versions', () => {
    for (const n of [0, 1, 8]) expectTsdbError(() => readTombstones(good.subarray(0, n)), { code: ErrorCode.ShortBuffer });
    expect(expectTsdbError(() => readTombstones(hex('0130ba31 01 00000000')), { code: ErrorCode.BadMagic }).context.offset).toBe(0);
    for (const v of [0, 2, 255]) {
      expect(expectTsdbError(() => readTombstones(writeTombstones([], { version: v })), { code: ErrorCode.BadVersion }).context.offset).toBe(4);
    }
  });

  it('refuses every truncation', () => {
    for (let n = 0; n < good.length; n++) expectTsdbError(() => readTombstones(good.subarray(0, n)), { inputLength: n });
  });

  it('refuses every single-bit flip; flips in the tombstones and CRC as BadChecksum', () => {
    for (let i = 0; i < good.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const e = expectTsdbError(() => readTombstones(flipBit(good, i, bit)), { inputLength: good.length });
        if (i >= 5) expect(e.code).toBe(ErrorCode.BadChecksum);
      }
    }
  });

  it('refuses entries cut short and 11-byte varints under a valid CRC, at once', () => {
    // ref 1, mint 5, and no maxt, under a valid CRC.
    const e = expectTsdbError(() => readTombstones(withBody(hex('01 0a'))), { code: ErrorCode.ShortBuffer });
    expect(e.context.offset).toBe(5);
    expectTsdbError(() => readTombstones(withBody(new Uint8Array(11).fill(0xff))), { code: ErrorCode.BadVarint, maxMs: FAST_MS });
    expectTsdbError(() => readTombstones(withBody(hex('01 ffffffffffffffffff7f 02'))), { code: ErrorCode.BadVarint, maxMs: FAST_MS });
  });

  it('never fails other than with a clean TsdbError on random tombstones under a valid CRC', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (body) => {
        const b = withBody(body);
        const r = outcome(() => readTombstones(b), b.length);
        expect(r.kind === 'unclean' ? r.reason : 'clean').toBe('clean');
      }),
    );
  });
});

/** A tombstones file with the given raw body and a valid CRC. */
function withBody(body: Uint8Array): Uint8Array {
  return new ByteWriter().be32(0x0130ba30).byte(1).raw(body).be32(crc32c(body)).bytes();
}

describe('tombstones round trip (property)', () => {
  const entry = fc.record({
    ref: fc.nat(2 ** 40),
    minTime: fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
    maxTime: fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
  });

  it('reads back any entries in file order, with their offsets', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
        const buf = writeTombstones(entries);
        const t = readTombstones(buf);
        expect(t.entries.map(({ ref, minTime, maxTime }) => ({ ref, minTime, maxTime }))).toEqual(entries);
        expect(t.entries.every((e, i) => i === 0 ? e.offset === 5 : e.offset > t.entries[i - 1].offset)).toBe(true);
        expect([...t.bySeries.keys()].sort()).toEqual([...new Set(entries.map((e) => e.ref))].sort());
      }),
    );
  });
});

describe('tombstones of the real fixtures (golden corpus)', () => {
  let fx: Fixtures;
  beforeAll(async () => {
    fx = await loadFixtures();
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('parse, count as meta.json says, lie in the block, and refer to series of the block\'s index', () => {
    let nonEmpty = 0;
    for (const block of fx.blocks) {
      const t = readTombstones(readBlockFile(block, 'tombstones'));
      const meta = parseMeta(readBlockFile(block, 'meta.json'));
      const total = [...t.bySeries.values()].reduce((n, l) => n + l.length, 0);
      expect(total, block.name).toBe(meta.stats.numTombstones);
      const ir = new IndexReader(readBlockFile(block, 'index'));
      const refs = new Set(ir.allPostings());
      for (const e of t.entries) {
        expect(refs.has(e.ref), `${block.name}: tombstone ref ${e.ref}`).toBe(true);
        expect(e.minTime).toBeLessThanOrEqual(e.maxTime);
        expect(e.minTime).toBeGreaterThanOrEqual(meta.minTime);
        expect(e.maxTime).toBeLessThan(meta.maxTime);
      }
      if (t.entries.length) nonEmpty++;
    }
    expect(nonEmpty).toBe(6); // every backfilled block of snapshot-full
  });

  it('mark the deleted series of snapshot-full: room_temperature_celsius{room="lab"} over its whole range', () => {
    let checked = 0;
    for (const block of fx.blocks.filter((b) => b.fixture === 'snapshot-full')) {
      const ir = new IndexReader(readBlockFile(block, 'index'));
      const lab = ir.postings('room', 'lab');
      if (lab.length === 0) continue;
      const t = readTombstones(readBlockFile(block, 'tombstones'));
      const series = ir.series(lab[0]);
      const iv = t.bySeries.get(lab[0]);
      if (series.chunks.length === 0) continue;
      for (const c of series.chunks) {
        expect(isDeleted(iv, c.minTime), block.name).toBe(true);
        expect(isDeleted(iv, c.maxTime), block.name).toBe(true);
      }
      checked++;
    }
    expect(checked).toBe(6);
  });
});
