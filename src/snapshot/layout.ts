// Find the snapshots and blocks under a directory: an extracted archive
// root (snapshots/<name>/<ULID>/…), a snapshot dir, a Prometheus data dir,
// or a single block dir.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

export interface BlockLocation {
  /** Dir name, normally the block's ULID. */
  name: string;
  path: string;
}

export interface SnapshotLocation {
  /** Snapshot dir name (`20250820T165101Z-0eb533ff8d43ed64`), or the dir's name for a data dir. */
  name: string;
  path: string;
  blocks: BlockLocation[];
  /** A Prometheus data dir (it has wal/ or chunks_head/), whose head must be replayed too. */
  dataDir?: boolean;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function subdirs(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Block dirs directly under `dir`: subdirs holding a meta.json. */
export function blocksIn(dir: string): BlockLocation[] {
  return subdirs(dir)
    .filter((n) => isFile(path.join(dir, n, 'meta.json')))
    .map((n) => ({ name: n, path: path.join(dir, n) }));
}

export function discover(root: string): SnapshotLocation[] {
  if (!isDir(root)) throw new TsdbError(ErrorCode.NotFound, `${root}: not a directory`);
  if (isFile(path.join(root, 'meta.json'))) {
    const parent = path.dirname(path.resolve(root));
    return [{ name: path.basename(parent), path: parent, blocks: [{ name: path.basename(path.resolve(root)), path: root }] }];
  }
  const own = blocksIn(root);
  const dataDir = isDir(path.join(root, 'wal')) || isDir(path.join(root, 'chunks_head'));
  if (own.length > 0 || dataDir) return [{ name: path.basename(path.resolve(root)), path: root, blocks: own, dataDir }];
  // A tar of a data dir unpacks to one top dir holding it (e.g. data/).
  const tops = subdirs(root);
  if (tops.length === 1 && !isDir(path.join(root, 'snapshots'))) {
    const inner = path.join(root, tops[0]);
    if (isDir(path.join(inner, 'wal')) || isDir(path.join(inner, 'chunks_head')) || blocksIn(inner).length > 0) return discover(inner);
  }
  const snaps = path.join(root, 'snapshots');
  if (isDir(snaps)) {
    return subdirs(snaps).map((n) => ({ name: n, path: path.join(snaps, n), blocks: blocksIn(path.join(snaps, n)) }));
  }
  return [];
}
