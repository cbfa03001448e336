// Which layout an input has and where each of its paths belongs: one classifier
// for every command and every input form (an archive's member paths, or a
// directory walked into the paths `tar czf x.tgz <dir>/` would store). Pure
// functions over paths: no file is read, and member order does not matter.
//
// Layouts, each possibly under a prefix dir (`./`, `backup/`, `prometheus/`):
//   snapshots/<snapshot>/<ULID>/…   the operator procedure: tar czf snapshots.tgz snapshots/
//   <snapshot>/<ULID>/…             the same with tar -C snapshots . (or snapshots/ renamed): the
//                                   snapshot dir is known by its name, as the snapshot API makes it
//   <ULID>/…, wal/…, chunks_head/…  a data dir, or a snapshot dir's contents (tar -C snapshots/<s> .),
//                                   named after the dir that holds them; one block dir is <ULID>/…
// A data dir's own snapshots/ (data/snapshots/…, beside wal/) is not read, as Prometheus does not.

import type { Finding } from '../encoding/errors.js';
import { CappedFindings } from '../encoding/capped.js';
import { Code } from '../encoding/finding-codes.js';
import { isBlockName, isSnapshotName, type MemberInfo } from './layout-check.js';

/**
 * How a snapshot was found: as a dir under one named snapshots/, by a snapshot dir's own
 * name, or as a dir holding block dirs or a WAL (a data dir, or a snapshot dir's contents).
 */
export type Via = 'snapshots' | 'named' | 'dir';

/** Where a path belongs. `container` is the path of the dir holding the snapshot dirs (`snapshots`, `real`) or, for `dir`, the blocks. */
export type Place =
  | { kind: 'snapshot'; snapshot: string; via: Via; container: string }
  | { kind: 'block'; snapshot: string; via: Via; container: string; block: string; rel?: string }
  | { kind: 'head'; snapshot: string; via: 'dir'; container: string; rel: string }
  | { kind: 'none' };

/** The name of the dir that holds the input's paths when it has no name of its own (an archive's root). */
export const ROOT = '.';

// wbl/: the out-of-order write-behind log, replayed after wal/ (head.ts).
const HEAD = new Set(['wal', 'wbl', 'chunks_head']);
/** Files a running server keeps in its data dir beside the blocks. */
const SERVER_FILES = new Set(['lock', 'queries.active']);

/** Path components, without `.` and empty ones. */
function partsOf(name: string): string[] {
  return name.split('/').filter((p) => p !== '' && p !== '.');
}

/**
 * Where one path belongs, by its own components: the first that names a snapshots/ dir, a
 * snapshot dir, a block dir (ULID) or wal/ / chunks_head/ anchors it. `outer` names the dir
 * that holds the paths, for blocks or a WAL at their top.
 */
export function placePath(name: string, dir: boolean, outer = ROOT): Place {
  const parts = partsOf(name);
  for (let k = 0; k < parts.length; k++) {
    const c = parts[k]!;
    const below = k + 1 < parts.length;
    if (c === 'snapshots' && below) return inSnapshot(parts, k + 1, 'snapshots', dir);
    if (isSnapshotName(c) && !(below && HEAD.has(parts[k + 1]!))) return inSnapshot(parts, k, 'named', dir);
    const container = parts.slice(0, k).join('/');
    const snapshot = k > 0 ? parts[k - 1]! : outer;
    if (isBlockName(c)) {
      const rel = parts.slice(k + 1).join('/');
      return rel ? { kind: 'block', snapshot, via: 'dir', container, block: c, rel } : { kind: 'block', snapshot, via: 'dir', container, block: c };
    }
    if (HEAD.has(c)) return { kind: 'head', snapshot, via: 'dir', container, rel: parts.slice(k).join('/') };
  }
  return { kind: 'none' };
}

function inSnapshot(parts: string[], s: number, via: Via, dir: boolean): Place {
  const snapshot = parts[s]!;
  const container = parts.slice(0, s).join('/');
  // A file where a snapshot dir would be is not part of any snapshot.
  if (s + 1 === parts.length) return dir ? { kind: 'snapshot', snapshot, via, container } : { kind: 'none' };
  const block = parts[s + 1]!;
  const rel = parts.slice(s + 2).join('/');
  return rel ? { kind: 'block', snapshot, via, container, block, rel } : { kind: 'block', snapshot, via, container, block };
}

export interface PathInfo {
  name: string;
  type: 'file' | 'directory';
}

export interface Classified {
  /** Each member's place, in input order: what placePath says, or `none` for what the layout does not read. */
  places: Place[];
  /** `snapshots` when snapshot dirs were found (anything else is then outside them), else `dirs`. */
  layout: 'snapshots' | 'dirs';
  findings: Finding[];
}

/**
 * Classify all paths of one input. `archive` says the paths are an archive's members, which
 * should follow the operator procedure (its findings say where they do not); a directory may
 * be any layout, and files beside it are none of the input's business.
 */
