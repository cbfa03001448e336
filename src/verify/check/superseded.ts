// Blocks of one snapshot that Prometheus deletes when it opens the data dir
// (tsdb/db.go reloadBlocks, 2.42 and 3.x): every block named in the
// compaction.parents of a block it loads, whether that one is kept or not,
// and a block whose meta.json says compaction.deletable (that one is
// meta-deletable). A deleted block's samples are served only through the
// block that replaced it: after a compaction, a child whose time range
// covers its parent's holds the parent's data, and the parent is just a
// leftover; otherwise its samples are lost on restore.

import type { Finding } from '../../encoding/errors.js';
import type { BlockSummary, Lineage } from './block-check.js';
import { CappedFindings } from '../../encoding/capped.js';
import { Code } from '../../encoding/finding-codes.js';

/**
 * Report each block a loaded block names as a parent, and return the dir names of the
 * blocks Prometheus deletes on start. `lineage` is by block dir name; a block without one
 * (its meta.json does not parse) cannot be loaded, so its parents are not deleted.
 */
export function checkSuperseded(snapshot: string, blocks: readonly BlockSummary[], lineage: ReadonlyMap<string, Lineage>, findings: Finding[]): Set<string> {
  // Prometheus knows a block by the ULID in its meta.json (by its dir name when that does not parse).
  const ulidOf = (b: BlockSummary) => lineage.get(b.ulid)?.ulid ?? b.ulid;
  const children = new Map<string, BlockSummary[]>();
  for (const b of blocks) {
    for (const p of new Set(lineage.get(b.ulid)?.parents)) {
      const list = children.get(p);
      if (list) list.push(b);
      else children.set(p, [b]);
    }
  }
  const deleted = new Set<string>();
  for (const b of blocks) if (children.has(ulidOf(b)) || lineage.get(b.ulid)?.deletable) deleted.add(b.ulid);

  // The block that serves a deleted block's time range: a child covering it that is kept, or that is deleted and served so in turn.
  const servedBy = new Map<string, BlockSummary | null>();
  const server = (b: BlockSummary): BlockSummary | null => {
    if (!deleted.has(b.ulid)) return b;
    if (servedBy.has(b.ulid)) return servedBy.get(b.ulid)!;
    servedBy.set(b.ulid, null); // a cycle of parents serves nothing
    let found: BlockSummary | null = null;
    for (const c of children.get(ulidOf(b)) ?? []) {
      if (!covers(c, b)) continue;
      found = server(c);
      if (found) break;
    }
    servedBy.set(b.ulid, found);
    return found;
  };

  // The first are listed, each at its block; then one count (a hostile archive may hold thousands).
  const listed = new CappedFindings(findings);
  for (const b of blocks) {
    const kids = children.get(ulidOf(b));
    if (!kids) continue;
    const by = server(b);
    const severity = by ? 'warning' : 'error';
    if (!listed.admit(severity, Code.BlockSuperseded)) continue;
    const names = kids.slice(0, 3).map((c) => c.ulid).join(', ') + (kids.length > 3 ? `, … (${kids.length})` : '');
    const range = b.minTime === null ? 'its time range' : `its time range [${b.minTime}, ${b.maxTime})`;
    const what = `block ${b.ulid} is a parent of ${names}${kids.includes(b) ? ' (it names itself)' : ''} (compaction.parents in meta.json): Prometheus deletes it when it opens the data dir`;
    const message = by ? `${what}; ${range} is served from ${by.ulid}, which covers it` : `${what}, and no block that replaces it covers ${range}, so its samples are not served`;
    findings.push({ severity, code: Code.BlockSuperseded, snapshot, block: b.ulid, message });
  }
  listed.close((severity, code, message) => findings.push({ severity, code, snapshot, message }));
  return deleted;
}

/** Whether `a`'s time range holds `b`'s. */
function covers(a: BlockSummary, b: BlockSummary): boolean {
  return a.minTime !== null && a.maxTime !== null && b.minTime !== null && b.maxTime !== null && a.minTime <= b.minTime && b.maxTime <= a.maxTime;
}
