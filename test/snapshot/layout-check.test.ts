import fc from 'fast-check';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/encoding/errors.js';
import { classify } from '../../src/snapshot/classify.js';
import { checkLayout as checkPlaced, isBlockName, isSnapshotName, type MemberInfo } from '../../src/snapshot/layout-check.js';
import { readArchive } from '../../src/snapshot/stream.js';

const S = '20250820T165101Z-0eb533ff8d43ed64';
const B = '01K3BZ5YJ0W5N0C7Y1Y8S0E8XN';
const B2 = '01K3BZ5YJ0W5N0C7Y1Y8S0E8XP';

const dir = (name: string): MemberInfo => ({ name: name + '/', type: 'directory', size: 0 });
const file = (name: string, size = 10): MemberInfo => ({ name, type: 'file', size });

/** A complete block as `tar czf` lists it (directory entries included). */
function block(snap = S, b = B, files = ['chunks/000001', 'index', 'meta.json', 'tombstones']): MemberInfo[] {
  const base = `snapshots/${snap}/${b}`;
  return [dir(base), dir(`${base}/chunks`), ...files.map((f) => file(`${base}/${f}`))];
}

const valid = (): MemberInfo[] => [dir('snapshots'), dir(`snapshots/${S}`), ...block()];

/** The layout check over what the classifier places in snapshot dirs, as verify runs it. */
const checkLayout = (ms: MemberInfo[]) => checkPlaced(ms, classify(ms, { archive: true }).places);

const codes = (f: Finding[]) => f.map((x) => x.code);
const without = (ms: MemberInfo[], suffix: string) => ms.filter((m) => !m.name.endsWith(suffix));

async function fixtureMembers(name: string): Promise<MemberInfo[]> {
  const members: MemberInfo[] = [];
  const r = await readArchive(fs.createReadStream(new URL(`../../fixtures/${name}`, import.meta.url)), (e) => {
    members.push({ name: e.name, type: e.type as MemberInfo['type'], size: e.size });
    e.stream.resume();
  });
  expect(r.findings).toEqual([]);
  return members;
}

describe('checkLayout on the real fixtures', () => {
  it('snapshot-full.tgz: no findings, 7 blocks with their files and sizes', async () => {
    const r = checkLayout(await fixtureMembers('snapshot-full.tgz'));
    expect(r.findings).toEqual([]);
    expect(r.snapshots.map((s) => s.name)).toEqual(['20261122T144025Z-2939a76ec4c5dbb6']);
    const blocks = r.snapshots[0]!.blocks;
    expect(blocks.map((b) => b.block)).toEqual([
      '01M81V435F3FDT7KYM95FWRKSW',
      '01M81V437311AY8K10ZBCVFY88',
      '01M81V4397ER1SCEFRK7VM70W2',
      '01M81V4972GQCM9WTNQ9F9SJEZ',
      '01M81V49973SAKH6H329SWWYDN',
      '01M81V49BW04PDGEAVVMHW9HVW',
      '01M81V70BWRRN49VQ1VV6H21P4',
    ]);
    const head = blocks.find((b) => b.block === '01M81V70BWRRN49VQ1VV6H21P4')!;
    expect(head.snapshot).toBe('20261122T144025Z-2939a76ec4c5dbb6');
    expect([...head.files].sort()).toEqual([
      ['chunks/000001', 6436],
      ['index', 4754],
      ['meta.json', 271],
      ['tombstones', 9],
    ]);
  });

  it('overlap.tgz: no findings, 5 blocks', async () => {
    const r = checkLayout(await fixtureMembers('overlap.tgz'));
    expect(r.findings).toEqual([]);
    expect(r.snapshots.map((s) => [s.name, s.blocks.length])).toEqual([['20261122T144026Z-724801de16cc29e8', 5]]);
  });
});

describe('names', () => {
  it('knows Prometheus snapshot names', () => {
    expect(isSnapshotName(S)).toBe(true);
    for (const bad of ['20250820T165101Z-0EB533FF8D43ED64', '20250820T165101Z-0eb533ff8d43ed6', '20251320T165101Z-0eb533ff8d43ed64', '20250820T245101Z-0eb533ff8d43ed64', '20250820T165101-0eb533ff8d43ed64', 'backup']) {
      expect(isSnapshotName(bad), bad).toBe(false);
    }
  });
});

