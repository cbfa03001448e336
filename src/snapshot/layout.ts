// The snapshots and blocks under a directory, as classify.ts sees them: the
// dir is walked into the paths an archive of it would hold, so a dir and an
// archive of the same tree are read alike.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../encoding/errors.js';
import { classify, type Classified } from './classify.js';
import { isBlockName, type MemberInfo } from './layout-check.js';

export interface BlockLocation {
  /** Dir name: the block's ULID. */
  name: string;
  path: string;
}

export interface SnapshotLocation {
  /** Snapshot dir name (`20250820T165101Z-0eb533ff8d43ed64`), or the name of the dir holding the blocks (a data dir). */
  name: string;
  path: string;
  blocks: BlockLocation[];
  /** A Prometheus data dir (it has wal/ or chunks_head/), whose head must be replayed too. */
  dataDir?: boolean;
}

/** A walked member and the file it is. */
export interface Walked extends MemberInfo {
  path: string;
}

/**
 * Everything under `dir`, recursively, as archive members named `prefix/…` (just `…` for an
 * empty prefix): dirs as `directory`, regular files as `file`. Links and special files are never followed.
 */
export function walkTree(dir: string, prefix: string, out: Walked[] = []): Walked[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, e.name);
    const name = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) {
      out.push({ name: name + '/', type: 'directory', size: 0, path: full });
      walkTree(full, name, out);
    } else if (e.isFile()) out.push({ name, type: 'file', size: fs.statSync(full).size, path: full });
  }
  return out;
}

/**
 * An input dir as members: named from the dir itself (`data/…`, as `tar czf x.tgz data/` stores
 * them), so that a block dir, a snapshot dir and a data dir are each recognised by their own name,
 * with the parent's name for what sits at their top (one block dir's snapshot).
 */
export function walkInput(dir: string): { members: Walked[]; outer: string } {
  const abs = path.resolve(dir);
  const own = path.basename(abs);
  return { members: walkTree(abs, own), outer: path.basename(path.dirname(abs)) };
}

/** The dir that a walked member's path is `rel` in (a block dir, a data dir). */
export function stripRel(p: string, rel: string | undefined): string {
  if (rel === undefined) return p;
  // An archive member at the top (`wal/000001` of `tar -C data .`) is in the archive's root: ''.
  return p.length === rel.length ? '' : p.slice(0, p.length - rel.length - 1);
}

/**
 * The snapshots a classified walk holds, with the block dirs Prometheus would load: named by
 * a ULID and holding a meta.json.
 */
export function locate(members: readonly Walked[], c: Classified): SnapshotLocation[] {
  const snaps = new Map<string, SnapshotLocation & { seen: Set<string> }>();
  const of = (name: string, dir: string) => {
    let s = snaps.get(name);
    if (!s) snaps.set(name, (s = { name, path: dir, blocks: [], seen: new Set() }));
    return s;
  };
  c.places.forEach((p, i) => {
    const m = members[i]!;
    if (p.kind === 'head') {
      const s = of(p.snapshot, stripRel(m.path, p.rel));
      s.path = stripRel(m.path, p.rel);
      s.dataDir = true;
    } else if (p.kind === 'snapshot') of(p.snapshot, m.path);
    else if (p.kind === 'block' && p.rel === 'meta.json' && m.type === 'file' && isBlockName(p.block)) {
      const blockDir = stripRel(m.path, p.rel);
      const s = of(p.snapshot, path.dirname(blockDir));
      if (!s.seen.has(p.block)) s.blocks.push({ name: p.block, path: blockDir });
      s.seen.add(p.block);
    }
  });
  return [...snaps.values()].map(({ seen: _, ...s }) => s);
}

/** Classify a walked dir (an input dir, or an unpacked archive) and locate its snapshots. */
export function discover(members: Walked[], opts: { archive: boolean; outer?: string }): { snapshots: SnapshotLocation[]; findings: Finding[] } {
  const c = classify(members, opts);
  return { snapshots: locate(members, c), findings: c.findings };
}
