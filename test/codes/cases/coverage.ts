// Cases for what a snapshot covers (src/verify/check/coverage.ts): a hole
// between its blocks, less history than asked for, no head.

import { expect } from 'vitest';
import { Code } from '../../../src/encoding/finding-codes.js';
import type { Member } from '../../fuzz/tarball.js';
import { buildTar } from '../../fuzz/tarball.js';
import { archiveOf, realMembers, realPlace, type CodeCase } from '../case.js';

const { snapshot } = realPlace();
/** A level-2 block in the middle of the real snapshot: [1795305600000, 1795327140001). */
export const MIDDLE = '01M81V49973SAKH6H329SWWYDN';
/** The head block the snapshot API wrote (skip_head=false): level 1, its ULID made at the snapshot's time. */
export const HEAD = '01M81V70BWRRN49VQ1VV6H21P4';

/** The real members without one block's. */
export function without(block: string, ms: Member[] = realMembers()): Member[] {
  return ms.filter((m) => !m.name.startsWith(`snapshots/${snapshot}/${block}/`));
}

export const cases: CodeCase[] = [
  {
    code: Code.CoverageGap,
    what: 'a block in the middle of a snapshot is gone: no block covers its time',
    build: () => archiveOf(without(MIDDLE)),
    expect: { severity: 'warning', snapshot, block: null, file: null },
    check(_r, f) {
      // From the block before it to the one after it (each a minute, one scrape, from its range).
      expect(f.message).toContain('from 1795305540001 (2026-11-21T23:59:00.001Z) to 1795327200000 (2026-11-22T06:00:00.000Z)');
      expect(f.message).toContain('between block 01M81V4972GQCM9WTNQ9F9SJEZ and block 01M81V435F3FDT7KYM95FWRKSW');
    },
  },
  {
    code: Code.CoverageShort,
    what: '--expect-range 28h on a snapshot of 27h2m',
    build: () => ({ archive: buildTar(realMembers()).tar, options: { coverage: { expectRange: 28 * 3600e3 } } }),
    expect: { severity: 'error', snapshot, block: null, file: null },
    check(_r, f) {
      expect(f.message).toContain('covers 27h2m25.148s (from 1795261080000');
    },
  },
  {
    code: Code.CoverageNoHead,
    what: '--expect-head on a snapshot without the head block (skip_head=true)',
    build: () => ({ archive: buildTar(without(HEAD)).tar, options: { coverage: { expectHead: true } } }),
    expect: { severity: 'error', snapshot, block: null, file: null },
    check(_r, f) {
      expect(f.message).toContain('newest block 01M81V4397ER1SCEFRK7VM70W2 (level 1');
    },
  },
];
