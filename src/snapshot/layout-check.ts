// Layout checks over the members that classify.ts placed in snapshot dirs:
//   snapshots/<YYYYMMDDTHHMMSSZ-16 hex>/<ULID>/{chunks/000001…, index, meta.json, tombstones}
// Pure functions over the whole list, so tar member order does not matter
// and no file content is needed. File contents are checked elsewhere.

import type { Finding } from '../encoding/errors.js';
import { segmentName } from '../chunks/segment.js';
import { CappedFindings } from '../encoding/capped.js';
import { Code, type FindingCode } from '../encoding/finding-codes.js';
import { isSegmentFileName, segmentOrder } from '../chunks/segment.js';
import type { Place } from './classify.js';
import { isULID } from '../meta/meta.js';

export interface MemberInfo {
  name: string;
  type: 'file' | 'directory';
  size: number;
}

export interface BlockFilesInfo {
  snapshot: string;
  block: string;
  /** Block-relative path (`index`, `chunks/000001`) -> size in bytes. */
  files: Map<string, number>;
}

export interface LayoutResult {
  findings: Finding[];
  /** Every snapshot dir, sorted by name; `blocks` holds its ULID-named block dirs, sorted. */
  snapshots: { name: string; blocks: BlockFilesInfo[] }[];
}

// Prometheus names a snapshot fmt.Sprintf("%s-%016x", now.UTC().Format("20060102T150405Z0700"), rand.Int63()).
const SNAPSHOT_NAME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[0-9a-f]{16}$/;
const SEGMENT = /^\d{6}$/;
/** Findings of one code beyond this many are counted in one summary (a hostile archive can repeat one 100,000 times). */

export function isSnapshotName(name: string): boolean {
  const m = SNAPSHOT_NAME.exec(name);
  if (!m) return false;
  const [mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 60;
}

/** A block dir name, as Prometheus's isBlockDir accepts it (ulid.ParseStrict). */
export function isBlockName(name: string): boolean {
  return isULID(name);
}

interface BlockDir {
  files: Map<string, number>;
  dirs: Set<string>;
}

interface SnapshotDir {
  blocks: Map<string, BlockDir>;
  named: boolean;
}

/**
 * Check the layout of the members that classify.ts placed in snapshot dirs (`places[i]` is
 * where `members[i]` belongs); it reports the rest.
 */
export function checkLayout(members: readonly MemberInfo[], places: readonly Place[]): LayoutResult {
  const findings = new CappedFindings();
  const snaps = new Map<string, SnapshotDir>();
  const seen = new Set<string>();

  const snapshotOf = (name: string, named: boolean): SnapshotDir => {
    let s = snaps.get(name);
    if (!s) snaps.set(name, (s = { blocks: new Map(), named }));
    return s;
  };

  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    const place = places[i]!;
    if (place.kind !== 'snapshot' && place.kind !== 'block') continue;
    // A snapshot dir found under snapshots/ should be named as the snapshot API names it.
    const named = place.via === 'snapshots';
    const p = place.kind === 'block' ? { snapshot: place.snapshot, block: place.block, rel: place.rel } : { snapshot: place.snapshot, block: undefined, rel: undefined };
    const key = [p.snapshot, p.block, p.rel].filter((x) => x !== undefined).join('/');
    if (m.type === 'file') {
      // A later copy of a path overwrites the earlier one when tar extracts.
      if (seen.has(key)) {
        const f: Finding = { severity: 'warning', code: Code.DuplicateMember, snapshot: p.snapshot, message: `${m.name} is in the archive more than once; extracting keeps only the last copy` };
        if (p.block !== undefined) f.block = p.block;
        if (p.rel !== undefined) f.file = p.rel;
        findings.push(f);
      }
      seen.add(key);
    }
    if (p.block === undefined) {
      snapshotOf(p.snapshot, named);
      continue;
    }
    const snap = snapshotOf(p.snapshot, named);
    if (p.rel === undefined && m.type === 'file') {
      findings.push({ severity: 'warning', code: Code.UnexpectedFile, snapshot: p.snapshot, message: `snapshots/${p.snapshot}/${p.block} is a file beside the block dirs; Prometheus ignores it` });
      continue;
    }
    let b = snap.blocks.get(p.block);
    if (!b) snap.blocks.set(p.block, (b = { files: new Map(), dirs: new Set() }));
    if (p.rel === undefined) continue;
    if (m.type === 'file') b.files.set(p.rel, m.size);
    else b.dirs.add(p.rel);
  }

  const snapshots: LayoutResult['snapshots'] = [];
  for (const name of [...snaps.keys()].sort()) {
    const snap = snaps.get(name)!;
    if (snap.named && !isSnapshotName(name)) {
      findings.push({ severity: 'warning', code: Code.BadSnapshotName, snapshot: name, message: `snapshot dir snapshots/${name} is not named like a Prometheus snapshot (YYYYMMDDTHHMMSSZ-<16 lowercase hex>)` });
    }
    const blocks: BlockFilesInfo[] = [];
    for (const block of [...snap.blocks.keys()].sort()) {
      if (!isULID(block)) {
        findings.push({ severity: 'error', code: Code.BadBlockName, snapshot: name, block, message: `snapshots/${name}/${block} is not named by a ULID; Prometheus only loads block dirs named by a ULID and would ignore it` });
        continue;
      }
      const b = snap.blocks.get(block)!;
      checkBlock(name, block, b, findings);
      blocks.push({ snapshot: name, block, files: b.files });
    }
    snapshots.push({ name, blocks });
  }

  const total = snapshots.reduce((n, s) => n + s.blocks.length, 0);
  if (total === 0) {
    const what = snapshots.length === 0 ? 'no snapshot dir under snapshots/' : `no block dir in ${snapshots.map((s) => `snapshots/${s.name}`).join(', ')}`;
    findings.push({ severity: 'error', code: Code.NoBlocks, message: `the archive holds ${what}; restoring it restores no data` });
  } else {
    for (const s of snapshots) {
      if (s.blocks.length === 0) findings.push({ severity: 'warning', code: Code.EmptySnapshot, snapshot: s.name, message: `snapshot dir snapshots/${s.name} holds no block dir` });
    }
  }
  return { findings: findings.close(), snapshots };
}

