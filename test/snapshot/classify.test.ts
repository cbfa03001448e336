import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classify, placePath, type PathInfo, type Place } from '../../src/snapshot/classify.js';
import { walkInput } from '../../src/snapshot/layout.js';

const S = '20250820T165101Z-0eb533ff8d43ed64';
const B = '01K3BZ5YJ0W5N0C7Y1Y8S0E8XN';
const B2 = '01K3BZ5YJ0W5N0C7Y1Y8S0E8XP';
const BLOCK_FILES = ['chunks/000001', 'index', 'meta.json', 'tombstones'];

/** Every file and every dir above it, as `tar czf` lists a tree (dirs with a trailing /). */
function tree(files: string[]): PathInfo[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...[...dirs].map((d) => ({ name: d + '/', type: 'directory' as const })), ...files.map((f) => ({ name: f, type: 'file' as const }))];
}

const blockFiles = (dir: string, b: string) => BLOCK_FILES.map((f) => (dir ? `${dir}/${b}/${f}` : `${b}/${f}`));

/** What a classification reads: `snapshot/block` per block file, `snapshot:head` per WAL. */
function summary(members: PathInfo[], opts: { archive: boolean; outer?: string }) {
  const c = classify(members, opts);
  const blocks = new Set<string>();
  const heads = new Set<string>();
  for (const p of c.places) {
    if (p.kind === 'block' && p.rel !== undefined) blocks.add(`${p.snapshot}/${p.block}`);
    if (p.kind === 'head') heads.add(p.snapshot);
  }
  return { layout: c.layout, blocks: [...blocks].sort(), heads: [...heads].sort(), codes: c.findings.map((f) => `${f.code} ${f.severity}`) };
}

describe('placePath', () => {
  it('places a path by its own components', () => {
    expect(placePath(`snapshots/${S}/${B}/chunks/000001`, false)).toEqual({ kind: 'block', snapshot: S, via: 'snapshots', container: 'snapshots', block: B, rel: 'chunks/000001' });
    expect(placePath(`./snapshots//${S}/./${B}/`, true)).toEqual({ kind: 'block', snapshot: S, via: 'snapshots', container: 'snapshots', block: B });
    expect(placePath(`snapshots/${S}`, true)).toEqual({ kind: 'snapshot', snapshot: S, via: 'snapshots', container: 'snapshots' });
    expect(placePath(`real/${S}/${B}/index`, false)).toEqual({ kind: 'block', snapshot: S, via: 'named', container: 'real', block: B, rel: 'index' });
    expect(placePath(`data/${B}/index`, false)).toEqual({ kind: 'block', snapshot: 'data', via: 'dir', container: 'data', block: B, rel: 'index' });
    expect(placePath(`${B}/index`, false, 'x')).toEqual({ kind: 'block', snapshot: 'x', via: 'dir', container: '', block: B, rel: 'index' });
    expect(placePath('backup/data/wal/00000002', false)).toEqual({ kind: 'head', snapshot: 'data', via: 'dir', container: 'backup/data', rel: 'wal/00000002' });
    // A data dir named like a snapshot is still a data dir.
    expect(placePath(`${S}/wal/00000001`, false)).toEqual({ kind: 'head', snapshot: S, via: 'dir', container: S, rel: 'wal/00000001' });
    expect(placePath('data/chunks_head', true)).toEqual({ kind: 'head', snapshot: 'data', via: 'dir', container: 'data', rel: 'chunks_head' });
  });

  it('places a file named wal or chunks_head in the head, which Prometheus then cannot open', () => {
    expect(placePath('data/wal', false)).toMatchObject({ kind: 'head', snapshot: 'data', rel: 'wal' });
    expect(placePath('chunks_head', false, 'x')).toMatchObject({ kind: 'head', snapshot: 'x', rel: 'chunks_head' });
  });

  it('places nothing else', () => {
    for (const [p, dir] of [['snapshots', true], ['README', false], [`snapshots/${S}`, false], ['data/lock', false], ['', true]] as const) {
      expect(placePath(p, dir), p).toEqual({ kind: 'none' });
    }
  });
});

