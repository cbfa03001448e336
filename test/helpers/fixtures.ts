// TEST ONLY. The real blocks under fixtures/: both snapshot archives
// extracted into fresh temp dirs, plus the index-format-v1 block in place.
// Call in a beforeAll and clean up in an afterAll.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { extractArchive, fixturePath, snapshotDirs } from './prometheus.js';

export interface FixtureBlock {
  /** `snapshot-full`, `overlap` or `index-format-v1`. */
  fixture: string;
  /** The block dir name (a ULID, or `index-format-v1`). */
  name: string;
  dir: string;
}

export interface Fixtures {
  blocks: FixtureBlock[];
  cleanup(): Promise<void>;
}

export const ARCHIVES = ['snapshot-full', 'overlap'] as const;

export async function loadFixtures(): Promise<Fixtures> {
  const roots: string[] = [];
  const blocks: FixtureBlock[] = [];
  for (const fixture of ARCHIVES) {
    const root = await extractArchive(fixturePath(`${fixture}.tgz`));
    roots.push(root);
    for (const snap of snapshotDirs(root)) {
      for (const e of fs.readdirSync(snap, { withFileTypes: true })) {
        const dir = path.join(snap, e.name);
        if (e.isDirectory() && fs.existsSync(path.join(dir, 'meta.json'))) blocks.push({ fixture, name: e.name, dir });
      }
    }
  }
  blocks.sort((a, b) => (a.fixture + a.name < b.fixture + b.name ? -1 : 1));
  blocks.push({ fixture: 'index-format-v1', name: 'index-format-v1', dir: v1BlockDir() });
  return {
    blocks,
    async cleanup() {
      for (const r of roots) await fsp.rm(r, { recursive: true, force: true });
    },
  };
}

/**
 * The index-format-v1 block: fixtures/index-format-v1 itself, or the one
 * block dir (named by its ULID) inside it.
 */
export function v1BlockDir(): string {
  const base = fixturePath('index-format-v1');
  if (fs.existsSync(path.join(base, 'meta.json'))) return base;
  const dirs = fs
    .readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(base, e.name, 'meta.json')))
    .map((e) => path.join(base, e.name));
  if (dirs.length !== 1) throw new Error(`expected one block dir under ${base}, found ${dirs.length}`);
  return dirs[0];
}

export function readBlockFile(block: FixtureBlock, file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(block.dir, file)));
}

/** The block's segment files (`chunks/000001`, …), sorted, as paths relative to the block. */
export function segmentFiles(block: FixtureBlock): string[] {
  return fs
    .readdirSync(path.join(block.dir, 'chunks'))
    .filter((f) => /^\d{6}$/.test(f))
    .sort()
    .map((f) => `chunks/${f}`);
}

/** meta.json as plain JSON, for comparing with the parser. */
export function rawMeta(block: FixtureBlock): any {
  return JSON.parse(fs.readFileSync(path.join(block.dir, 'meta.json'), 'utf8'));
}
