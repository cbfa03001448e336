// Cases for the layout codes: snapshot and block dirs and the files a block
// must have. Some are built as directories, so that the directory path is
// held to the same findings and block status as the archive path.

import { expect } from 'vitest';
import { Code } from '../../../src/encoding/finding-codes.js';
import type { VerifyResult } from '../../../src/verify/verify.js';
import type { Member } from '../../fuzz/tarball.js';
import { writeTombstones } from '../../helpers/tombstonesWriter.js';
import { dirOf, realFile, SEG } from '../block-edit.js';
import { archiveOf, realMembers, realPlace, type CodeCase } from '../case.js';
import { BLOCK, SNAPSHOT, segmentedBlock } from '../segments.js';

const { snapshot, block, prefix } = realPlace();
const here = { snapshot, block };

/** The real members without the first block's `rels` (a dir rel ends with `/` and takes what is under it). */
function without(...rels: string[]): Member[] {
  return realMembers().filter((m) => !rels.some((r) => (r.endsWith('/') ? m.name.startsWith(prefix + r) : m.name === prefix + r)));
}

/** The real members with the first block's path `from` renamed to `to`. */
function renamed(from: string, to: string): Member[] {
  return realMembers().map((m) => (m.name.startsWith(from) ? { ...m, name: to + m.name.slice(from.length) } : m));
}

/** The first block is ok and holds all its samples, as Prometheus serves them all. */
function servedWhole(r: VerifyResult): void {
  const b = r.snapshots.flatMap((s) => s.blocks).find((x) => x.ulid === block)!;
  expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
  expect([b.ok, b.numSamples]).toEqual([true, 5040]);
}

