// Blocks are cross-checked as soon as the archive moves on from them and then
// let go, so memory stays flat. The findings must be those of checking every
// block at the end: whatever the member order, with identical duplicates
// anywhere, and with a block whose chunk segments are spread out. What cannot
// be checked once a block is let go (a different copy of one of its files
// later on, a hard link into it that is not the whole block again) is said.

import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../src/encoding/errors.js';
import { verifyStream } from '../../src/verify/verify.js';
import { writeIndex } from '../helpers/indexWriter.js';
import { fixturePath } from '../helpers/prometheus.js';
import { writeSegment } from '../helpers/segmentWriter.js';
import { writeTombstones } from '../helpers/tombstonesWriter.js';
import { encodeXOR } from '../helpers/xorEncoder.js';
import { buildTar, errorsOf, loadMembers, summarize, verifyBuffer, type Member } from '../fuzz/tarball.js';

// The block checks, counted (the wrapper changes nothing else).
const checked = vi.hoisted(() => ({ blocks: [] as string[] }));
vi.mock('../../src/verify/check/block-check.js', async (load) => {
  const real = await load<typeof import('../../src/verify/check/block-check.js')>();
  return { ...real, checkBlock: (b: Parameters<typeof real.checkBlock>[0], sink: Parameters<typeof real.checkBlock>[1]) => (checked.blocks.push(b.name), real.checkBlock(b, sink)) };
});

let members: Member[];
let blocks: string[];
let tmp: string;

beforeAll(() => {
  members = loadMembers(fixturePath('snapshot-full.tgz'));
  blocks = [...new Set(members.filter((m) => m.data && m.name.split('/').length > 3).map((m) => m.name.split('/')[2]!))];
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'early-check-'));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const rel = (m: Member) => m.name.split('/').slice(3).join('/');
const blockOf = (m: Member) => m.name.split('/')[2];
const sorted = (f: Finding[]) => f.map((x) => JSON.stringify(x)).sort();

/** The fixture with a damaged chunk in one block, a wrong stat in another and a flipped index bit in a third. */
function damaged(): Member[] {
  return members.map((m) => {
    if (!m.data) return m;
    const d = Buffer.from(m.data);
    if (blockOf(m) === blocks[0] && rel(m) === 'chunks/000001') d[200]! ^= 0x04;
    else if (blockOf(m) === blocks[1] && rel(m) === 'meta.json') return { ...m, data: Buffer.from(d.toString().replace('"numSamples":', '"numSamples":1')) };
    else if (blockOf(m) === blocks[2] && rel(m) === 'index') d[Math.floor(d.length / 3)]! ^= 0x10;
    else return m;
    return { ...m, data: d };
  });
}

