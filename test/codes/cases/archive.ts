// Cases for the archive codes: gzip, tar, and what tar x makes of the members
// (hard links, paths a file in one member and a dir in another). Most start
// from one real block (the first of fixtures/snapshot-full.tgz) in a tar.

import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { expect } from 'vitest';
import { buildTar, padTo512, ustarHeader, type Member } from '../../fuzz/tarball.js';
import { archiveOf, realMembers, realPlace, type CodeCase } from '../case.js';

const { snapshot: S, block: B, prefix: P } = realPlace();
const S2 = '20261122T160000Z-00000000000000aa';

/** The first real block alone: snapshots/, its snapshot dir, the block dir and its files. */
function oneBlock(): Member[] {
  return realMembers().filter((m) => m.name === 'snapshots/' || m.name === `snapshots/${S}/` || m.name.startsWith(P));
}

const tar = (ms: Member[] = oneBlock()) => buildTar(ms).tar;
const gz = () => zlib.gzipSync(tar());
const at = { snapshot: S, block: B };

export const cases: CodeCase[] = [
  {
    code: 'input-error',
    what: 'the input stream fails',
    build: () => ({ stream: new Readable({ read() { this.destroy(new Error('EIO: i/o error')); } }) }),
    expect: { severity: 'error', snapshot: null, block: null },
  },
  {
    code: 'not-an-archive',
    what: 'a text file',
    build: () => ({ archive: Buffer.from('not an archive\n') }),
    expect: { severity: 'error', snapshot: null },
  },
  {
    code: 'not-gzip',
    what: 'a plain tar named .tgz',
    build: () => ({ archive: tar(), name: 'snapshots.tgz' }),
    expect: { severity: 'warning', snapshot: null },
  },
  {
    code: 'gzip-corrupt',
    what: 'the gzip CRC32 trailer does not match',
    build: () => {
      const g = gz();
      g[g.length - 8]! ^= 1;
      return { archive: g };
    },
    expect: { severity: 'error', snapshot: null },
  },
  {
    code: 'gzip-truncated',
    what: 'the gzip stream cut inside its trailer',
    build: () => ({ archive: gz().subarray(0, -4) }),
    expect: { severity: 'error', snapshot: null },
  },
  {
    code: 'gzip-trailing-garbage',
    what: 'text after the gzip member',
    build: () => ({ archive: Buffer.concat([gz(), Buffer.from('garbage')]) }),
    expect: { severity: 'error', snapshot: null },
  },
  {
    code: 'gzip-trailing-zeros',
    what: 'zero bytes after the gzip member',
    build: () => ({ archive: Buffer.concat([gz(), Buffer.alloc(100)]) }),
    expect: { severity: 'warning', snapshot: null },
  },
  {
    code: 'tar-bad-header',
    what: 'a header checksum that does not match',
    build: () => {
      const t = buildTar(oneBlock());
      t.tar[t.headerAt.get(P + 'index')!]! ^= 1;
      return { archive: t.tar };
    },
    expect: { severity: 'error', snapshot: null },
  },
  {
    code: 'tar-truncated',
    what: 'the archive cut 100 bytes into meta.json',
    build: () => {
      const t = buildTar(oneBlock());
      return { archive: t.tar.subarray(0, t.dataAt.get(P + 'meta.json')! + 100) };
    },
    expect: { severity: 'error', ...at, file: 'meta.json', offset: 100 },
  },
  {
    code: 'tar-no-end-marker',
    what: 'no two zero blocks after the last member',
    build: () => ({ archive: tar().subarray(0, -1024) }),
    expect: { severity: 'error', snapshot: null },
  },
  {
    code: 'tar-trailing-garbage',
    what: 'a non-zero block after the end-of-archive marker',
    build: () => ({ archive: Buffer.concat([tar(), Buffer.alloc(512, 0x78)]) }),
    expect: { severity: 'error', snapshot: null },
  },
  {
    code: 'tar-padding',
    what: 'a non-zero byte in the padding after meta.json',
    build: () => {
      const t = buildTar(oneBlock());
      const meta = oneBlock().find((m) => m.name === P + 'meta.json')!.data!;
      expect(padTo512(meta.length)).toBeGreaterThan(0);
      t.tar[t.dataAt.get(P + 'meta.json')! + meta.length]! = 1;
      return { archive: t.tar };
    },
    expect: { severity: 'warning', ...at, file: 'meta.json', offset: null },
  },
  {
    code: 'too-many-members',
    what: 'more members than the limit (lowered to 3 for the case)',
    build: () => ({ archive: tar(), options: { maxMembers: 3 } }),
    expect: { severity: 'error', snapshot: null },
  },
  {
    code: 'unsafe-member',
    what: 'a symlink in a block',
    build: () => archiveOf([...oneBlock(), { name: P + 'sym', type: 'symlink', linkname: '/etc/passwd' }]),
    expect: { severity: 'error', ...at, file: 'sym' },
  },
  {
    code: 'unsupported-member',
    what: 'a GNU volume header (type V) in a block',
    build: () => {
      const t = tar();
      return { archive: Buffer.concat([t.subarray(0, -1024), ustarHeader({ name: P + 'volume', size: 0, flag: 'V' }), Buffer.alloc(1024)]) };
    },
    expect: { severity: 'warning', ...at, file: 'volume' },
  },
  {
    code: 'outside-snapshots',
    what: 'a file beside snapshots/',
    build: () => archiveOf([{ name: 'README', data: Buffer.from('x') }, ...oneBlock()]),
    expect: { severity: 'error', snapshot: null },
  },
  {
    code: 'no-snapshots-dir',
    what: 'member paths start at the snapshot dir (tar -C snapshots .)',
    build: () => archiveOf(oneBlock().filter((m) => m.name !== 'snapshots/').map((m) => ({ ...m, name: m.name.slice('snapshots/'.length) }))),
    expect: { severity: 'warning', snapshot: null },
  },
  {
    code: 'hard-link',
    what: 'a second snapshot whose block is hard links to the first one\'s',
    build: () =>
      archiveOf([
        ...oneBlock(),
        { name: `snapshots/${S2}/` },
        { name: `snapshots/${S2}/${B}/` },
        { name: `snapshots/${S2}/${B}/chunks/` },
        ...['meta.json', 'index', 'tombstones', 'chunks/000001'].map((rel): Member => ({ name: `snapshots/${S2}/${B}/${rel}`, type: 'link', linkname: P + rel })),
      ]),
    expect: { severity: 'warning', snapshot: S2, block: B, file: 'index' },
    check: (r) => expect(r.ok).toBe(true),
  },
  {
    code: 'hard-link',
    what: 'an index that is a hard link to a file that is not a block file',
    build: () =>
      archiveOf([...oneBlock().filter((m) => m.name !== P + 'index'), { name: P + 'junk', data: Buffer.from('x') }, { name: P + 'index', type: 'link', linkname: P + 'junk' }]),
    expect: { severity: 'error', ...at, file: 'index' },
  },
  {
    code: 'hard-link-unchecked',
    what: 'a block of hard links into a block already checked, without its tombstones',
    build: () =>
      archiveOf([
        ...oneBlock(),
        // Another block after it, so the first is checked and let go before the links come.
        ...realMembers().filter((m) => m.name.startsWith(`snapshots/${S}/`) && !m.name.startsWith(P) && m.name.split('/').length > 3),
        { name: `snapshots/${S2}/` },
        { name: `snapshots/${S2}/${B}/` },
        { name: `snapshots/${S2}/${B}/chunks/` },
        ...['meta.json', 'index', 'chunks/000001'].map((rel): Member => ({ name: `snapshots/${S2}/${B}/${rel}`, type: 'link', linkname: P + rel })),
      ]),
    expect: { severity: 'warning', snapshot: S2, block: B, file: 'index' },
  },
  {
    code: 'visit-failed',
    what: 'the index cannot wait in a temp file (the temp dir does not exist)',
    build: (work) => ({ archive: tar(), options: { spillAt: 1, tmpDir: path.join(work, 'missing', 'dir') } }),
    expect: { severity: 'error', ...at, file: 'index' },
  },
  {
    code: 'duplicate-member',
    what: 'meta.json twice',
    build: () => archiveOf([...oneBlock(), oneBlock().find((m) => m.name === P + 'meta.json')!]),
    expect: { severity: 'warning', ...at, file: 'meta.json' },
  },
  {
    code: 'member-type-clash',
    what: 'a file where chunks/ holds a segment: tar x fails on it',
    build: () => archiveOf([...oneBlock(), { name: P + 'chunks', data: Buffer.from('x') }]),
    expect: { severity: 'error', ...at, file: 'chunks' },
  },
  {
    code: 'member-type-clash',
    what: 'a dir where the (corrupt) index was: tar x removes the index',
    build: () => {
      const ms = oneBlock();
      const index = ms.find((m) => m.name === P + 'index')!;
      index.data = Buffer.from(index.data!);
      index.data[index.data.length >> 1]! ^= 0xff; // found by the cross-check, not while reading
      return archiveOf([...ms, { name: P + 'index/' }]);
    },
    expect: { severity: 'warning', ...at, file: 'index' },
    // The block restores without an index, and is checked so: missing, and the bytes removed are not judged.
    check: (r) => {
      expect(r.findings.some((f) => f.code === 'missing-index' && f.block === B)).toBe(true);
      expect(r.findings.filter((f) => f.code.startsWith('index-'))).toEqual([]);
    },
  },
];