export const cases: CodeCase[] = [
  {
    code: Code.BadSnapshotName,
    what: 'a snapshot dir not named <datetime>-<hex>',
    build: () => archiveOf(renamed(`snapshots/${snapshot}/`, 'snapshots/backup/')),
    expect: { severity: 'warning', snapshot: 'backup', block: null, file: null, offset: null },
  },
  {
    code: Code.BadBlockName,
    what: 'a block dir not named by a ULID (Prometheus does not load it)',
    build: () => archiveOf(renamed(prefix, `snapshots/${snapshot}/old-block/`)),
    expect: { severity: 'error', snapshot, block: 'old-block', file: null, offset: null },
  },
  {
    code: Code.UnexpectedFile,
    what: 'a stray file in a block dir (Prometheus ignores it)',
    build: (work) => dirOf([...realMembers(), { name: prefix + 'notes.txt', data: Buffer.from('hi') }], work),
    expect: { severity: 'warning', ...here, file: 'notes.txt', offset: null },
  },
  {
    code: Code.UnexpectedFile,
    what: 'a dir named like a segment in chunks/ (Prometheus 2.42 and 3.5 fail to open the block: mmap of a dir)',
    build: (work) => dirOf([...realMembers(), { name: prefix + 'chunks/000002/' }], work),
    expect: { severity: 'error', ...here, file: 'chunks/000002', offset: null },
  },
  {
    code: Code.EmptySnapshot,
    what: 'a second snapshot dir with no block',
    build: () => archiveOf([...realMembers(), { name: 'snapshots/20261122T144025Z-0123456789abcdef/' }]),
    expect: { severity: 'warning', snapshot: '20261122T144025Z-0123456789abcdef', block: null, file: null, offset: null },
  },
  {
    code: Code.NoBlocks,
    what: 'an archive holding one empty snapshot dir',
    build: () => archiveOf([{ name: 'snapshots/' }, { name: `snapshots/${snapshot}/` }]),
    expect: { severity: 'error', snapshot: null, block: null, file: null, offset: null },
  },
  {
    code: Code.MissingMeta,
    what: 'a block without meta.json',
    build: () => archiveOf(without('meta.json')),
    expect: { severity: 'error', ...here, file: 'meta.json', offset: null },
  },
  {
    code: Code.MissingIndex,
    what: 'a block without index (a directory)',
    build: (work) => dirOf(without('index'), work),
    expect: { severity: 'error', ...here, file: 'index', offset: null },
  },
  {
    code: Code.MissingChunks,
    what: 'a block without chunks/',
    build: () => archiveOf(without('chunks/')),
    expect: { severity: 'error', ...here, file: 'chunks', offset: null },
  },
  {
    code: Code.MissingChunks,
    what: 'a block whose chunks is a file',
    build: () => archiveOf([...without('chunks/'), { name: prefix + 'chunks', data: Buffer.from('x') }]),
    expect: { severity: 'error', ...here, file: 'chunks', offset: null },
  },
  {
    code: Code.MissingTombstones,
    what: 'a block without tombstones (Prometheus reads none; meta-stats says if meta.json counted some)',
    build: () => archiveOf(without('tombstones')),
    expect: { severity: 'warning', ...here, file: 'tombstones', offset: null },
  },
  {
    code: Code.NoChunkSegments,
    what: 'a block whose chunks/ is empty',
    build: () => archiveOf(without(SEG)),
    expect: { severity: 'error', ...here, file: 'chunks', offset: null },
  },
  {
    code: Code.NoChunkSegments,
    what: 'a block whose only segment is named +000001 (strconv.ParseUint takes no sign: Prometheus maps no segment, and every query of the block fails)',
    build: () => archiveOf(renamed(prefix + SEG, prefix + 'chunks/+000001')),
    expect: { severity: 'error', ...here, file: 'chunks', offset: null },
  },
  {
    code: Code.UnexpectedFile,
    what: 'files in chunks/ not named by a number beside the segment (Prometheus 2.42 and 3.5 ignore them and serve every sample)',
    build: (work) => dirOf([...realMembers(), { name: prefix + 'chunks/000001.tmp', data: realFile(SEG) }, { name: prefix + 'chunks/foo', data: Buffer.from('x') }], work),
    expect: { severity: 'warning', ...here, file: 'chunks/000001.tmp', offset: null },
    check: servedWhole,
  },
  {
    code: Code.BadSegmentName,
    what: 'the only segment named with seven digits (Prometheus 2.42 and 3.5 read it by position and serve every sample)',
    build: () => archiveOf(renamed(prefix + SEG, prefix + 'chunks/0000001')),
    expect: { severity: 'warning', ...here, file: 'chunks/0000001', offset: null },
    check: servedWhole,
  },
  {
    code: Code.ChunkSegmentGap,
    what: 'the only segment named 000002 (Prometheus 2.42 and 3.5 read it by position and serve every sample)',
    build: () => archiveOf(renamed(prefix + SEG, prefix + 'chunks/000002')),
    expect: { severity: 'warning', ...here, file: 'chunks/000002', offset: null },
    check: servedWhole,
  },
  {
    code: Code.ChunkSegmentGap,
    what: 'segments 000001 and 000003, the index referring to two (Prometheus reads 000003 as the second and serves every sample)',
    build: () => archiveOf(segmentedBlock(2, ['000001', '000003']).members),
    expect: { severity: 'warning', snapshot: SNAPSHOT, block: BLOCK, file: 'chunks/000003', offset: null },
    check: (r) => expect([r.ok, r.snapshots[0]!.blocks[0]!.numSamples]).toEqual([true, 4]),
  },
  {
    code: Code.ChunkSegmentGap,
    what: 'an empty segment 000000 before 000001: it is the first segment, so the refs land in it (Prometheus 2.42 and 3.5 refuse to open the block)',
    build: (work) => dirOf([...realMembers(), { name: prefix + 'chunks/000000', data: Buffer.alloc(0) }], work),
    expect: { severity: 'warning', ...here, file: 'chunks/000000', offset: null },
    check: (r) => {
      const refs = r.findings.filter((f) => f.block === block && f.code === Code.ChunkMissing);
      expect(refs.length, 'the refs are judged against chunks/000000').toBeGreaterThan(0);
      expect(refs.every((f) => f.file === 'chunks/000000')).toBe(true);
    },
  },
  {
    code: Code.BlockSplit,
    what: 'a block\'s tombstones again, different, after the next block',
    build: () => archiveOf([...realMembers(), { name: prefix + 'tombstones', data: writeTombstones([]) }]),
    expect: { severity: 'error', ...here, file: 'tombstones', offset: null },
  },
];
