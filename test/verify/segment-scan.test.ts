// The segment scanner sees a file in whatever pieces the archive hands it: a
// record cut at a piece boundary is finished from the head of the next piece.
// Any split must give the table and findings of the whole file at once,
// damaged files included.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/encoding/errors.js';
import { FindingSink } from '../../src/verify/check/findings.js';
import { crc32c } from '../../src/encoding/crc32c.js';
import { scanSegmentFile } from '../../src/verify/dir/segment-job.js';
import { ChunkTable, SegmentScanner } from '../../src/verify/check/segment-scan.js';
import { fixturePath } from '../helpers/prometheus.js';
import { loadMembers } from '../fuzz/tarball.js';
import { type Fixtures, loadFixtures, segmentFiles } from '../helpers/fixtures.js';

let segment: Buffer;

beforeAll(() => {
  const m = loadMembers(fixturePath('snapshot-full.tgz')).filter((x) => x.name.endsWith('/chunks/000001'));
  segment = Buffer.from(m.sort((a, b) => b.data!.length - a.data!.length)[0]!.data!);
});

function scan(pieces: Buffer[]) {
  const findings: Finding[] = [];
  const s = new SegmentScanner('chunks/000001', new FindingSink({}, findings));
  for (const p of pieces) s.push(p);
  const t = s.end();
  const cols = [t.offset, t.minT, t.maxT, t.samples, t.size, t.bad].map((a) => Array.from(a.subarray(0, t.n)));
  return { bytes: t.bytes, cols, findings };
}

/** `b` cut at the given offsets. */
function cut(b: Buffer, at: number[]): Buffer[] {
  const cuts = [...new Set(at.map((x) => x % (b.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...cuts, b.length]) {
    out.push(b.subarray(from, c));
    from = c;
  }
  return out;
}

const variants: [string, (b: Buffer) => Buffer][] = [
  ['healthy', (b) => b],
  ['a flipped bit in a record', (b) => (b[Math.floor(b.length / 2)]! ^= 0x08, b)],
  ['cut inside a record', (b) => b.subarray(0, b.length - 5)],
  ['cut inside the header', (b) => b.subarray(0, 5)],
  ['zero padding to the end', (b) => Buffer.concat([b, Buffer.alloc(3000)])],
  ['a length varint of 11 bytes', (b) => Buffer.concat([b, Buffer.alloc(11, 0x80), Buffer.of(1)])],
  ['a length past any chunk', (b) => Buffer.concat([b, Buffer.of(0xff, 0xff, 0xff, 0x7f, 1)])],
];

describe('SegmentScanner over pieces', () => {
  it.each(variants)('%s: every split gives what the whole file gives', async (_what, make) => {
    const b = make(Buffer.from(segment));
    const whole = scan([b]);
    expect(whole.findings.length > 0).toBe(!/healthy|to the end/.test(_what));
    if (!/header/.test(_what)) expect(whole.cols[0]!.length).toBeGreaterThan(10);
    for (const size of [1, 2, 3, 7, 64, 511, 4096]) {
      const pieces = Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size));
      expect(scan(pieces), `pieces of ${size}`).toEqual(whole);
    }
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (at) => {
        expect(scan(cut(b, at))).toEqual(whole);
      }),
      { seed: 3, numRuns: 60 },
    );
  });
});

/** Scan `bytes` arriving in pieces that end at `cuts`; the table's columns and the findings. */
function scanInPieces(bytes: Buffer, cuts: number[]) {
  const sink = new FindingSink({ snapshot: 's', block: 'b' });
  const s = new SegmentScanner('chunks/000001', sink);
  let from = 0;
  for (const c of [...cuts.map((x) => x % (bytes.length + 1))].sort((a, b) => a - b)) {
    // A copy, so no piece can see bytes beyond its own end.
    s.push(Buffer.from(bytes.subarray(from, c)));
    from = Math.max(from, c);
  }
  s.push(Buffer.from(bytes.subarray(from)));
  const t = s.end();
  const col = <T extends ArrayLike<number>>(a: T) => Array.from(a).slice(0, t.n);
  return {
    n: t.n,
    bytes: t.bytes,
    offset: col(t.offset),
    minT: col(t.minT),
    maxT: col(t.maxT),
    samples: col(t.samples),
    size: col(t.size),
    bad: col(t.bad),
    findings: sink.list.map((f) => `${f.code} ${f.message}`),
  };
}

describe('SegmentScanner over copied pieces of every fixture segment', () => {
  let fx: Fixtures;
  let segments: Buffer[];
  beforeAll(async () => {
    fx = await loadFixtures();
    segments = fx.blocks.flatMap((b) => segmentFiles(b).map((f) => fs.readFileSync(path.join(b.dir, f))));
  });
  afterAll(() => fx.cleanup());

  it('reads every chunk of the fixtures cleanly, whole', () => {
    for (const seg of segments) {
      const r = scanInPieces(seg, []);
      expect(r.findings).toEqual([]);
      expect(r.n).toBeGreaterThan(0);
      expect(r.samples.every((x) => x > 0)).toBe(true);
    }
  });

  it('on real segments, intact or damaged, with pieces of any size', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(7)), { maxLength: 3 }),
        fc.option(fc.nat()),
        (pick, cuts, flips, cutAt) => {
          const seg = segments[pick % segments.length]!;
          let b = Buffer.from(seg);
          for (const [at, bit] of flips) b[at % b.length]! ^= 1 << bit;
          if (cutAt !== null) b = b.subarray(0, cutAt % (b.length + 1));
          expect(scanInPieces(b, cuts)).toEqual(scanInPieces(b, []));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with one-byte pieces and zero padding after the last record', () => {
    const seg = Buffer.concat([segments[0]!, Buffer.alloc(100)]);
    const whole = scanInPieces(seg, []);
    expect(whole.findings).toEqual([]);
    const cuts = Array.from({ length: Math.min(seg.length, 3000) }, (_, i) => i);
    expect(scanInPieces(seg, cuts)).toEqual(whole);
    const bad = Buffer.concat([seg, Buffer.from([0, 0, 7])]);
    expect(scanInPieces(bad, [seg.length - 50, seg.length + 1])).toEqual(scanInPieces(bad, []));
    expect(scanInPieces(bad, []).findings.some((f) => f.startsWith('chunk-segment-padding'))).toBe(true);
  });
});

