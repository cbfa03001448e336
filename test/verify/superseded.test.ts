// Blocks Prometheus deletes on start (tsdb/db.go reloadBlocks): the parents
// of every block it loads, and deletable ones; a deleted block's range must
// be served by a block that replaced it.

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/encoding/errors.js';
import type { BlockSummary, Lineage } from '../../src/verify/check/block-check.js';
import { MAX_PER_CODE } from '../../src/encoding/capped.js';
import { checkSuperseded } from '../../src/verify/check/superseded.js';

const block = (ulid: string, minTime: number | null, maxTime: number | null): BlockSummary => ({ ulid, minTime, maxTime, numSeries: 1, numChunks: 1, numSamples: 1, numTombstones: 0 });
const lin = (ulid: string, parents: string[] = [], deletable = false): Lineage => ({ ulid, parents, deletable, level: 1, outOfOrder: false });

function run(blocks: BlockSummary[], lineages: Lineage[]) {
  const findings: Finding[] = [];
  const deleted = checkSuperseded('s', blocks, new Map(lineages.map((l, i) => [blocks[i]!.ulid, l])), findings);
  return { deleted: [...deleted].sort(), found: findings.map((f) => [f.severity, f.block ?? null]) };
}

describe('checkSuperseded', () => {
  it('a parent served through a chain of replacements that cover it is a warning; the chain is deleted', () => {
    const r = run([block('P', 0, 10), block('C', 0, 20), block('D', 0, 30)], [lin('P'), lin('C', ['P']), lin('D', ['C'])]);
    expect(r).toEqual({ deleted: ['C', 'P'], found: [['warning', 'P'], ['warning', 'C']] });
  });

  it('a parent whose only child is deletable, or does not cover it, is an error', () => {
    expect(run([block('P', 0, 10), block('C', 0, 20)], [lin('P'), lin('C', ['P'], true)]).found).toEqual([['error', 'P']]);
    expect(run([block('P', 0, 10), block('C', 5, 20)], [lin('P'), lin('C', ['P'])]).found).toEqual([['error', 'P']]);
  });

  it('two blocks naming each other serve nothing; a parent that is not in the snapshot is nothing', () => {
    const r = run([block('A', 0, 10), block('B', 0, 10)], [lin('A', ['B', 'X']), lin('B', ['A'])]);
    expect(r).toEqual({ deleted: ['A', 'B'], found: [['error', 'A'], ['error', 'B']] });
  });

  it('a block is known by the ULID in its meta.json, or by its dir name when that does not parse', () => {
    const blocks = [block('dir-a', 0, 10), block('Q', 0, 10), block('C', 0, 20)];
    const findings: Finding[] = [];
    const deleted = checkSuperseded('s', blocks, new Map([['dir-a', lin('A')], ['C', lin('C', ['A', 'Q'])]]), findings);
    expect([...deleted].sort()).toEqual(['Q', 'dir-a']);
  });

  it('past the first findings, one count', () => {
    const n = 50;
    const blocks = [...Array.from({ length: n }, (_, i) => block(`P${i}`, 0, 1)), block('C', 0, 1)];
    const lineages = [...blocks.slice(0, n).map((b) => lin(b.ulid)), lin('C', blocks.slice(0, n).map((b) => b.ulid))];
    const findings: Finding[] = [];
    checkSuperseded('s', blocks, new Map(lineages.map((l, i) => [blocks[i]!.ulid, l])), findings);
    // The first MAX_PER_CODE at their blocks, then one count, as every capped finding.
    expect(findings).toHaveLength(MAX_PER_CODE + 1);
    expect(findings.slice(0, MAX_PER_CODE).every((f) => f.block !== undefined)).toBe(true);
    expect(findings.at(-1)).toEqual({ severity: 'warning', code: 'block-superseded', snapshot: 's', message: '30 more block-superseded findings not listed (50 in all)' });
  });
});
