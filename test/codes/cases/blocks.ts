// Cases for the codes about the blocks of a snapshot together: blocks
// Prometheus deletes on start because another block names them as its
// compaction parents (tsdb/db.go reloadBlocks), and blocks that overlap.

import { expect } from 'vitest';
import { Code } from '../../../src/encoding/finding-codes.js';
import type { Member } from '../../fuzz/tarball.js';
import { editMeta } from '../block-edit.js';
import { archiveOf, realMembers, realPlace, type CodeCase } from '../case.js';

const { snapshot, block, prefix } = realPlace();
/** A ULID for a copy of the first block. */
const COPY = '01M81V435F3FDT7KYM95FWRKSX';

/** The first block's meta.json as given, parsed. */
function firstMeta(ms: Member[]): Record<string, any> {
  return JSON.parse(Buffer.from(ms.find((m) => m.name === prefix + 'meta.json')!.data!).toString('utf8'));
}

/** The real members with another block's meta.json naming the first block as a parent. */
function parentOfAnother(): Member[] {
  const ms = realMembers();
  const other = ms.find((m) => m.name.endsWith('/meta.json') && !m.name.startsWith(prefix))!;
  const meta = JSON.parse(Buffer.from(other.data!).toString('utf8'));
  const first = firstMeta(ms);
  meta.compaction.parents = [...(meta.compaction.parents ?? []), { ulid: block, minTime: first.minTime, maxTime: first.maxTime }];
  other.data = Buffer.from(JSON.stringify(meta));
  return ms;
}

/** A copy of the first block under COPY whose meta.json names the first block as its parent (a compaction that replaced it). */
function supersededBy(edit: (meta: Record<string, any>) => void = () => {}): Member[] {
  const ms = realMembers();
  const copyPrefix = `snapshots/${snapshot}/${COPY}/`;
  const first = firstMeta(ms);
  const copy = ms
    .filter((m) => m.name.startsWith(prefix))
    .map((m) => {
      if (!m.name.endsWith('meta.json')) return { ...m, name: copyPrefix + m.name.slice(prefix.length) };
      const meta = { ...first, ulid: COPY, compaction: { ...first.compaction, level: 2, parents: [{ ulid: block, minTime: first.minTime, maxTime: first.maxTime }] } };
      edit(meta);
      return { name: copyPrefix + 'meta.json', data: Buffer.from(JSON.stringify(meta)) };
    });
  return [...ms, ...copy];
}

export const cases: CodeCase[] = [
  {
    code: Code.BlockSuperseded,
    what: 'a block named as a parent by a block that covers its time range (Prometheus 2.42 and 3.5 delete it on start and serve every sample from the child)',
    build: () => archiveOf(supersededBy()),
    expect: { severity: 'warning', snapshot, block, file: null, offset: null },
    check: (r) => {
      expect(r.ok).toBe(true);
      // The parent is not loaded, so it overlaps nothing.
      expect(r.findings.filter((f) => f.code === Code.BlocksOverlap)).toEqual([]);
    },
  },
  {
    code: Code.BlockSuperseded,
    what: 'a block named as a parent by a block that does not cover its time range (Prometheus 2.42 and 3.5 delete it on start: its samples are lost)',
    build: () => archiveOf(parentOfAnother()),
    expect: { severity: 'error', snapshot, block, file: null, offset: null },
  },
  {
    code: Code.BlockSuperseded,
    what: 'a block that names itself as a parent (Prometheus 2.42 and 3.5 delete it on start)',
    build: () => archiveOf(editMeta((meta) => (meta.compaction.parents = [{ ulid: block, minTime: meta.minTime, maxTime: meta.maxTime }]))),
    expect: { severity: 'error', snapshot, block, file: null, offset: null },
    check: (_, f) => expect(f.message).toMatch(/names itself/),
  },
  {
    code: Code.BlocksOverlap,
    what: 'two in-order blocks overlap; a third, of out-of-order compaction (hint from-out-of-order), overlaps both by design and is not reported',
    build: () => {
      const ms = supersededBy((meta) => {
        meta.compaction = { level: 1, sources: [COPY], hints: ['from-out-of-order'] };
      });
      return archiveOf(editMeta((meta) => (meta.maxTime += 60_000), ms));
    },
    expect: { severity: 'warning', snapshot, block: null, file: null, offset: null },
    check: (r) => {
      const overlaps = r.findings.filter((f) => f.code === Code.BlocksOverlap);
      expect(overlaps).toHaveLength(1);
      expect(overlaps[0]!.message).toContain(block);
      expect(overlaps[0]!.message).not.toContain(COPY);
    },
  },
];