describe('classify: the layouts', () => {
  const W = ['wal/00000001', 'chunks_head/000001'];
  const cases: { what: string; files: string[]; layout: 'snapshots' | 'dirs'; blocks: string[]; heads?: string[]; codes?: string[] }[] = [
    { what: 'tar czf s.tgz snapshots/', files: blockFiles(`snapshots/${S}`, B), layout: 'snapshots', blocks: [`${S}/${B}`] },
    { what: 'tar czf s.tgz -C snapshots .', files: blockFiles(S, B), layout: 'snapshots', blocks: [`${S}/${B}`], codes: ['no-snapshots-dir warning'] },
    { what: 'mv snapshots real; tar czf x.tgz real/', files: blockFiles(`real/${S}`, B), layout: 'snapshots', blocks: [`${S}/${B}`], codes: ['no-snapshots-dir warning'] },
    { what: 'tar czf x.tgz /prometheus/snapshots', files: blockFiles(`prometheus/snapshots/${S}`, B), layout: 'snapshots', blocks: [`${S}/${B}`], codes: ['no-snapshots-dir warning'] },
    { what: 'tar czf s.tgz -C snapshots/<name> .', files: [...blockFiles('', B), ...blockFiles('', B2)], layout: 'dirs', blocks: [`./${B}`, `./${B2}`], codes: ['no-snapshots-dir warning'] },
    { what: 'tar czf b.tgz -C data <ULID>', files: blockFiles('', B), layout: 'dirs', blocks: [`./${B}`], codes: ['no-snapshots-dir warning'] },
    { what: 'tar czf d.tgz data/', files: [...blockFiles('data', B), ...W.map((w) => `data/${w}`), 'data/lock'], layout: 'dirs', blocks: [`data/${B}`], heads: ['data'] },
    { what: 'tar czf d.tgz -C data .', files: [...blockFiles('', B), ...W, 'queries.active'], layout: 'dirs', blocks: [`./${B}`], heads: ['.'] },
    { what: 'a data dir with only a WAL', files: ['data/wal/00000000'], layout: 'dirs', blocks: [], heads: ['data'] },
    {
      what: "a data dir's own snapshots/ is not read",
      files: [...blockFiles('data', B), 'data/wal/00000001', ...blockFiles(`data/snapshots/${S}`, B2)],
      layout: 'dirs',
      blocks: [`data/${B}`],
      heads: ['data'],
      codes: ['unexpected-file warning'],
    },
    {
      what: 'blocks and a WAL beside snapshots/ are outside it',
      files: [...blockFiles(`snapshots/${S}`, B), ...blockFiles('data', B2), 'data/wal/00000001', 'README'],
      layout: 'snapshots',
      blocks: [`${S}/${B}`],
      codes: [...Array(6).fill('outside-snapshots error')],
    },
    { what: 'a stray file in a data dir', files: [...blockFiles('data', B), 'data/notes.txt'], layout: 'dirs', blocks: [`data/${B}`], codes: ['no-snapshots-dir warning', 'unexpected-file warning'] },
    { what: 'nothing Prometheus reads', files: ['a/b/c', 'README'], layout: 'dirs', blocks: [], codes: ['unexpected-file warning', 'unexpected-file warning'] },
  ];
  for (const c of cases) {
    it(c.what, () => {
      expect(summary(tree(c.files), { archive: true })).toEqual({ layout: c.layout, blocks: c.blocks, heads: c.heads ?? [], codes: c.codes ?? [] });
    });
  }

  it('lists the first 20 members it does not read and counts the rest', () => {
    const c = classify([...tree(blockFiles(`snapshots/${S}`, B)), ...Array.from({ length: 25 }, (_, i) => ({ name: `data/f${i}`, type: 'file' as const }))], { archive: true });
    expect(c.findings.map((f) => f.code)).toEqual(Array(21).fill('outside-snapshots'));
    expect(c.findings[20]!.message).toMatch(/^5 more members/);
  });

  it('in a dir, reports only stray files inside the dirs it reads (not around them), and never how it was made', () => {
    const ms = tree([...blockFiles(`x/snapshots/${S}`, B), 'x/snapshots.tgz', `x/snapshots/notes.txt`]);
    expect(summary(ms, { archive: false }).codes).toEqual(['unexpected-file warning']);
    expect(summary(tree(blockFiles('', B)), { archive: false, outer: 'data' })).toMatchObject({ blocks: [`data/${B}`], codes: [] });
  });
});