describe('each block is checked as the archive moves on from it', () => {
  it('and let go: at most one spilled index waits at a time, however many blocks', async () => {
    const tar = buildTar(members).tar;
    const pieces = Array.from({ length: Math.ceil(tar.length / 4096) }, (_, i) => tar.subarray(i * 4096, (i + 1) * 4096));
    let most = 0;
    const waiting = () => fs.readdirSync(tmp).reduce((n, d) => n + fs.readdirSync(path.join(tmp, d)).length, 0);
    const r = await verifyStream(Readable.from(pieces), tar.length, { spillAt: 1000, tmpDir: tmp, onProgress: () => (most = Math.max(most, waiting())) });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(blocks.length).toBeGreaterThan(2);
    expect(most).toBe(1);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('any member order gives the same findings and blocks, damaged blocks included', async () => {
    const list = damaged();
    const base = await verifyBuffer(buildTar(list).tar);
    expect(new Set(errorsOf(base).map((f) => f.block))).toEqual(new Set(blocks.slice(0, 3)));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ noNaN: true }), { minLength: list.length, maxLength: list.length }), async (keys) => {
        const order = list.map((m, i) => [keys[i]! + i * 1e-9, m] as const).sort((a, b) => a[0] - b[0]);
        const r = await verifyBuffer(buildTar(order.map(([, m]) => m)).tar);
        expect(r.json.snapshots).toEqual(base.json.snapshots);
        expect(sorted(r.json.findings)).toEqual(sorted(base.json.findings));
      }),
      { seed: 11, numRuns: 20 },
    );
  });

  it('an identical copy of a file anywhere later changes nothing but the duplicate-member warning', async () => {
    const base = await verifyBuffer(buildTar(members).tar);
    const files = members.filter((m) => m.data);
    await fc.assert(
      fc.asyncProperty(fc.nat(files.length - 1), fc.nat(members.length), async (fi, pos) => {
        const f = files[fi]!;
        const at = Math.max(pos, members.indexOf(f) + 1);
        const r = await verifyBuffer(buildTar([...members.slice(0, at), f, ...members.slice(at)]).tar);
        expect(r.json.findings.filter((x) => x.code !== 'duplicate-member')).toEqual(base.json.findings);
        expect(r.json.findings.filter((x) => x.code === 'duplicate-member').map((x) => [x.block, x.file])).toEqual([[blockOf(f), rel(f)]]);
        expect(r.json.snapshots).toEqual(base.json.snapshots);
      }),
      { seed: 12, numRuns: 25 },
    );
  });

  it('a different copy after its block was checked is a block-split error, and is checked as far as it can be alone', async () => {
    const idx = members.find((m) => blockOf(m) === blocks[0] && rel(m) === 'index')!;
    const bad = Buffer.from(idx.data!);
    bad[8]! ^= 0x55;
    const r = await verifyBuffer(buildTar([...members, { ...idx, data: bad }]).tar);
    const mine = errorsOf(r).filter((f) => f.block === blocks[0] && f.file === 'index');
    expect(mine.map((f) => f.code)).toEqual(['block-split', 'index-crc']);
    expect(mine[0]!.message).toMatch(/comes again after the rest of its block .* differs from the copy the block was checked with/);
    expect(errorsOf(r).filter((f) => f.block !== blocks[0])).toEqual([]);
  });
});

describe('a block with two chunk segments', () => {
  const SNAP = 'snapshots/20261122T144025Z-2939a76ec4c5dbb6';
  const B = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
  /** A healthy block whose two series have their chunk in chunks/000001 and chunks/000002. */
  function twoSegments(): Member[] {
    const chunk = { encoding: 1, data: encodeXOR([1000, 2000], [0n, 0n]) };
    const seg = writeSegment([chunk]);
    const at = seg.offsets[0]!;
    const index = writeIndex([
      { labels: [['__name__', 'a']], chunks: [{ minTime: 1000, maxTime: 2000, ref: at }] },
      { labels: [['__name__', 'b']], chunks: [{ minTime: 1000, maxTime: 2000, ref: 2 ** 32 + at }] },
    ]).bytes;
    const meta = { ulid: B, minTime: 1000, maxTime: 2001, stats: { numSamples: 4, numSeries: 2, numChunks: 2 }, compaction: { level: 1, sources: [B] }, version: 1 };
    const p = `${SNAP}/${B}`;
    return [
      { name: `${p}/` },
      { name: `${p}/meta.json`, data: Buffer.from(JSON.stringify(meta)) },
      { name: `${p}/index`, data: index },
      { name: `${p}/tombstones`, data: writeTombstones([]) },
      { name: `${p}/chunks/` },
      { name: `${p}/chunks/000001`, data: seg.bytes },
      { name: `${p}/chunks/000002`, data: seg.bytes },
    ];
  }

  it('waits for a segment its index refers to when another block comes between', async () => {
    const two = twoSegments();
    const other = members.filter((m) => m.data && blockOf(m) === blocks[0]).map((m) => ({ ...m, name: m.name.replace(/^snapshots\/[^/]+/, SNAP) }));
    const together = await verifyBuffer(buildTar([...two, ...other]).tar);
    expect(errorsOf(together), summarize(together)).toEqual([]);
    const spread = await verifyBuffer(buildTar([...two.slice(0, -1), ...other, two.at(-1)!]).tar);
    expect(spread.json.snapshots).toEqual(together.json.snapshots);
    expect(sorted(spread.json.findings)).toEqual(sorted(together.json.findings));
  });
});

