// The one thing verify writes: an index larger than the spill size waits in
// a temp dir until its block is checked. The dir must be gone afterwards,
// whatever happened; a spilled index is read back only if its TOC checks
// out; a hard link shares the spilled file.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStream } from '../../src/verify/verify.js';
import { fixturePath } from '../helpers/prometheus.js';
import { buildTar, flipBit, loadMembers, type Member } from '../fuzz/tarball.js';

let members: Member[];
let tmp: string;

beforeAll(() => {
  members = loadMembers(fixturePath('snapshot-full.tgz'));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spill-'));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(list: Member[], spillAt?: number) {
  const tar = buildTar(list).tar;
  const pieces = Array.from({ length: Math.ceil(tar.length / 4096) }, (_, i) => tar.subarray(i * 4096, (i + 1) * 4096));
  let seen = 0;
  const r = await verifyStream(Readable.from(pieces), tar.length, {
    spillAt,
    tmpDir: tmp,
    onProgress: () => (seen = Math.max(seen, fs.readdirSync(tmp).length)),
  });
  return { r, spilled: seen > 0, left: fs.readdirSync(tmp) };
}

describe('index spill', () => {
  it('spilled indexes verify exactly as in-memory ones, and the temp dir is removed', async () => {
    const mem = await run(members);
    const spill = await run(members, 1000);
    expect(mem.spilled).toBe(false);
    expect(spill.spilled).toBe(true);
    expect(spill.left).toEqual([]);
    expect(spill.r).toEqual(mem.r);
    expect(spill.r.ok).toBe(true);
  });

  it('a spilled index with a bad TOC is reported without being read back', async () => {
    const i = members.findIndex((m) => m.name.endsWith('/index'));
    const idx = members[i]!;
    const list = members.map((m, k) => (k === i ? { ...m, data: flipBit(idx.data!, idx.data!.length - 10, 3) } : m));
    const { r, left } = await run(list, 1000);
    expect(left).toEqual([]);
    const f = r.findings.filter((x) => x.severity === 'error' && x.file === 'index');
    expect(f.map((x) => [x.code, x.block])).toEqual([['index-crc', idx.name.split('/')[2]]]);
    expect(f[0]!.message).toMatch(/TOC .* CRC32C mismatch/);
  });

  it('a hard link to a spilled index shares the file; both blocks are checked and it is removed once', async () => {
    const snap2 = 'snapshots/20261122T160000Z-00000000000000aa';
    const block = members.find((m) => m.name.split('/').length === 4 && m.name.endsWith('/'))!.name.split('/')[2]!;
    const from = members.filter((m) => m.data && m.name.split('/')[2] === block);
    const links: Member[] = from.map((m) => ({ name: `${snap2}/${block}/${m.name.split('/').slice(3).join('/')}`, type: 'link', linkname: m.name }));
    const { r, left } = await run([...members, { name: `${snap2}/` }, ...links], 1000);
    expect(left).toEqual([]);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const copies = r.snapshots.flatMap((s) => s.blocks).filter((b) => b.ulid === block);
    expect(copies).toHaveLength(2);
    expect(copies[1]).toEqual(copies[0]);
  });
});