describe('checkLayout rules', () => {
  it('a complete block has no findings, with or without directory entries, in any order', () => {
    expect(checkLayout(valid()).findings).toEqual([]);
    expect(checkLayout(valid().filter((m) => m.type === 'file')).findings).toEqual([]);
    expect(checkLayout([...valid()].reverse()).findings).toEqual([]);
  });

  it('bad-snapshot-name (warning), and blocks in it are still checked', () => {
    const r = checkLayout([dir('snapshots/backup'), ...without(block('backup'), 'index')]);
    expect(r.findings.map((f) => [f.code, f.severity, f.snapshot])).toEqual([
      ['bad-snapshot-name', 'warning', 'backup'],
      ['missing-index', 'error', 'backup'],
    ]);
    expect(r.snapshots[0]!.blocks.map((b) => b.block)).toEqual([B]);
  });

  it('bad-block-name (error): Prometheus ignores the dir', () => {
    const r = checkLayout([...block(S, 'not-a-ulid'), ...block(S, B)]);
    expect(r.findings.map((f) => [f.code, f.severity, f.block])).toEqual([['bad-block-name', 'error', 'not-a-ulid']]);
    expect(r.snapshots[0]!.blocks.map((b) => b.block)).toEqual([B]);
    expect(checkLayout(block(S, B.toLowerCase())).findings).toEqual([]);
  });

  it('missing-meta, missing-index (errors) and missing-tombstones (warning)', () => {
    const cases: [string, string, Finding['severity']][] = [
      ['meta.json', 'missing-meta', 'error'],
      ['index', 'missing-index', 'error'],
      ['tombstones', 'missing-tombstones', 'warning'],
    ];
    for (const [f, code, severity] of cases) {
      const r = checkLayout(without(valid(), `/${f}`));
      expect(r.findings).toEqual([expect.objectContaining({ code, severity, snapshot: S, block: B, file: f })]);
      expect(r.findings[0]!.message).toContain(`snapshots/${S}/${B}`);
    }
  });

  it('missing-chunks: no chunks/ at all, or chunks is a file', () => {
    const none = valid().filter((m) => !m.name.includes('/chunks'));
    expect(codes(checkLayout(none).findings)).toEqual(['missing-chunks']);
    const asFile = [...none, file(`snapshots/${S}/${B}/chunks`)];
    expect(codes(checkLayout(asFile).findings)).toEqual(['missing-chunks']);
  });

  it('no-chunk-segments: a chunks/ dir with no segment', () => {
    const r = checkLayout(without(valid(), '/000001'));
    expect(r.findings.map((f) => [f.code, f.severity, f.file])).toEqual([['no-chunk-segments', 'error', 'chunks']]);
  });

  it('chunk-segment-gap (warning): segments not numbered 000001, 000002, … are read by position in name order', () => {
    const withSegs = (segs: string[]) => checkLayout([...without(valid(), '/000001'), ...segs.map((s) => file(`snapshots/${S}/${B}/chunks/${s}`))]);
    expect(withSegs(['000001', '000002', '000003']).findings).toEqual([]);
    const gap = withSegs(['000001', '000003']);
    expect(gap.findings.map((f) => [f.code, f.severity, f.file])).toEqual([['chunk-segment-gap', 'warning', 'chunks/000003']]);
    expect(gap.findings[0]!.message).toMatch(/no segment 000002; .* reads this one as segment 2 of 2/);
    expect(withSegs(['000002']).findings.map((f) => [f.code, f.severity, f.file])).toEqual([['chunk-segment-gap', 'warning', 'chunks/000002']]);
    expect(withSegs(['000000', '000001']).findings.map((f) => [f.file, f.message.includes('numbering starts at 000001')])).toEqual([['chunks/000000', true]]);
  });

  it('bad-segment-name (warning) for numbers that are not 6 digits, at their position in name order; other names are unexpected files', () => {
    const r = checkLayout([...valid(), file(`snapshots/${S}/${B}/chunks/2`), file(`snapshots/${S}/${B}/chunks/000002.tmp`), file(`snapshots/${S}/${B}/chunks/+00002`)]);
    expect(r.findings.map((f) => [f.code, f.severity, f.file])).toEqual([
      ['unexpected-file', 'warning', 'chunks/+00002'],
      ['unexpected-file', 'warning', 'chunks/000002.tmp'],
      ['bad-segment-name', 'warning', 'chunks/2'],
    ]);
    expect(r.findings[2]!.message).toMatch(/segment 2 of 2/);
    // 0000002 sorts before 000001, so Prometheus reads it first: 000001 is then out of place too.
    const early = checkLayout([...valid(), file(`snapshots/${S}/${B}/chunks/0000002`)]);
    expect(early.findings.map((f) => [f.code, f.file, /segment (\d) of 2/.exec(f.message)?.[1]])).toEqual([
      ['bad-segment-name', 'chunks/0000002', '1'],
      ['chunk-segment-gap', 'chunks/000001', '2'],
    ]);
  });

  it('a name past uint64 is no segment to Prometheus (strconv.ParseUint fails): an unexpected file', () => {
    const r = checkLayout([...valid(), file(`snapshots/${S}/${B}/chunks/18446744073709551616`), file(`snapshots/${S}/${B}/chunks/018446744073709551615`)]);
    expect(r.findings.map((f) => [f.code, f.severity, f.file])).toEqual([
      ['unexpected-file', 'warning', 'chunks/18446744073709551616'],
      ['bad-segment-name', 'warning', 'chunks/018446744073709551615'],
    ]);
  });

  it('unexpected-file (warning) inside a block and beside the blocks, once per top-level name', () => {
    const r = checkLayout([...valid(), dir(`snapshots/${S}/${B}/extra`), file(`snapshots/${S}/${B}/extra/a`), file(`snapshots/${S}/${B}/index.bak`), file(`snapshots/${S}/README`)]);
    expect(r.findings.map((f) => [f.code, f.severity, f.block, f.file])).toEqual([
      ['unexpected-file', 'warning', undefined, undefined],
      ['unexpected-file', 'warning', B, 'extra'],
      ['unexpected-file', 'warning', B, 'index.bak'],
    ]);
    expect(r.findings[0]!.message).toContain(`snapshots/${S}/README`);
  });

  it('empty-snapshot (warning) beside a snapshot with blocks', () => {
    const S2 = '20250821T000000Z-1111111111111111';
    const r = checkLayout([...valid(), dir(`snapshots/${S2}`)]);
    expect(r.findings.map((f) => [f.code, f.severity, f.snapshot])).toEqual([['empty-snapshot', 'warning', S2]]);
    expect(r.snapshots.map((s) => [s.name, s.blocks.length])).toEqual([
      [S, 1],
      [S2, 0],
    ]);
  });

  it('no-blocks (error) when every snapshot is empty, or there is none', () => {
    const S2 = '20250821T000000Z-1111111111111111';
    const empty = checkLayout([dir('snapshots'), dir(`snapshots/${S}`), dir(`snapshots/${S2}`)]);
    expect(empty.findings.map((f) => [f.code, f.severity])).toEqual([['no-blocks', 'error']]);
    expect(empty.findings[0]!.message).toContain(S2);
    expect(codes(checkLayout([]).findings)).toEqual(['no-blocks']);
    expect(codes(checkLayout([dir('snapshots'), file('README')]).findings)).toEqual(['no-blocks']);
    // Only a badly named dir: Prometheus would load nothing.
    expect(codes(checkLayout(block(S, 'lost+found')).findings)).toEqual(['bad-block-name', 'no-blocks']);
  });

  it('duplicate-member (warning): tar keeps the last copy', () => {
    const r = checkLayout([...valid(), file(`./snapshots/${S}/${B}/index`, 99)]);
    expect(r.findings.map((f) => [f.code, f.severity, f.file])).toEqual([['duplicate-member', 'warning', 'index']]);
    expect(r.snapshots[0]!.blocks[0]!.files.get('index')).toBe(99);
  });

  it('findings do not depend on member order (property)', () => {
    const S2 = '20250821T000000Z-1111111111111111';
    const members = [
      ...valid(),
      ...without(block(S2, B2, ['chunks/000001', 'chunks/000003', 'index', 'junk']), 'x'),
      ...block(S2, 'bad'),
      dir('snapshots/other'),
    ];
    const sorted = (f: Finding[]) => f.map((x) => JSON.stringify(x)).sort();
    const want = sorted(checkLayout(members).findings);
    expect(want.length).toBeGreaterThan(4);
    fc.assert(
      fc.property(fc.shuffledSubarray(members, { minLength: members.length, maxLength: members.length }), (shuffled) => {
        expect(sorted(checkLayout(shuffled).findings)).toEqual(want);
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});
