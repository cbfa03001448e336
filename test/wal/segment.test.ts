import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/encoding/crc32c.js';
import { ErrorCode, TsdbError } from '../../src/encoding/errors.js';
import { decompressRecord } from '../../src/wal/decompress.js';
import {
  FRAGMENT_HEADER_SIZE,
  MAX_FRAGMENT_LEN,
  PAGE_SIZE,
  readWalRecords,
  segmentIndex,
  WalReader,
  walSegmentName,
  type WalSegment,
} from '../../src/wal/segment.js';
import { expectTsdbError, FAST_MS, outcome } from '../helpers/errors.js';
import { PAGE, WalWriter, writeWal } from '../helpers/walWriter.js';

/** Deterministic filler bytes (not compressible by much, not all zero). */
function filler(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = (x >>> 16) & 0xff;
  }
  return b;
}

/** A hand-made fragment: type byte, BE16 length, BE32 CRC32C, data. */
function fragment(type: number, data: Uint8Array, crc = crc32c(data)): number[] {
  return [type, data.length >> 8, data.length & 0xff, crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff, ...data];
}

function seg(bytes: ArrayLike<number>, name = 'wal/00000000'): WalSegment {
  return { name, bytes: Uint8Array.from(bytes) };
}

function datas(segs: WalSegment[]): number[][] {
  return readWalRecords(segs).records.map((r) => Array.from(decompressRecord(r)));
}

