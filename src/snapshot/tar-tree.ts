// The tree that `tar x` leaves, path by path, so that what is checked is what
// an operator restores (`tar xzf snapshots.tgz`, GNU tar, default options).
// Measured with GNU tar 1.34 (test/snapshot/tar-tree.test.ts builds each
// archive and extracts it with the system tar):
//   - a file (or hard link) where a file was: the old one is unlinked first, so
//     a second path hard-linked to it keeps the old content;
//   - a file where an empty dir was: the dir is removed;
//   - a file where a non-empty dir was: "Cannot open: File exists", not restored;
//   - a dir where a file was: the file is removed (its data is lost);
//   - anything below a file: "Not a directory", not restored;
//   - missing parent dirs are made.
// Removal never reaches below the path itself, so a node, once made, only
// changes kind: a dir's children are counted, never uncounted.

export type NodeKind = 'file' | 'directory';

interface Node {
  kind: NodeKind;
  /** Children made under a dir. */
  children: number;
  /** A file handed to the visitor: its size (what a hard link to it reads); -1 for one not read. */
  size: number;
}

/** What placing a member did: replaced an earlier node of the other kind, or failed as tar fails. */
export type Placed = { replaced?: NodeKind } | { fails: string };

/**
 * Parent dirs that no member names (a tar without dir members) are kept up to this many
 * path bytes in all; a hostile archive of deep paths stops the ancestor check there, not
 * memory (members themselves are bounded by MAX_MEMBERS).
 */
const MAX_IMPLICIT_BYTES = 64 << 20;

export class TarTree {
  private readonly nodes = new Map<string, Node>();
  private implicitBytes = 0;

  /** The size of the file now at `path` if it was handed to the visitor; undefined for anything else. */
  readFile(path: string): number | undefined {
    const n = this.nodes.get(path);
    return n?.kind === 'file' && n.size >= 0 ? n.size : undefined;
  }

  /** Note that the file at `path` was handed to the visitor whole, `size` bytes once restored. */
  read(path: string, size: number): void {
    const n = this.nodes.get(path);
    if (n?.kind === 'file') n.size = size;
  }

  /** Place a member at `path` (normalized) as tar x would. */
  place(path: string, kind: NodeKind): Placed {
    const missing: string[] = [];
    let up: Node | undefined;
    if (this.implicitBytes <= MAX_IMPLICIT_BYTES) {
      // Up to the nearest dir known: a dir's ancestors are all dirs (a dir with a child is never replaced).
      for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
        const p = path.slice(0, i);
        up = this.nodes.get(p);
        if (up?.kind === 'file') return { fails: `\`${p}\` is a file, not a directory (tar: "Cannot open: Not a directory")` };
        if (up) break;
        missing.push(p);
      }
    } else up = this.nodes.get(path.slice(0, Math.max(0, path.lastIndexOf('/'))));
    const here = this.nodes.get(path);
    if (here?.kind === 'directory' && kind === 'file' && here.children > 0) return { fails: 'a directory with members under it is there (tar: "Cannot open: File exists")' };
    // tar makes the missing parents, top down.
    for (let i = missing.length - 1; i >= 0; i--) {
      const n: Node = { kind: 'directory', children: 0, size: -1 };
      if (up) up.children++;
      this.nodes.set(missing[i]!, n);
      this.implicitBytes += missing[i]!.length;
      up = n;
    }
    if (!here) {
      if (up) up.children++;
      this.nodes.set(path, { kind, children: 0, size: -1 });
      return {};
    }
    const was = here.kind;
    here.kind = kind;
    here.size = -1;
    return was === kind ? {} : { replaced: was };
  }
}
