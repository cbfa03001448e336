// Cases for the codes of the input classifier (src/snapshot/classify.ts): archives
// not laid out as the operator procedure makes them (tar czf snapshots.tgz snapshots/).

import { archiveOf, realMembers, realPlace, type CodeCase } from '../case.js';

/** The real fixture's members with `snapshots/<snapshot>/` replaced by `to` (`data/`, `` …). */
function moved(to: string) {
  const { snapshot } = realPlace();
  const from = `snapshots/${snapshot}/`;
  return realMembers()
    .filter((m) => m.name.startsWith(from) && m.name !== from)
    .map((m) => ({ ...m, name: to + m.name.slice(from.length) }));
}

const nowhere = { snapshot: null, block: null, file: null } as const;

export const cases: CodeCase[] = [
  {
    code: 'outside-snapshots',
    what: 'a file beside snapshots/ in the archive',
    build: () => archiveOf([...realMembers(), { name: 'README', data: new Uint8Array([120]) }]),
    expect: { severity: 'error', ...nowhere },
    check: (r, f) => {
      if (!f.message.includes('`README`')) throw new Error(f.message);
      if (!r.snapshots.every((s) => s.blocks.every((b) => b.ok))) throw new Error('the blocks are still read and fine');
    },
  },
  {
    code: 'no-snapshots-dir',
    what: 'a snapshot dir archived from inside (tar czf s.tgz -C snapshots/<name> .)',
    build: () => archiveOf(moved('./')),
    expect: { severity: 'warning', ...nowhere },
    check: (r) => {
      if (r.snapshots.length !== 1 || r.snapshots[0]!.blocks.length !== 7 || !r.ok) throw new Error('all 7 blocks are read, as one snapshot');
    },
  },
  {
    code: 'unexpected-file',
    what: 'a stray file in an archived data dir',
    build: () => archiveOf([...moved('data/'), { name: 'data/notes.txt', data: new Uint8Array([120]) }]),
    expect: { severity: 'warning', ...nowhere },
    check: (_r, f) => {
      if (!f.message.includes('`data/notes.txt`')) throw new Error(f.message);
    },
  },
  {
    code: 'unexpected-file',
    what: "a data dir's own snapshots/ (not read, as Prometheus does not)",
    build: () => {
      const { snapshot } = realPlace();
      return archiveOf([...moved('data/'), { name: 'data/wal/00000000', data: new Uint8Array(0) }, ...moved(`data/snapshots/${snapshot}/`)]);
    },
    expect: { severity: 'warning', ...nowhere },
    check: (r, f) => {
      if (!f.message.startsWith('data/snapshots/ is the snapshots dir of the data dir data')) throw new Error(f.message);
      if (r.snapshots.map((s) => s.name).join() !== 'data') throw new Error(`snapshots read: ${r.snapshots.map((s) => s.name).join()}`);
    },
  },
];