describe('WAL fragments on hand-built bytes', () => {
  it('uses the format constants of wal.md', () => {
    expect(PAGE_SIZE).toBe(32768);
    expect(FRAGMENT_HEADER_SIZE).toBe(7);
    expect(MAX_FRAGMENT_LEN).toBe(32761);
    expect(walSegmentName(12)).toBe('00000012');
    expect(segmentIndex('00000012')).toBe(12);
    expect(segmentIndex('checkpoint.00000001')).toBeUndefined();
    expect(segmentIndex('00000001.tmp')).toBeUndefined();
  });

  it('reads full, first/middle/last fragments and zero-length records', () => {
    const bytes = [
      ...fragment(1, Uint8Array.of(1, 2, 3)), //   0: full
      ...fragment(2, Uint8Array.of(4)), //         10: first
      ...fragment(3, Uint8Array.of(5, 6)), //      18: middle
      ...fragment(4, Uint8Array.of(7)), //         27: last
      ...fragment(1, new Uint8Array(0)), //        35: full, empty
    ];
    const { records, tornTail } = readWalRecords([seg(bytes)]);
    expect(tornTail).toBeUndefined();
    expect(records.map((r) => [r.offset, r.compression, Array.from(r.data)])).toEqual([
      [0, 'none', [1, 2, 3]],
      [10, 'none', [4, 5, 6, 7]],
      [35, 'none', []],
    ]);
    expect(records[0]!.segment).toBe('wal/00000000');
    // A single-fragment record is a view into the segment.
    expect(records[0]!.data.byteOffset).toBe(7);
  });

  it('skips page padding, in the middle of a record too', () => {
    const page = new Uint8Array(PAGE_SIZE);
    const f1 = fragment(2, filler(PAGE_SIZE - 7 - 3)); // leaves 3 bytes: padding
    page.set(f1, 0);
    const bytes = [...page, ...fragment(4, Uint8Array.of(9))];
    const recs = datas([seg(bytes)]);
    expect(recs).toHaveLength(1);
    expect(recs[0]!.length).toBe(PAGE_SIZE - 10 + 1);
    // A segment ending inside a page is as if zero padded.
    expect(datas([seg([...fragment(1, Uint8Array.of(1)), 0, 0, 0])])).toEqual([[1]]);
  });

  it('reports the compression flags', () => {
    const bytes = [...fragment(1 | 0x08, Uint8Array.of(1)), ...fragment(1 | 0x10, Uint8Array.of(2)), ...fragment(1 | 0x18, Uint8Array.of(3))];
    expect(readWalRecords([seg(bytes)]).records.map((r) => r.compression)).toEqual(['snappy', 'zstd', 'snappy']);
  });

  it('throws on corruption, naming the segment and offset', () => {
    const ok = fragment(1, Uint8Array.of(1, 2, 3));
    const cases: [string, number[], string, number][] = [
      ['crc', [...ok, ...fragment(1, Uint8Array.of(4), 0x12345678)], ErrorCode.BadChecksum, 10],
      ['padding', [...ok, 0, 0, 5], ErrorCode.Corrupt, 12],
      ['middle first', [...ok, ...fragment(3, Uint8Array.of(4))], ErrorCode.Corrupt, 10],
      ['last first', [...fragment(4, Uint8Array.of(4))], ErrorCode.Corrupt, 0],
      ['full in record', [...fragment(2, Uint8Array.of(4)), ...fragment(1, Uint8Array.of(5))], ErrorCode.Corrupt, 8],
      ['first in record', [...fragment(2, Uint8Array.of(4)), ...fragment(2, Uint8Array.of(5))], ErrorCode.Corrupt, 8],
      ['type 5', [...ok, ...fragment(5, Uint8Array.of(4))], ErrorCode.Corrupt, 10],
      ['flag bits', [...ok, ...fragment(1 | 0x20, Uint8Array.of(4))], ErrorCode.Unsupported, 10],
      ['mixed flags', [...fragment(2 | 0x08, Uint8Array.of(4)), ...fragment(4, Uint8Array.of(5))], ErrorCode.Corrupt, 8],
      ['length', [...ok, 1, 0x7f, 0xfa, 0, 0, 0, 0, ...new Uint8Array(40000)], ErrorCode.Corrupt, 10],
    ];
    for (const [what, bytes, code, offset] of cases) {
      const e = expectTsdbError(() => readWalRecords([seg(bytes), seg(ok, 'wal/00000001')]), { code });
      expect(e.context, what).toMatchObject({ file: 'wal/00000000', offset });
      expect(e.message, what).toContain('wal/00000000');
    }
  });

  it('tells a torn tail of the last segment from a cut-off earlier segment', () => {
    const full = [...fragment(1, Uint8Array.of(1, 2, 3)), ...fragment(2, Uint8Array.of(4, 5)), ...fragment(4, Uint8Array.of(6))];
    // Cut inside the second record, at each byte.
    for (let cut = 11; cut < full.length; cut++) {
      const r = readWalRecords([seg(full.slice(0, cut))]);
      expect(r.records.map((x) => Array.from(x.data)), `cut ${cut}`).toEqual([[1, 2, 3]]);
      expect(r.tornTail, `cut ${cut}`).toMatchObject({ segment: 'wal/00000000', offset: 10 });
      expect(r.tornTail!.message).toMatch(/last record is torn/);
      // The same bytes followed by another segment: corruption.
      if (cut !== 19) {
        expectTsdbError(() => readWalRecords([seg(full.slice(0, cut)), seg(fragment(1, Uint8Array.of(9)), 'wal/00000001')]), {
          code: [ErrorCode.ShortBuffer, ErrorCode.Corrupt],
        });
      }
    }
    // Cut at a record boundary: nothing torn.
    expect(readWalRecords([seg(full.slice(0, 10))]).tornTail).toBeUndefined();
    expect(readWalRecords([seg(full)]).tornTail).toBeUndefined();
  });

  it('lets a record continue into the next segment', () => {
    const a = seg(fragment(2, Uint8Array.of(1, 2)), 'wal/00000000');
    const b = seg(fragment(4, Uint8Array.of(3)), 'wal/00000001');
    const { records } = readWalRecords([a, b]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ segment: 'wal/00000000', offset: 0 });
    expect(Array.from(records[0]!.data)).toEqual([1, 2, 3]);
    // Unfinished at the end of the last segment: torn, pointing at its start.
    const r = readWalRecords([a, seg(fragment(3, Uint8Array.of(3)), 'wal/00000001')]);
    expect(r.records).toHaveLength(0);
    expect(r.tornTail).toMatchObject({ segment: 'wal/00000000', offset: 0 });
  });

  it('stops for good after the end', () => {
    const r = new WalReader([seg(fragment(1, Uint8Array.of(1)))]);
    expect(r.next()).toBeDefined();
    expect(r.next()).toBeUndefined();
    expect(r.next()).toBeUndefined();
    expect(new WalReader([]).next()).toBeUndefined();
  });
});