// --- properties over generated trees ---

const ulid = fc.stringMatching(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
const prefix = fc.stringMatching(/^[a-z]{1,8}$/).filter((p) => !['snapshots', 'wal', 'chunks_head'].includes(p));
/** A tree in one of the layouts, with 1-3 blocks, maybe a WAL, maybe a stray file. */
const trees = fc
  .record({
    layout: fc.constantFrom('snapshots', 'bare', 'renamed', 'contents', 'datadir'),
    blocks: fc.uniqueArray(ulid, { minLength: 1, maxLength: 3 }),
    stray: fc.option(fc.stringMatching(/^[a-z]{1,6}\.txt$/), { nil: undefined }),
    own: fc.boolean(),
  })
  .map(({ layout, blocks, stray, own }) => {
    const dir = { snapshots: `snapshots/${S}`, bare: S, renamed: `real/${S}`, contents: '', datadir: '' }[layout];
    const files = blocks.flatMap((b) => blockFiles(dir, b));
    if (layout === 'datadir') {
      files.push('wal/00000003', 'chunks_head/000001');
      if (own) files.push(...blockFiles(`snapshots/${S}`, blocks[0]!));
    }
    if (stray) files.push(stray);
    return tree(files);
  });

/** A place without the names that a prefix may change. */
function shape(p: Place): unknown {
  if (p.kind === 'none') return p;
  const { snapshot: _s, container: _c, ...rest } = p;
  return p.via === 'dir' ? rest : { ...rest, snapshot: p.snapshot };
}

describe('classify: properties', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'classify-test-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('prefixing every path with a dir changes nothing but the names of dirs holding blocks', () => {
    fc.assert(
      fc.property(trees, prefix, (ms, pre) => {
        const plain = classify(ms, { archive: true });
        const moved = classify(
          ms.map((m) => ({ ...m, name: `${pre}/${m.name}` })),
          { archive: true },
        );
        expect(moved.places.map(shape)).toEqual(plain.places.map(shape));
        expect(moved.layout).toBe(plain.layout);
      }),
      { seed: 21, numRuns: 200 },
    );
  });

  it('does not depend on member order', () => {
    fc.assert(
      fc.property(
        trees.chain((ms) => fc.tuple(fc.constant(ms), fc.shuffledSubarray(ms.map((_, i) => i), { minLength: ms.length, maxLength: ms.length }))),
        ([ms, order]) => {
          const a = classify(ms, { archive: true });
          const b = classify(order.map((i) => ms[i]!), { archive: true });
          expect(order.map((i) => a.places[i])).toEqual(b.places);
          expect([...b.findings].map((f) => f.code).sort()).toEqual(a.findings.map((f) => f.code).sort());
        },
      ),
      { seed: 22, numRuns: 200 },
    );
  });

  it('a dir and the archive of it (tar czf x.tgz <dir>/) classify alike', () => {
    let n = 0;
    fc.assert(
      fc.property(trees, (ms) => {
        const root = path.join(tmp, `t${n++}`, 'input');
        for (const m of ms) {
          const p = path.join(root, m.name);
          if (m.type === 'directory') fs.mkdirSync(p, { recursive: true });
          else {
            fs.mkdirSync(path.dirname(p), { recursive: true });
            fs.writeFileSync(p, 'x');
          }
        }
        const walked = walkInput(root);
        const asDir = classify(walked.members, { archive: false, outer: walked.outer });
        const archived = tree(ms.filter((m) => m.type === 'file').map((m) => `input/${m.name}`)).filter((m) => m.name !== 'input/');
        const asArchive = classify(archived, { archive: true });
        const byName = (names: PathInfo[], places: Place[]) => new Map(names.map((m, i) => [m.name, places[i]]));
        expect(byName(walked.members, asDir.places)).toEqual(byName(archived, asArchive.places));
      }),
      { seed: 23, numRuns: 40 },
    );
  });
});
