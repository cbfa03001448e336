import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FindingSink } from '../../src/verify/findings.js';
import { SegmentScanner } from '../../src/verify/segment-scan.js';
import { type Fixtures, loadFixtures, segmentFiles } from '../helpers/fixtures.js';

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

describe('SegmentScanner: the same answers however the segment is cut into pieces', () => {
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