describe('WAL written like Prometheus writes it', () => {
  it('splits large records over pages and cuts segments before records that do not fit', () => {
    const recs = [filler(100, 1), filler(40000, 2), filler(PAGE - 7 - 107 - 7 - 3, 3), filler(5, 4), filler(70000, 5), filler(0, 6)];
    const { segments, written } = writeWal(recs, { segmentSize: 2 * PAGE });
    // Record 3 does not fit the rest of segment 0; the 70000-byte record fits no
    // segment, so it gets one of its own that grows past the segment size, and
    // the empty record after it starts segment 3.
    expect(segments.map((s) => s.name)).toEqual(['wal/00000000', 'wal/00000001', 'wal/00000002', 'wal/00000003']);
    expect(written.map((w) => w.segment)).toEqual(['wal/00000000', 'wal/00000000', 'wal/00000001', 'wal/00000001', 'wal/00000002', 'wal/00000003']);
    const r = readWalRecords(segments);
    expect(r.tornTail).toBeUndefined();
    expect(r.records.map((x) => Array.from(x.data))).toEqual(recs.map((x) => Array.from(x)));
    expect(r.records.map((x) => [x.segment, x.offset])).toEqual(written.map((w) => [w.segment, w.offset]));
  });

  it('reads snappy-compressed records back', () => {
    const text = new TextEncoder().encode('series{job="a"} '.repeat(3000));
    const { segments, written } = writeWal([text, filler(10)], { snappy: true });
    expect(written.map((w) => w.compressed)).toEqual([true, false]);
    const r = readWalRecords(segments);
    expect(r.records.map((x) => x.compression)).toEqual(['snappy', 'none']);
    expect(Array.from(decompressRecord(r.records[0]!))).toEqual(Array.from(text));
  });

  it('round-trips random records with random sizes, page and segment boundaries (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 3 * PAGE })), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        (sizes, pages, compress, span, seed) => {
          const recs = sizes.map((n, i) => (i % 3 === 0 ? new Uint8Array(n).fill(i) : filler(n, seed + i)));
          const { segments } = writeWal(recs, { segmentSize: pages * PAGE, snappy: compress, spanSegments: span });
          const r = readWalRecords(segments);
          expect(r.tornTail).toBeUndefined();
          expect(r.records.map((x) => Buffer.from(decompressRecord(x)).toString('hex'))).toEqual(recs.map((x) => Buffer.from(x).toString('hex')));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a live tail cut anywhere is a torn tail or a clean end, never an error (property)', () => {
    const recs = [filler(50, 1), filler(PAGE + 100, 2), filler(7, 3), filler(2 * PAGE, 4)];
    const w = new WalWriter({ segmentSize: 8 * PAGE });
    for (const r of recs) w.log(r);
    const bytes = w.segments()[0]!.bytes;
    const starts = w.written.map((x) => x.offset);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length }), (cut) => {
        const r = readWalRecords([{ name: 'wal/00000007', bytes: bytes.subarray(0, cut) }]);
        const begun = starts.filter((o) => o < cut).length;
        for (let i = 0; i < r.records.length; i++) expect(r.records[i]!.data.length).toBe(recs[i]!.length);
        if (r.tornTail) {
          expect(r.tornTail.segment).toBe('wal/00000007');
          expect(r.tornTail.offset).toBe(starts[begun - 1]);
          expect(r.records.length).toBe(begun - 1);
        } else {
          expect(r.records.length).toBe(begun);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('WAL reader on garbage', () => {
  it('fails cleanly and quickly on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        const segs = [
          { name: 'wal/00000000', bytes: a },
          { name: 'wal/00000001', bytes: b },
        ];
        const t0 = performance.now();
        const r = outcome(() => readWalRecords(segs));
        expect(performance.now() - t0).toBeLessThan(FAST_MS);
        if (r.kind === 'unclean') throw new Error(r.reason, { cause: r.thrown });
        if (r.kind === 'error') expect(['wal/00000000', 'wal/00000001']).toContain(r.error.context.file);
      }),
      { numRuns: 300 },
    );
  });

  it('every single-bit flip of a real-looking WAL fails cleanly or reads', () => {
    const { segments } = writeWal([filler(30, 1), filler(PAGE, 2), filler(3, 3)], { snappy: true, segmentSize: 2 * PAGE });
    for (let s = 0; s < segments.length; s++) {
      const orig = segments[s]!.bytes;
      for (let i = 0; i < Math.min(orig.length, 300); i++) {
        const flipped = segments.map((x, k) => (k === s ? { ...x, bytes: orig.slice() } : x));
        flipped[s]!.bytes[i] ^= 1 << (i % 8);
        const r = outcome(() => readWalRecords(flipped).records.map((x) => decompressRecord(x)));
        if (r.kind === 'unclean') throw new Error(`flip at ${s}:${i}: ${r.reason}`, { cause: r.thrown });
      }
    }
  });

  it('never throws anything but TsdbError', () => {
    const e = outcome(() => readWalRecords([{ name: 'w', bytes: Uint8Array.of(1, 0xff, 0xff) }]));
    expect(e.kind).toBe('ok'); // a cut-off header at the very end: torn
    expect(new TsdbError(ErrorCode.Corrupt, 'x')).toBeInstanceOf(Error);
  });
});
