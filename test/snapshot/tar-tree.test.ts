// The tree the reader hands over is the one GNU tar's `tar x` leaves: each
// archive is extracted with the system tar and compared, path by path (kind,
// content, which paths share an inode), with what readArchive delivers.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive } from '../../src/snapshot/stream.js';
import { buildTar, type Member } from '../fuzz/tarball.js';

let work: string;
beforeAll(() => void (work = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-tree-'))));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const f = (name: string, data: string): Member => ({ name, data: Buffer.from(data) });
const d = (name: string): Member => ({ name: name + '/' });
const l = (name: string, to: string): Member => ({ name, type: 'link', linkname: to });

/** A tree as `path → dir | file:<content>@<first path sharing its inode>`, from disk. */
function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const inodes = new Map<number, string>();
  const walk = (rel: string) => {
    for (const n of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const st = fs.lstatSync(path.join(dir, r));
      if (st.isDirectory()) {
        out[r] = 'dir';
        walk(r);
      } else {
        if (!inodes.has(st.ino)) inodes.set(st.ino, r);
        out[r] = `file:${fs.readFileSync(path.join(dir, r), 'utf8')}@${inodes.get(st.ino)}`;
      }
    }
  };
  walk('');
  return out;
}

/** GNU tar's tree, and the members it reports it could not extract. */
function gnuTar(tar: Buffer, name: string): { tree: Record<string, string>; failed: string[] } {
  const dir = path.join(work, `gnu-${name}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(`${dir}.tar`, tar);
  const r = spawnSync('tar', ['xf', `${dir}.tar`, '-C', dir], { encoding: 'utf8' });
  const failed = [...r.stderr.matchAll(/^tar: ([^:]+): Cannot/gm)].map((m) => m[1]!);
  expect(r.status).toBe(failed.length ? 2 : 0);
  return { tree: treeOf(dir), failed };
}

/** The tree as readArchive hands it over: each entry applied as a visitor that extracts would. */
async function delivered(tar: Buffer): Promise<{ tree: Record<string, string>; failed: string[] }> {
  const tree = new Map<string, { dir: boolean; data: string; first: string }>();
  const r = await readArchive(
    Readable.from([tar]),
    async (e) => {
      if (e.replaced) tree.delete(e.name);
      let data = '';
      for await (const c of e.stream) data += String(c);
      for (let i = e.name.indexOf('/'); i > 0; i = e.name.indexOf('/', i + 1)) if (!tree.has(e.name.slice(0, i))) tree.set(e.name.slice(0, i), { dir: true, data: '', first: '' });
      if (e.type === 'directory') tree.set(e.name, { dir: true, data: '', first: '' });
      else if (e.type === 'link') tree.set(e.name, tree.get(e.linkTarget!)!);
      else tree.set(e.name, { dir: false, data, first: e.name });
    },
    { anyPath: true, hardLinks: true },
  );
  const out: Record<string, string> = {};
  for (const [p, n] of [...tree].sort(([a], [b]) => (a < b ? -1 : 1))) out[p] = n.dir ? 'dir' : `file:${n.data}@${[...tree].find(([, x]) => x === n)![0]}`;
  const failed = r.findings.filter((x) => x.code === 'member-type-clash' && x.severity === 'error').map((x) => /`([^`]+?)\/?`/.exec(x.message)![1]!);
  return { tree: out, failed };
}

const archives: [string, Member[]][] = [
  ['a file, then a dir at its path', [f('a', 'file'), d('a'), f('a/x', 'x')]],
  ['a file, then a member below it', [f('a', 'file'), f('a/x', 'x')]],
  ['a file, then a dir below it', [f('a', 'file'), d('a/b'), f('a/b/c', 'c')]],
  ['an empty dir, then a file at its path', [d('a'), f('a', 'file')]],
  ['a dir with a member, then a file at its path', [d('a'), f('a/x', 'x'), f('a', 'file'), f('a/y', 'y')]],
  ['an implicit dir, then a file at its path', [f('a/x', 'x'), f('a', 'file')]],
  ['a hard link, then a file at the link', [f('a', 'old'), l('b', 'a'), f('b', 'new')]],
  ['a hard link, then a file at the target', [f('a', 'old'), l('b', 'a'), f('a', 'new')]],
  ['a hard link, then a dir at the link', [f('a', 'old'), l('b', 'a'), d('b')]],
  ['a dir with a member, then a hard link at its path', [f('a', 'old'), d('b'), f('b/x', 'x'), l('b', 'a')]],
  ['an empty dir, then a hard link at its path', [f('a', 'old'), d('b'), l('b', 'a')]],
  ['a link to a link whose target became a dir', [f('a', 'old'), l('b', 'a'), d('a'), l('c', 'b')]],
  ['a file twice', [f('a', 'old'), f('a', 'new')]],
];

describe('the tree tar x leaves (GNU tar, default options)', () => {
  it.each(archives)('%s', async (name, members) => {
    const tar = buildTar(members).tar;
    const gnu = gnuTar(tar, name.replace(/\W+/g, '-'));
    const ours = await delivered(tar);
    expect(ours).toEqual(gnu);
  });
});
