// The segment scanner sees a file in whatever pieces the archive hands it: a
// record cut at a piece boundary is finished from the head of the next piece.
// Any split must give the table and findings of the whole file at once,
// damaged files included.

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/encoding/errors.js';
import { FindingSink } from '../../src/verify/findings.js';
import { SegmentScanner, type ChunkTable } from '../../src/verify/segment-scan.js';
import { fixturePath } from '../helpers/prometheus.js';
import { loadMembers } from '../fuzz/tarball.js';

let segment: Buffer;

beforeAll(() => {
  const m = loadMembers(fixturePath('snapshot-full.tgz')).filter((x) => x.name.endsWith('/chunks/000001'));
  segment = Buffer.from(m.sort((a, b) => b.data!.length - a.data!.length)[0]!.data!);
});

function scan(pieces: Buffer[]) {
  const findings: Finding[] = [];
  const s = new SegmentScanner('chunks/000001', new FindingSink({}, findings));
  for (const p of pieces) s.push(p);
  const t: ChunkTable = s.end();
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
