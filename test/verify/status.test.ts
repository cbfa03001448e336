// A block's status comes from the findings alone: any error naming the block
// (from its own checks, the layout check or the archive reader) makes it not
// ok, whatever found it, and the archive and the directory (in one thread or
// split between two) agree.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verify, type VerifyResult } from '../../src/verify/verify.js';
import { buildTar, verifyBuffer, type Member } from '../fuzz/tarball.js';
import { dirOf, editFile, SEG } from '../codes/block-edit.js';
import { realMembers, realPlace } from '../codes/case.js';

const { block, prefix } = realPlace();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'status-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Block ULID → ok, over every snapshot. */
const status = (r: VerifyResult) => Object.fromEntries(r.snapshots.flatMap((s) => s.blocks.map((b) => [b.ulid, b.ok])));
const erroredBlocks = (r: VerifyResult) => new Set(r.findings.filter((f) => f.severity === 'error' && f.block).map((f) => f.block));

const broken: [string, () => Member[], string][] = [
  ['no index (layout check)', () => realMembers().filter((m) => m.name !== prefix + 'index'), 'missing-index'],
  ['a dir named like a segment (layout check)', () => [...realMembers(), { name: prefix + 'chunks/000002/' }], 'unexpected-file'],
  ['a bad segment magic (segment scan)', () => editFile(SEG, (d) => ((d[0] ^= 1), d)), 'chunk-segment-magic'],
  ['corrupt tombstones (cross-check)', () => editFile('tombstones', (d) => ((d[0] ^= 1), d)), 'tombstones-corrupt'],
];

describe('per-block status', () => {
  it.each(broken)('%s: that block alone is not ok, in the archive and in the directory (1 and 2 threads)', async (_, build, code) => {
    const members = build();
    const archive = (await verifyBuffer(buildTar(members).tar)).result;
    const dir = (dirOf(members, path.join(work, code)) as { dir: string }).dir;
    const one = await verify(dir, { workers: 1 });
    const two = await verify(dir, { workers: 2 });
    for (const r of [archive, one, two]) {
      expect(r.findings.some((f) => f.code === code && f.block === block && f.severity === 'error')).toBe(true);
      expect(erroredBlocks(r)).toEqual(new Set([block]));
      const st = status(r);
      expect(Object.keys(st).length).toBe(7);
      for (const [ulid, ok] of Object.entries(st)) expect(ok, ulid).toBe(ulid !== block);
      expect(r.ok).toBe(false);
    }
    expect(JSON.parse(JSON.stringify(one))).toEqual(JSON.parse(JSON.stringify(two)));
  });

  it('a block member the archive ends inside (the archive reader\'s finding) is not ok', async () => {
    const members = realMembers();
    const built = buildTar(members);
    const seg = built.dataAt.get(prefix + SEG)!;
    const r = (await verifyBuffer(built.tar.subarray(0, seg + 100))).result;
    const cut = r.findings.find((f) => f.code === 'tar-truncated')!;
    expect([cut.block, cut.file, cut.offset]).toEqual([block, SEG, 100]);
    expect(status(r)[block]).toBe(false);
  });
});
