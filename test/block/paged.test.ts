// Large chunk segments are read through a moving window; every chunk must
// come out exactly as from the whole file, also when records cross the
// window's end, a window cut short must fail cleanly instead of looping,
// and a scan must read the file in growing steps, a lookup only a little.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Block } from '../../src/block/block.js';
import { dirSource, type BlockSource } from '../../src/block/source.js';
import { isTsdbError } from '../../src/encoding/errors.js';
import { extractArchive, fixturePath, snapshotDirs } from '../helpers/prometheus.js';

let root: string;
let blockDirs: string[];

beforeAll(async () => {
  root = await extractArchive(fixturePath('snapshot-full.tgz'));
  const snap = snapshotDirs(root)[0];
  blockDirs = fs.readdirSync(snap).map((b) => path.join(snap, b));
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function allChunkRefs(b: Block): number[] {
  const refs: number[] = [];
  const ix = b.index;
  for (const ref of ix.allPostings()) for (const c of ix.series(ref).chunks) refs.push(c.ref);
  return refs;
}

describe('paged chunk reads', () => {
  it.each([7, 64, 1000, 4096])('equal whole-file reads with %i-byte pages', (pageSize) => {
    let compared = 0;
    for (const dir of blockDirs) {
      const name = path.basename(dir);
      const whole = new Block(name, dirSource(dir), { pagedAbove: Infinity });
      const paged = new Block(name, dirSource(dir), { pagedAbove: 0, pageSize });
      for (const ref of allChunkRefs(whole)) {
        const a = whole.chunk(ref);
        const b = paged.chunk(ref);
        expect(b.offset).toBe(a.offset);
        expect(b.end).toBe(a.end);
        expect(b.encoding).toBe(a.encoding);
        expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('a file shorter than its stated size fails with a TsdbError, not a loop', () => {
    const dir = blockDirs[0];
    const real = dirSource(dir);
    const lying: BlockSource = { ...real, size: (rel) => (rel.startsWith('chunks/') ? (real.size(rel) ?? 0) + (64 << 20) : real.size(rel)) };
    const b = new Block(path.basename(dir), lying, { pagedAbove: 0, pageSize: 64 });
    const refs = allChunkRefs(b);
    const seg = fs.statSync(path.join(dir, 'chunks', '000001')).size;
    // A ref just before the real end: its record runs past what the file holds.
    const bad = refs[0] - (refs[0] % 2 ** 32) + (seg - 3);
    let err: unknown;
    try {
      b.chunk(bad);
    } catch (e) {
      err = e;
    }
    expect(isTsdbError(err)).toBe(true);
    expect((err as { context: { file?: string } }).context.file).toBe('chunks/000001');
  });
});

describe('the window grows while reads run forward', () => {
  /** A dir source that counts range reads and their bytes. */
  function counting(dir: string) {
    const real = dirSource(dir);
    const c = { reads: 0, bytes: 0 };
    const source: BlockSource = {
      ...real,
      readRange(rel, off, len) {
        const r = real.readRange!(rel, off, len);
        if (rel.startsWith('chunks/') && off > 0) {
          c.reads++;
          c.bytes += r?.length ?? 0;
        }
        return r;
      },
    };
    return { source, c };
  }

  it('a scan in ref order reads each byte about once, in few reads; one lookup reads one small window', () => {
    let scanned = 0;
    for (const dir of blockDirs) {
      const seg = fs.statSync(path.join(dir, 'chunks', '000001')).size;
      const scan = counting(dir);
      const b = new Block(path.basename(dir), scan.source, { pagedAbove: 0, pageSize: 64 });
      const refs = allChunkRefs(b).sort((x, y) => x - y);
      for (const ref of refs) b.chunk(ref);
      // Windows of 64, 128, 256 … bytes: about log2(size / 64) reads, plus re-reads of records cut at a window's end.
      expect(scan.c.reads).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(seg / 64) + 1));
      expect(scan.c.bytes).toBeLessThanOrEqual(2 * seg);
      expect(scan.c.bytes).toBeGreaterThanOrEqual(seg - 8 - 16);
      scanned += refs.length;

      const one = counting(dir);
      const c = new Block(path.basename(dir), one.source, { pagedAbove: 0, pageSize: 64 });
      const last = c.chunk(refs[refs.length - 1]);
      expect(one.c.reads).toBeLessThanOrEqual(2);
      expect(one.c.bytes).toBeLessThanOrEqual(64 + (last.end - last.offset));
    }
    expect(scanned).toBeGreaterThan(500);
  });
});