describe('scanSegmentFile: 1 MiB reads into buffers reused once the scanner lets go of them', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-inspect-segreuse-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A chunk record: length varint, encoding, data, CRC32C (big-endian) of encoding and data. */
  function record(enc: number, data: Buffer): Buffer {
    const body = Buffer.concat([Buffer.of(enc), data]);
    const len: number[] = [];
    for (let n = data.length; ; n = Math.floor(n / 128)) {
      if (n < 128) {
        len.push(n);
        break;
      }
      len.push((n % 128) | 0x80);
    }
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32c(body));
    return Buffer.concat([Buffer.from(len), body, crc]);
  }

  /** The findings and table of a file scanned by scanSegmentFile, as `scan` gives them. */
  function scanFile(b: Buffer) {
    const file = path.join(dir, `seg-${b.length}`);
    fs.writeFileSync(file, b);
    const o = scanSegmentFile({ snapshot: 's', block: 'b', rel: 'chunks/000001', path: file });
    const findings: Finding[] = [];
    const sink = new FindingSink({}, findings);
    sink.replay(o.recorded);
    const t = ChunkTable.from(o.table);
    const cols = [t.offset, t.minT, t.maxT, t.samples, t.size, t.bad].map((a) => Array.from(a.subarray(0, t.n)));
    return { bytes: t.bytes, cols, findings: findings.map((f) => `${f.code} ${f.offset} ${f.message}`) };
  }
  const wholeOf = (b: Buffer) => {
    const w = scan([b]);
    return { bytes: w.bytes, cols: w.cols, findings: w.findings.map((f) => `${f.code} ${f.offset} ${f.message}`) };
  };

  it('gives what the whole file gives, over many pieces, with records across pieces and one longer than a piece', () => {
    const records = segment.subarray(8);
    const head = segment.subarray(0, 8);
    // ~3.5 MiB of real records, a 1.5 MiB record (not a valid XOR chunk: a finding), more records.
    const reps = Math.ceil((3.5 * 2 ** 20) / records.length);
    const big = record(1, Buffer.alloc(1.5 * 2 ** 20, 0x5a));
    const healthy = Buffer.concat([head, ...Array.from({ length: reps }, () => records)]);
    const withBig = Buffer.concat([healthy, big, ...Array.from({ length: reps }, () => records)]);
    for (const b of [healthy, withBig]) {
      const got = scanFile(b);
      expect(got).toEqual(wholeOf(b));
      expect(got.cols[0]!.length).toBeGreaterThan(1000);
    }
    expect(scanFile(healthy).findings).toEqual([]);
    expect(scanFile(withBig).findings.length).toBeGreaterThan(0);
  });

  it('gives what the whole file gives with bits flipped anywhere, at piece boundaries too', () => {
    const records = segment.subarray(8);
    const reps = Math.ceil((2.5 * 2 ** 20) / records.length);
    const base = Buffer.concat([segment.subarray(0, 8), ...Array.from({ length: reps }, () => records)]);
    const MiB = 2 ** 20;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.nat(base.length - 1), fc.integer({ min: MiB - 8, max: MiB + 8 }), fc.integer({ min: 2 * MiB - 8, max: 2 * MiB + 8 })), fc.nat(7)), { minLength: 1, maxLength: 3 }), (flips) => {
        const b = Buffer.from(base);
        for (const [at, bit] of flips) b[at]! ^= 1 << bit;
        expect(scanFile(b)).toEqual(wholeOf(b));
      }),
      { numRuns: 25 },
    );
  });
});

describe('ChunkTable.find', () => {
  it('finds the chunk at an offset (or -1) whatever the order of the questions, guessing the next one first', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(1e9), { maxLength: 60 }), fc.array(fc.oneof(fc.nat(70), fc.nat(1e9)), { maxLength: 80 }), (raw, asks) => {
        const offsets = raw.sort((a, b) => a - b);
        const t = new ChunkTable();
        for (const o of offsets) t.add(o, 0, 0, 1, 10, false);
        // Questions: offsets present (by position, in and out of order) and arbitrary ones.
        for (const a of asks) {
          const off = a < 70 && offsets.length > 0 ? offsets[a % offsets.length]! : a;
          expect(t.find(off)).toBe(offsets.indexOf(off));
        }
        for (let i = 0; i < offsets.length; i++) expect(t.find(offsets[i]!)).toBe(i);
      }),
      { numRuns: 300 },
    );
  });
});
