// Cases for the tombstones codes: the first block's tombstones file (one real
// entry) broken, or rewritten with one more entry after the real ones.

import { Code } from '../../../src/encoding/finding-codes.js';
import { readTombstones } from '../../../src/tombstones/tombstones.js';
import { writeTombstones, type TestTombstone } from '../../helpers/tombstonesWriter.js';
import { editFile, editMeta, realFile } from '../block-edit.js';
import { archiveOf, realPlace, type CodeCase } from '../case.js';

const { snapshot, block } = realPlace();
const here = { snapshot, block, file: 'tombstones' };
const real = realFile('tombstones');
/** Where an entry after the real ones starts: before the CRC32C. */
const after = real.length - 4;

/** The real tombstones and `extra` after them (CRC32C recomputed). */
function withEntry(extra: TestTombstone): (d: Uint8Array) => Uint8Array {
  const entries: TestTombstone[] = readTombstones(real).entries;
  return () => writeTombstones([...entries, extra]);
}

export const cases: CodeCase[] = [
  {
    code: Code.TombstonesCorrupt,
    what: 'tombstones with a wrong magic',
    build: () => archiveOf(editFile('tombstones', (d) => ((d[1] ^= 0xff), d))),
    expect: { severity: 'error', ...here, offset: 0 },
  },
  {
    code: Code.TombstonesCrc,
    what: 'tombstones whose CRC32C does not match',
    build: () => archiveOf(editFile('tombstones', (d) => ((d[d.length - 1] ^= 1), d))),
    expect: { severity: 'error', ...here, offset: after },
  },
  {
    code: Code.TombstonesInterval,
    what: 'a tombstone [10, 5] for a real series (Prometheus reads it; it deletes nothing)',
    build: () => archiveOf(editFile('tombstones', withEntry({ ref: readTombstones(real).entries[0]!.ref, minTime: 10, maxTime: 5 }))),
    expect: { severity: 'warning', ...here, offset: after },
  },
  {
    code: Code.TombstonesRef,
    what: 'a tombstone for series 2^30, which the index does not have (meta.json counts it)',
    build: () => {
      const ms = editMeta((m) => (m.stats.numTombstones = (m.stats.numTombstones ?? 0) + 1));
      return archiveOf(editFile('tombstones', withEntry({ ref: 2 ** 30, minTime: 0, maxTime: 1 }), ms));
    },
    expect: { severity: 'warning', ...here, offset: after },
  },
];