describe('a hostile spread', () => {
  it('a block whose index refers to a segment that never comes is tried a few times, not at every member', async () => {
    const SNAP = 'snapshots/20261122T144025Z-2939a76ec4c5dbb6';
    const [A, B] = ['01ARZ3NDEKTSV4RRFFQ69G5FAV', '01BX5ZZKBKACTAV9WEVGEMMVRZ'];
    const seg = writeSegment([{ encoding: 1, data: encodeXOR([1000, 2000], [0n, 0n]) }]);
    const series = Array.from({ length: 3000 }, (_, i) => ({ labels: [['__name__', `m${String(i).padStart(5, '0')}`]] as [string, string][], chunks: [{ minTime: 1000, maxTime: 2000, ref: (i % 2 ? 5000 : 0) * 2 ** 32 + seg.offsets[0]! }] }));
    const meta = JSON.stringify({ ulid: A, minTime: 1000, maxTime: 2001, stats: {}, compaction: { level: 1, sources: [A] }, version: 1 });
    const list: Member[] = [
      { name: `${SNAP}/${A}/meta.json`, data: Buffer.from(meta) },
      { name: `${SNAP}/${A}/index`, data: writeIndex(series).bytes },
      { name: `${SNAP}/${A}/tombstones`, data: writeTombstones([]) },
    ];
    for (let i = 1; i <= 2000; i++) {
      list.push({ name: `${SNAP}/${A}/chunks/${String(i).padStart(6, '0')}`, data: seg.bytes });
      list.push({ name: `${SNAP}/${B}/junk-${i}`, data: Buffer.from('x') });
    }
    checked.blocks.length = 0;
    const r = await verifyBuffer(buildTar(list).tar);
    // Three tries while the archive goes on (each after new segments came), then the last at its end.
    expect(checked.blocks.filter((b) => b === A)).toHaveLength(4);
    const refs = errorsOf(r).filter((f) => f.block === A && f.code === 'index-chunk-ref');
    expect(refs.at(-1)!.message).toBe('1480 more index-chunk-ref findings not listed (1500 in all)');
    expect(r.json.findings.some((f) => f.code === 'block-split')).toBe(false);
  });
});

describe('hard links into a block already let go', () => {
  const S2 = 'snapshots/20261122T160000Z-00000000000000aa';
  it('a block that is the same files again is that block again; one with its own meta.json and tombstones is said to be unchecked', async () => {
    const [same, own] = blocks;
    const again = (b: string, ownFiles: string[]): Member[] =>
      members
        .filter((m) => m.data && blockOf(m) === b)
        .map((m) =>
          ownFiles.includes(rel(m))
            ? { name: `${S2}/${b}/${rel(m)}`, data: Buffer.concat([Buffer.from(m.data!), Buffer.from(rel(m) === 'meta.json' ? '\n' : '')]) }
            : { name: `${S2}/${b}/${rel(m)}`, type: 'link' as const, linkname: m.name },
        );
    const r = await verifyBuffer(buildTar([...members, { name: `${S2}/` }, ...again(same!, []), ...again(own!, ['meta.json', 'tombstones'])]).tar);
    expect(errorsOf(r), summarize(r)).toEqual([]);
    const [s1, s2] = r.json.snapshots as { blocks: { ulid: string }[] }[];
    expect(s2!.blocks.find((b) => b.ulid === same)).toEqual(s1!.blocks.find((b) => b.ulid === same));
    const unchecked = r.json.findings.filter((f) => f.code === 'hard-link-unchecked');
    expect(unchecked.map((f) => [f.severity, f.block, f.file]).sort()).toEqual([
      ['warning', own, 'chunks/000001'],
      ['warning', own, 'index'],
    ]);
  });
});
