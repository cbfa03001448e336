// Chunk segments are judged as Prometheus maps them: the files in chunks/
// whose names parse as numbers, in name order, a chunk ref's upper 32 bits
// a position in that list (chunks.go NewDirReader). The archive and the
// directory (in one thread or two) must give the same result.
//
// The directory with two threads runs the compiled worker (dist/): build first.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/encoding/errors.js';
import { verify } from '../../src/verify/verify.js';
import { dirOf } from '../codes/block-edit.js';
import { realMembers, realPlace } from '../codes/case.js';
import { BLOCK, segmentedBlock } from '../codes/segments.js';
import { buildTar, verifyBuffer, type Member } from '../fuzz/tarball.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'segment-order-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const place = (f: Finding) => [f.severity, f.code, f.block, f.file, f.offset].join(' ');

/** Findings (as places, sorted) and block summaries, from the archive and from the directory with 1 and 2 threads: all three the same. */
async function judged(members: Member[]): Promise<{ findings: string[]; blocks: Record<string, { ok: boolean; numSamples: number }> }> {
  const dir = (dirOf(members, fs.mkdtempSync(path.join(work, 'd-'))) as { dir: string }).dir;
  const runs = [(await verifyBuffer(buildTar(members).tar)).result, await verify(dir, { workers: 1 }), await verify(dir, { workers: 2 })];
  const views = runs.map((r) => ({
    findings: r.findings.filter((f) => f.block).map(place).sort(),
    blocks: Object.fromEntries(r.snapshots.flatMap((s) => s.blocks).map((b) => [b.ulid, { ok: b.ok, numSamples: b.numSamples }])),
  }));
  expect(views[1]).toEqual(views[0]);
  expect(views[2]).toEqual(views[0]);
  return views[0]!;
}

/** The real members with the first block's chunks/000001 named `to`. */
function renamed(to: string): Member[] {
  const { prefix } = realPlace();
  return realMembers().map((m) => (m.name === prefix + 'chunks/000001' ? { ...m, name: prefix + 'chunks/' + to } : m));
}

describe('segments are mapped by position in name order', () => {
  it.each(['000002', '0000001', '000000'])('a block whose only segment is %s is read whole, with a warning', async (name) => {
    const { block } = realPlace();
    const r = await judged(renamed(name));
    expect(r.findings).toEqual([`warning ${name.length === 6 ? 'chunk-segment-gap' : 'bad-segment-name'} ${block} chunks/${name} `]);
    expect(r.blocks[block]).toEqual({ ok: true, numSamples: 5040 });
  });

  it('000001 and 000003, the index referring to two segments: 000003 is the second', async () => {
    const r = await judged(segmentedBlock(2, ['000001', '000003']).members);
    expect(r.findings).toEqual([`warning chunk-segment-gap ${BLOCK} chunks/000003 `]);
    expect(r.blocks[BLOCK]).toEqual({ ok: true, numSamples: 4 });
  });

  it('000002 of three lost: the refs into it are judged against 000003, those into the third point past the list', async () => {
    const { members, seriesAt } = segmentedBlock(3, ['000001', null, '000003']);
    const r = await judged(members);
    expect(r.findings).toEqual(
      [
        `warning chunk-segment-gap ${BLOCK} chunks/000003 `,
        `error chunk-time-mismatch ${BLOCK} chunks/000003 8`,
        `error index-chunk-ref ${BLOCK} index ${seriesAt[2]}`,
        `error meta-stats ${BLOCK} meta.json 89`,
      ].sort(),
    );
  });

  it('000001 and 0000002: 0000002 sorts first, so each series is served the other\'s chunk', async () => {
    const r = await judged(segmentedBlock(2, ['000001', '0000002']).members);
    expect(r.findings).toEqual(
      [
        `warning bad-segment-name ${BLOCK} chunks/0000002 `,
        `warning chunk-segment-gap ${BLOCK} chunks/000001 `,
        `error chunk-time-mismatch ${BLOCK} chunks/000001 8`,
        `error chunk-time-mismatch ${BLOCK} chunks/0000002 8`,
      ].sort(),
    );
  });

  it('in an archive, a block with an oddly named segment is not checked until the end, where a later segment can move the others', async () => {
    // 0000009 and 000002 first would read as positions 0 and 1; 000001, after another block, takes position 1.
    const { members } = segmentedBlock(2, ['0000009', '000001']);
    const extra = segmentedBlock(3).members.find((m) => m.name.endsWith('/chunks/000003'))!;
    const late = members.findIndex((m) => m.name.endsWith('/chunks/000001'));
    const spread = [...members.slice(0, late), { ...extra, name: extra.name.replace(/000003$/, '000002') }, ...members.slice(late + 1), ...realMembers().filter((m) => m.data), members[late]!];
    const r = (await verifyBuffer(buildTar(spread).tar)).result;
    expect(r.findings.filter((f) => f.block === BLOCK && f.severity === 'error')).toEqual([]);
  });

  it('in an archive, a block with an oddly named segment waits for the end: a segment after another block still counts', async () => {
    const { members } = segmentedBlock(2, ['000001', '000003']);
    const seg3 = members.findIndex((m) => m.name.endsWith('/chunks/000003'));
    const other = realMembers().filter((m) => m.data);
    const spread = [...members.slice(0, seg3), ...members.slice(seg3 + 1), ...other, members[seg3]!];
    const r = (await verifyBuffer(buildTar(spread).tar)).result;
    expect(r.findings.filter((f) => f.block === BLOCK).map(place)).toEqual([`warning chunk-segment-gap ${BLOCK} chunks/000003 `]);
  });
});
