import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readArchive, type ArchiveEntry } from '../../src/snapshot/stream.js';
import { buildTar } from '../fuzz/tarball.js';

const B = 'snapshots/20261122T144025Z-2939a76ec4c5dbb6/01M81V437311AY8K10ZBCVFY88';

async function read(tar: Buffer, hardLinks?: boolean) {
  const seen: Omit<ArchiveEntry, 'stream'>[] = [];
  const r = await readArchive(
    Readable.from([tar]),
    async (e) => {
      seen.push({ name: e.name, type: e.type, size: e.size, linkTarget: e.linkTarget });
      e.stream.resume();
    },
    { hardLinks },
  );
  return { ...r, seen };
}

describe('hard links', () => {
  const tar = buildTar([
    { name: `${B}/index`, data: Buffer.from('0123456789') },
    { name: `${B}/../x/index`, type: 'link', linkname: `${B}/index` },
    { name: `${B}/copy`, type: 'link', linkname: `./${B}/index` },
  ]).tar;

  it('with hardLinks, a link to an earlier file is delivered as a link of its size, with a warning', async () => {
    const r = await read(tar, true);
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([
      ['unsafe-member', 'error'],
      ['hard-link', 'warning'],
    ]);
    expect(r.seen.at(-1)).toEqual({ name: `${B}/copy`, type: 'link', size: 10, linkTarget: `${B}/index` });
  });

  it('without it (the extracting commands), every hard link stays unsafe-member', async () => {
    const r = await read(tar);
    expect(r.findings.map((f) => f.code)).toEqual(['unsafe-member', 'unsafe-member']);
    expect(r.seen.map((s) => s.type)).toEqual(['file']);
  });
});

describe('padding and repeated findings', () => {
  it('a non-zero byte in member padding is a tar-padding warning; the data is unaffected', async () => {
    const built = buildTar([{ name: `${B}/meta.json`, data: Buffer.from('{}') }]);
    built.tar[built.dataAt.get(`${B}/meta.json`)! + 100] = 1;
    const r = await read(built.tar);
    expect(r.findings.map((f) => [f.code, f.severity, f.file])).toEqual([['tar-padding', 'warning', 'meta.json']]);
  });

  it('lists 20 findings of a kind a hostile archive repeats, then counts the rest', async () => {
    const r = await read(buildTar(Array.from({ length: 50 }, (_, i) => ({ name: `${B}/s${i}`, type: 'symlink' as const, linkname: '/etc' }))).tar);
    expect(r.findings.length).toBe(21);
    expect(r.findings.at(-1)!.message).toBe('30 more unsafe-member findings not listed (50 in all)');
  });
});

describe('archives of a data dir', () => {
  it('hands over safe members wherever they are, and still refuses unsafe ones', async () => {
    const tar = buildTar([
      { name: 'data/' },
      { name: 'data/wal/00000000', data: Buffer.from('w') },
      { name: 'data/01M81V437311AY8K10ZBCVFY88/index', data: Buffer.from('i') },
      { name: 'data/../evil', data: Buffer.from('x') },
      { name: 'data/lock', type: 'symlink', linkname: '/etc/passwd' },
    ]).tar;
    const seen: string[] = [];
    const r = await readArchive(Readable.from([tar]), (e) => void (seen.push(`${e.type} ${e.name}`), e.stream.resume()));
    expect(seen).toEqual(['directory data', 'file data/wal/00000000', 'file data/01M81V437311AY8K10ZBCVFY88/index']);
    expect(r.findings.map((f) => f.code)).toEqual(['unsafe-member', 'unsafe-member']);
  });
});