export function classify(members: readonly PathInfo[], opts: { archive: boolean; outer?: string }): Classified {
  const places = members.map((m) => placePath(m.name, m.type === 'directory', opts.outer));
  const dataDirs = new Set(places.flatMap((p) => (p.kind === 'head' ? [p.container] : [])));
  const findings: Finding[] = [];
  // A data dir's own snapshots/ (the snapshot API writes there): Prometheus never reads it as blocks.
  const own = new Set<string>();
  const quiet = new Set<number>();
  places.forEach((p, i) => {
    if (p.kind === 'none' || p.via !== 'snapshots' || !dataDirs.has(parentOf(p.container))) return;
    own.add(p.container);
    quiet.add(i);
    places[i] = { kind: 'none' };
  });
  for (const c of own) {
    findings.push({
      severity: 'warning',
      code: Code.UnexpectedFile,
      message: `${c}/ is the snapshots dir of the data dir ${parentOf(c) || ROOT}; its snapshots are not read, as Prometheus does not read them (give one as its own input)`,
    });
  }
  const layout = places.some((p) => p.kind !== 'none' && p.via !== 'dir') ? 'snapshots' : 'dirs';
  // In an archive of snapshot dirs, blocks and WALs elsewhere are outside them (and not read).
  if (layout === 'snapshots') places.forEach((p, i) => p.kind !== 'none' && p.via === 'dir' && (places[i] = { kind: 'none' }));
  if (opts.archive) findings.push(...layoutWarnings(places, dataDirs));
  findings.push(...strayFindings(members, places, layout, opts.archive, dataDirs, quiet));
  return { places, layout, findings };
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** An archive not made as the operator procedure makes it: where its snapshots were found instead. */
function layoutWarnings(places: Place[], dataDirs: Set<string>): Finding[] {
  const seen = new Map<string, Place & { kind: 'snapshot' | 'block' | 'head' }>();
  for (const p of places) if (p.kind !== 'none' && !seen.has(`${p.via} ${p.container}`)) seen.set(`${p.via} ${p.container}`, p);
  const out: Finding[] = [];
  for (const p of seen.values()) {
    const at = p.container ? `\`${p.container}/\`` : 'the top of the archive';
    let message: string | undefined;
    if (p.via === 'snapshots' && p.container !== 'snapshots') message = `the snapshots dir is at \`${p.container}/\`, not at the top of the archive (snapshots/); reading the snapshot dirs in it`;
    else if (p.via === 'named') message = `snapshot dirs (\`${p.snapshot}/\`) are at ${at}, not under snapshots/ (made with tar -C snapshots . or a renamed dir?); reading them as snapshots`;
    else if (p.via === 'dir' && !dataDirs.has(p.container)) {
      message = `block dirs are at ${at}, not under snapshots/<snapshot>/ (a snapshot dir's contents, made with tar -C snapshots/<snapshot> .?); reading them as one snapshot named ${p.snapshot}`;
    }
    if (message) out.push({ severity: 'warning', code: Code.NoSnapshotsDir, message });
  }
  return out;
}

/**
 * Files the layout does not read (but those of `quiet` members, already reported together). In
 * an archive each is reported; in a directory only those inside a dir the layout reads (beside
 * snapshot dirs or blocks).
 */
function strayFindings(members: readonly PathInfo[], places: Place[], layout: Classified['layout'], archive: boolean, dataDirs: Set<string>, quiet: Set<number>): Finding[] {
  const containers = new Set(places.flatMap((p) => (p.kind === 'none' ? [] : [p.container])));
  const out = new CappedFindings([], (_, more) => `${more} more members are not read (not listed one by one)`);
  members.forEach((m, i) => {
    if (m.type !== 'file' || places[i]!.kind !== 'none' || quiet.has(i)) return;
    const parts = partsOf(m.name);
    const dir = parts.slice(0, -1).join('/');
    if (!archive && !containers.has(dir)) return;
    if (dataDirs.has(dir) && SERVER_FILES.has(parts[parts.length - 1]!)) return;
    const shown = m.name.length > 200 ? `${m.name.slice(0, 200)}…` : m.name;
    if (archive && layout === 'snapshots') {
      out.push({ severity: 'error', code: Code.OutsideSnapshots, message: `member \`${shown}\` is not under snapshots/<snapshot>/ (the operator procedure archives snapshots/); it is not read` });
    } else out.push({ severity: 'warning', code: Code.UnexpectedFile, message: `\`${shown}\` is neither a block file nor part of the WAL head; Prometheus ignores it` });
  });
  return out.close();
}


/**
 * The members of an archive as they stream past, as `tar x` leaves them: a member that
 * one of the other kind (file, directory) replaces is gone from the tree, so the layout
 * must not see it (tar-tree.ts says which were replaced).
 */
export class StreamedMembers {
  private readonly list: MemberInfo[] = [];
  private readonly lastAt = new Map<string, number>();
  private readonly removed = new Set<number>();

  /** Note one member; its place by its own path. */
  add(e: { name: string; type: string; size: number; replaced?: unknown }): Place {
    const was = this.lastAt.get(e.name);
    if (e.replaced && was !== undefined) this.removed.add(was);
    const type = e.type === 'directory' ? 'directory' : 'file';
    this.lastAt.set(e.name, this.list.length);
    this.list.push({ name: e.name, type, size: e.size });
    return placePath(e.name, type === 'directory');
  }

  /** The members `tar x` would leave, in archive order. */
  present(): MemberInfo[] {
    return this.removed.size ? this.list.filter((_, i) => !this.removed.has(i)) : this.list;
  }
}
