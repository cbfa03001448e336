// The library as a user gets it: imported by its package name through the
// exports map (the built dist/), resources released by `withInput` and
// Symbol.asyncDispose, and no CLI dependency outside src/cli.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FULL = path.join(ROOT, 'fixtures', 'snapshot-full.tgz');

/** Run an ES module in a child node from the package root, so `tsdb-inspect` resolves through the exports map. */
function runModule(code: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
}

describe("the package's exports", () => {
  it('imports by name and answers a query; open() is released by Symbol.asyncDispose, withInput by itself', () => {
    const out = runModule(`
      import * as t from 'tsdb-inspect';
      import fs from 'node:fs';
      const names = Object.keys(t).sort();
      const rows = await t.withInput(${JSON.stringify(FULL)}, (input) => t.blockRows(input.snapshots));
      const input = await t.open(${JSON.stringify(FULL)});
      const series = [...t.series(t.querySources(input), [t.parseMatchParam('node_load1')], -Infinity, Infinity)];
      await input[Symbol.asyncDispose]();
      const v = await t.verify(${JSON.stringify(FULL)});
      console.log(JSON.stringify({ names, blocks: rows.length, series, ok: v.ok, code: t.Code.BlocksOverlap }));
    `);
    const r = JSON.parse(out);
    expect(r.blocks).toBe(7);
    expect(r.series).toEqual([
      ['__name__', 'node_load1', 'instance', 'node-1:9100', 'job', 'node'],
      ['__name__', 'node_load1', 'instance', 'node-2:9100', 'job', 'node'],
    ]);
    expect(r.ok).toBe(true);
    expect(r.code).toBe('blocks-overlap');
    // One name per thing: no aliases of the same function, none of the old internals.
    for (const gone of ['openInput', 'parseSeriesSelector', 'apiSeries', 'Decbuf', 'BitReader', 'crc32c', 'readArchive', 'formatG']) expect(r.names).not.toContain(gone);
    for (const name of ['open', 'withInput', 'verify', 'series', 'labelNames', 'labelValues', 'writeDump', 'analyze', 'parseSelector', 'Block', 'IndexReader', 'decodeChunk', 'FINDING_CODES']) {
      expect(r.names).toContain(name);
    }
  });

  it('declares the types its functions take and return', () => {
    const dts = fs.readFileSync(path.join(ROOT, 'dist', 'lib.d.ts'), 'utf8');
    for (const t of ['VerifyResult', 'VerifyOptions', 'Finding', 'AnalyzeReport', 'AnalyzeOptions', 'DumpOptions', 'BlockRow', 'BlockMeta', 'Matcher', 'OpenedInput', 'Snapshot', 'MergedSeries', 'Input']) {
      expect(dts, t).toMatch(new RegExp(`\\b${t}\\b`));
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['.']).toEqual({ types: './dist/lib.d.ts', import: './dist/lib.js' });
  });
});

describe('dependencies', () => {
  const srcFiles = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? srcFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));

  it('nothing outside src/cli imports yargs or cli-table3', () => {
    const offenders = srcFiles(path.join(ROOT, 'src'))
      .filter((f) => !f.startsWith(path.join(ROOT, 'src', 'cli') + path.sep))
      .filter((f) => /(?:from|import\()\s*'(?:yargs|cli-table3)(?:\/[^']*)?'/.test(fs.readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('every runtime dependency is imported by src/, and tar-stream (tests only) is a devDependency', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const all = srcFiles(path.join(ROOT, 'src')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    for (const dep of Object.keys(pkg.dependencies)) expect(all, dep).toContain(`'${dep}`);
    expect(pkg.dependencies['tar-stream']).toBeUndefined();
    expect(pkg.devDependencies['tar-stream']).toBeDefined();
  });
});
