// The case for internal-error: a bug (an exception that is not a TsdbError) while checking a
// block becomes that block's finding, and the other blocks are still checked.

import { vi } from 'vitest';
import { expect } from 'vitest';
import { Decbuf } from '../../../src/encoding/decbuf.js';
import { archiveOf, realMembers, realPlace, type CodeCase } from '../case.js';

const place = realPlace();

export const cases: CodeCase[] = [
  {
    code: 'internal-error',
    what: 'a reader throws a TypeError (a bug) while the index is checked',
    setup: () => {
      const spy = vi.spyOn(Decbuf.prototype, 'uvarintStr').mockImplementation(() => {
        throw new TypeError('injected bug');
      });
      return () => spy.mockRestore();
    },
    build: () => archiveOf(realMembers()),
    expect: { severity: 'error', snapshot: place.snapshot, block: place.block },
    check: (r, f) => {
      expect(f.message).toContain('injected bug');
      // The other blocks are still checked and counted.
      expect(r.snapshots[0]!.blocks.filter((b) => b.numSeries > 0).length).toBeGreaterThan(1);
    },
  },
];