const BLOCK_FILES = new Set(['meta.json', 'index', 'tombstones', 'chunks']);

function checkBlock(snapshot: string, block: string, b: BlockDir, findings: CappedFindings): void {
  const where = `snapshots/${snapshot}/${block}`;
  const f = (severity: Finding['severity'], code: FindingCode, file: string, message: string) =>
    findings.push({ severity, code, snapshot, block, file, message });

  if (!b.files.has('meta.json')) f('error', Code.MissingMeta, 'meta.json', `${where} has no meta.json; Prometheus cannot open the block`);
  if (!b.files.has('index')) f('error', Code.MissingIndex, 'index', `${where} has no index; Prometheus cannot open the block`);
  if (!b.files.has('tombstones')) f('warning', Code.MissingTombstones, 'tombstones', `${where} has no tombstones file (Prometheus reads a missing one as empty)`);

  // Segments: Prometheus maps every file in chunks/ whose name parses as a number, in name
  // order, and a chunk ref's upper 32 bits are a position in that list (chunks.go
  // NewDirReader), so 000001 is segment 0 only because it sorts first.
  const segs: string[] = [];
  let hasChunks = b.dirs.has('chunks');
  const reported = new Set<string>();
  for (const rel of [...b.files.keys(), ...b.dirs].sort()) {
    const top = rel.split('/', 1)[0]!;
    if (!BLOCK_FILES.has(top)) {
      if (!reported.has(top)) f('warning', Code.UnexpectedFile, top, `${where}/${top} is not part of a block (meta.json, index, chunks/, tombstones)`);
      reported.add(top);
    } else if (top === 'chunks' && rel !== 'chunks') {
      hasChunks = true;
      const seg = rel.slice('chunks/'.length);
      const isFile = b.files.has(rel);
      if (isFile && isSegmentFileName(seg)) segs.push(seg);
      // A dir cannot be mapped: NewDirReader fails, and the block with it.
      else if (isSegmentFileName(seg)) f('error', Code.UnexpectedFile, rel, `${where}/${rel} is a dir with a segment's name; Prometheus cannot open the block ("mmap files: no such device")`);
      else f('warning', Code.UnexpectedFile, rel, `${where}/${rel} is not a chunk segment: Prometheus reads only files named by a number (000001, 000002, …) and ignores it`);
    } else if (top !== 'chunks' && b.dirs.has(rel)) {
      f('warning', Code.UnexpectedFile, rel, `${where}/${rel} is a dir, not a file`);
    }
  }
  if (!hasChunks) {
    f('error', Code.MissingChunks, 'chunks', `${where} has no chunks/ dir${b.files.has('chunks') ? ' (chunks is a file)' : ''}`);
    return;
  }
  if (segs.length === 0) {
    // Prometheus creates segment 000001 with the first chunk and never persists a block
    // without samples (LeveledCompactor.write returns early), so this is not a real block.
    f('error', Code.NoChunkSegments, 'chunks', `${where}/chunks holds no segment file; a Prometheus block always has chunks/000001`);
    return;
  }
  checkSegmentNames(where, segmentOrder(segs), f);
}

/**
 * Segment names other than Prometheus's own (000001, 000002, … at positions 0, 1, …) are
 * read all the same, by position: warnings that say so. Whether the index's chunk refs
 * then land on chunks is for the block check, which maps segments the same way.
 */
function checkSegmentNames(where: string, order: string[], f: (severity: Finding['severity'], code: FindingCode, file: string, message: string) => void): void {
  const byPosition = (i: number) => `Prometheus maps chunk refs to segment files by their position in name order, so it reads this one as segment ${i + 1} of ${order.length}; the index's chunk refs are checked against the files so mapped`;
  const have = new Set(order);
  const last = order.reduce((m, n) => (SEGMENT.test(n) ? Math.max(m, Number(n)) : m), 0);
  const missing: string[] = [];
  for (let want = 1; want <= last && missing.length < 5; want++) if (!have.has(segmentName(want))) missing.push(segmentName(want));
  let gap = false;
  order.forEach((name, i) => {
    const rel = `chunks/${name}`;
    if (!SEGMENT.test(name)) f('warning', Code.BadSegmentName, rel, `${where}/${rel}: Prometheus writes segment names of six digits (000001); ${byPosition(i)}`);
    else if (Number(name) !== i + 1 && !gap) {
      gap = true;
      const why = name === '000000' ? 'numbering starts at 000001' : missing.length > 0 ? `chunks/ has no segment ${missing.join(', ')}${missing.length === 5 ? ', …' : ''}` : 'segments named otherwise sort before it';
      f('warning', Code.ChunkSegmentGap, rel, `${where}/${rel}: ${why}; ${byPosition(i)}`);
    }
  });
}

