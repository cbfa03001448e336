// An index checked ahead of its block (split.ts) must change nothing: the
// block's check replays its findings when it was made from the same bytes,
// and ignores it otherwise.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBlock, precheckIndex, type BlockInput } from '../../src/verify/check/block-check.js';
import { FindingSink } from '../../src/verify/check/findings.js';
import { SegmentScanner } from '../../src/verify/check/segment-scan.js';
import { extractArchive, fixturePath } from '../helpers/prometheus.js';

let root: string;
let blockDir: string;

beforeAll(async () => {
  root = await extractArchive(fixturePath('snapshot-full.tgz'));
  const snap = path.join(root, 'snapshots', fs.readdirSync(path.join(root, 'snapshots'))[0]!);
  blockDir = path.join(snap, fs.readdirSync(snap).sort()[0]!);
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** The block's files, with its index damaged at `flip` (a byte offset) if given. */
function input(flip?: number): BlockInput {
  const name = path.basename(blockDir);
  const index = fs.readFileSync(path.join(blockDir, 'index'));
  if (flip !== undefined) index[flip]! ^= 0x04;
  const scanner = new SegmentScanner('chunks/000001', new FindingSink({}));
  scanner.push(fs.readFileSync(path.join(blockDir, 'chunks', '000001')));
  return { name, meta: fs.readFileSync(path.join(blockDir, 'meta.json')), index, tombstones: fs.readFileSync(path.join(blockDir, 'tombstones')), segments: [{ rel: 'chunks/000001', table: scanner.end() }] };
}

function run(b: BlockInput) {
  const findings: any[] = [];
  const sink = new FindingSink({ snapshot: 's', block: b.name }, findings);
  for (const s of b.segments) s.table!.refs.fill(0);
  const r = checkBlock(b, sink);
  return { findings, summary: r.summary, errors: sink.errors };
}

describe('checkBlock with an index checked ahead', () => {
  it('gives the same findings and summary as checking it then, healthy or damaged', () => {
    const size = fs.statSync(path.join(blockDir, 'index')).size;
    for (const flip of [undefined, 5, Math.floor(size / 3), Math.floor(size / 2), size - 60]) {
      const b = input(flip);
      const want = run(b);
      const got = run({ ...b, prechecked: precheckIndex(b.name, b.meta, b.index) });
      expect(got).toEqual(want);
      if (flip !== undefined) expect(want.errors).toBeGreaterThan(0);
    }
  });

  it('is ignored when made from other bytes (the file changed between the two reads)', () => {
    const healthy = input();
    const damaged = input(Math.floor(fs.statSync(path.join(blockDir, 'index')).size / 2));
    const want = run(healthy);
    expect(want.errors).toBe(0);
    expect(run({ ...healthy, prechecked: precheckIndex(healthy.name, damaged.meta, damaged.index) })).toEqual(want);
    expect(run({ ...healthy, prechecked: precheckIndex('01ANOTHERBLOCK0000000000000', healthy.meta, healthy.index) })).toEqual(want);
  });
});
