// Cases for the layout codes: snapshot and block dirs and the files a block must have.

import { archiveOf, realMembers, realPlace, type CodeCase } from '../case.js';

export const cases: CodeCase[] = [
  {
    code: 'missing-meta',
    what: 'a block without meta.json',
    build: () => {
      const ms = realMembers();
      const { prefix } = realPlace(ms);
      return archiveOf(ms.filter((m) => m.name !== prefix + 'meta.json'));
    },
    expect: { severity: 'error', snapshot: realPlace().snapshot, block: realPlace().block, file: 'meta.json' },
  },
];
