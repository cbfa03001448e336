// Gathers a block's files as they arrive, in any order: chunk segments are
// checked while they stream past; meta.json, index and tombstones are kept
// (bounded by the bytes actually present) until the block is cross-checked.
// That happens as soon as the archive moves on from a block that has all its
// files (tar writes a block dir's members together), and then all the block
// kept is let go: memory does not grow with the archive. A block whose files
// are spread through the archive is checked once it is complete, or at the end.
//
// Findings are listed as if every block were checked at the end: every
// finding made while reading, in archive order, then each block's cross-check.
//
// A hard link (a second path to one file) is checked as a copy of the file it
// links to: what that file's check found is remembered per member path. A
// block of links into a block already checked and let go (two snapshots
// sharing a block) gets that block's check again; a file that comes again
// after its block was checked must be the same as the one checked. The tar
// reader models the tree tar x leaves (tar-tree.ts), so a later file at a
// linked path is a new file (tar unlinks first): only that path changes.
//
// A member, by what it is and where its block B stands:
//
//   file F of B ─────────┬─ B open ──────► addFile: F's data into B
//                        └─ B checked ───► checkLate: the print checked? nothing
//                                          : block-split, F checked alone
//   link L in B ──► T, the file it links to (its memo)
//     ├─ T's kind is L's, B checked ───────► checkLate (T's findings replayed)
//     ├─ T's kind is L's, T's block checked ► a mirror in B: T's print, no data
//     ├─ T's kind is L's, T's block open ──► addFile (T's data shared)
//     ├─ other kind, T's bytes kept ───────► scanned as L's kind, addFile
//     └─ otherwise ────────────────────────► hard-link error
//   dir in place of file F of B ──► removeFile: F gone (block-split if B checked)
//
//   B open ──(complete, archive moves on; or the end: checkRemaining)──► check:
//     every file a mirror of one checked block with its prints ► that block's check
//     otherwise ► hard-link-unchecked per mirror, cross-check (waits while an
//                 index refers to a segment not seen yet, but not at the end)
//   ──► B checked: its data let go (dropData), its prints kept for checkLate

import type { Readable } from 'node:stream';
import type { Finding } from '../../encoding/errors.js';
import { checkBlock, checkTombstones, parseMetaChecked, type BlockCheck, type BlockSummary, type IndexPrecheck, type Lineage } from '../check/block-check.js';
import { bufPrint, countSegment, kindOf, mirrored, quietMeta, ready, segmentsInOrder, tablePrint, uncountSegment, type BlockState, type FileMemo } from './block-state.js';
import { FindingSink, type Recorded } from '../check/findings.js';
import type { HeadSummary } from '../check/head-check.js';
import { checkIndex } from '../check/index-check.js';
import { INDEX_SPILL_AT, IndexSpill } from './index-spill.js';
import { checkOverlaps } from '../check/overlaps.js';
import { checkSuperseded } from '../check/superseded.js';
import type { CoverageOptions, CoverBlock } from '../check/coverage.js';
import { SegmentScanner, type ChunkTable } from '../check/segment-scan.js';
import { Code } from '../../encoding/finding-codes.js';
import { readCapped } from '../../snapshot/hold.js';

export { INDEX_SPILL_AT };

/** meta.json and tombstones are tiny in any real block. */
const MAX_SMALL_FILE = 64 * 1024 * 1024;
/** A checked block keeps its meta.json (for a later copy of its index) only up to this size; real ones are a few KiB. */
export const MAX_KEPT_META = 1 << 20;

/** A block checked on its own (in a worker), as plain data. */
export interface BlockOutcome {
  snapshot: string;
  block: string;
  /** Findings made while reading its files, in order. */
  read: Finding[];
  /** Its cross-check findings and per-code summaries. */
  check: Finding[];
  summary: BlockSummary;
  lineage?: Lineage;
}

export interface SnapshotSummary {
  name: string;
  blocks: BlockSummary[];
  /** For a data dir: the head rebuilt from wal/ and chunks_head/. */
  head?: HeadSummary;
}

export interface CollectorOptions {
  /** Index size from which it waits in a temp file (default INDEX_SPILL_AT). */
  spillAt?: number;
  /** Where that temp file goes (default os.tmpdir()); its dir is always removed. */
  tmpDir?: string;
  /** The largest index checked, for tests (default: the largest Buffer Node makes; only spilled indexes come near it). */
  maxIndexBytes?: number;
  /** A block's meta.json and index checked ahead (used only if its bytes are the ones read). */
  prechecked?: IndexPrecheck;
  /**
   * Whether files get prints (default true): an archive needs them to tell whether a hard
   * link or a file that comes again matches what was checked; a directory has neither.
   */
  prints?: boolean;
  /** What the time covered by each snapshot is checked against (coverage.ts). */
  coverage?: CoverageOptions;
}


async function drain(stream: Readable): Promise<void> {
  stream.resume();
  for await (const _ of stream) void _;
}

export class Collector {
  private readonly blocks = new Map<string, BlockState>();
  /** In the order first seen (a Set: an archive may hold 100,000 snapshot dirs). */
  private readonly snapshotNames = new Set<string>();
  private readonly memo = new Map<string, FileMemo>();
  private readonly spill: IndexSpill;
  /** The block the last member belonged to. */
  private current?: BlockState;
  private readonly prechecked?: IndexPrecheck;
  private readonly prints: boolean;
  readonly coverage: CoverageOptions;
  /** After finish: per snapshot, the blocks Prometheus serves (not those it deletes on start), for coverage.ts. */
  readonly served = new Map<string, CoverBlock[]>();

  constructor(
    readonly findings: Finding[],
    opts: CollectorOptions = {},
  ) {
    this.spill = new IndexSpill(opts.spillAt ?? INDEX_SPILL_AT, opts.tmpDir, opts.maxIndexBytes);
    this.prechecked = opts.prechecked;
    this.prints = opts.prints ?? true;
    this.coverage = opts.coverage ?? {};
  }

  /** A segment's print, or none when prints are off. */
  private tablePrint(t: ChunkTable): string {
    return this.prints ? tablePrint(t) : '';
  }

  /** Note a snapshot dir, so empty ones still appear in the result. */
  snapshot(name: string): void {
    this.snapshotNames.add(name);
  }

  private state(snapshot: string, block: string): BlockState {
    const key = snapshot + '/' + block;
    let s = this.blocks.get(key);
    if (!s) {
      this.snapshot(snapshot);
      s = { snapshot, name: block, sink: new FindingSink({ snapshot, block }, this.findings), segments: new Map(), files: new Map(), mirrors: new Map(), segs: 0, lastSeg: -1, oddSegs: 0, tries: 0, segsTried: 0 };
      this.blocks.set(key, s);
    }
    return s;
  }

  /** The block of the next member; the archive has moved on from the one before, which is checked if it is complete. */
  private enter(snapshot: string, block: string): BlockState {
    const s = this.state(snapshot, block);
    const left = this.current;
    this.current = s;
    if (left && left !== s && !left.checked && ready(left)) this.check(left, false);
    return s;
  }

  /** One file of a block, given as a stream that this consumes fully. */
  async file(snapshot: string, block: string, rel: string, stream: Readable): Promise<void> {
    const s = this.enter(snapshot, block);
    const kind = kindOf(rel);
    if (!kind) return drain(stream);
    const m: FileMemo = { rel, owner: s, print: 'none', recorded: { added: [], dropped: new Map() } };
    s.sink.record();
    try {
      if (kind === 'segment') {
        const scanner = new SegmentScanner(rel, s.sink);
        for await (const c of stream) scanner.push(c as Buffer);
        m.table = scanner.end();
        m.print = this.tablePrint(m.table);
      } else if (kind === 'index') {
        const kept = await this.spill.read(stream, s.sink, this.prints);
        [m.buf, m.indexFile, m.print] = [kept.buf, kept.file, kept.print];
      } else {
        const buf = await readCapped(stream, MAX_SMALL_FILE);
        if (!buf) s.sink.error(rel === 'meta.json' ? Code.MetaParse : Code.TombstonesCorrupt, `${rel} is larger than ${MAX_SMALL_FILE} bytes; no real block has one so large`, rel);
        [m.buf, m.print] = [buf, this.prints ? bufPrint(buf) : ''];
      }
    } finally {
      m.recorded = s.sink.recorded();
    }
    this.memo.set(`${snapshot}/${block}/${rel}`, m);
    this.addFile(s, m, kind);
  }

  /**
   * A chunk segment of a block, read and scanned elsewhere (segment-job.ts): taken as if
   * `file` had read it here, its findings replayed in the place of the file.
   */
  scanned(snapshot: string, block: string, rel: string, table: ChunkTable, recorded: Recorded): void {
    const s = this.enter(snapshot, block);
    const m: FileMemo = { rel, owner: s, print: this.tablePrint(table), table, recorded: { added: [], dropped: new Map() } };
    s.sink.record();
    s.sink.replay(recorded);
    m.recorded = s.sink.recorded();
    this.memo.set(`${snapshot}/${block}/${rel}`, m);
    this.addFile(s, m, 'segment');
  }

  /** Put a file's data into its block, or, once the block is checked, make sure it is the file the block was checked with. */
  private addFile(s: BlockState, m: FileMemo, kind: string): void {
    if (s.checked) {
      this.checkLate(s, m, kind);
      if (m.indexFile) this.spill.release(m.indexFile);
      this.dropData(m);
      return;
    }
    countSegment(s, m.rel);
    s.mirrors.delete(m.rel);
    if (kind === 'segment') s.segments.set(m.rel, m.table!);
    else if (kind === 'index') {
      // One that is not an index leaves what was there (it was reported as it was read).
      if (!m.buf && !m.indexFile) return;
      if (s.indexFile && s.indexFile !== m.indexFile) this.spill.release(s.indexFile);
      s.index = m.buf;
      s.indexFile = m.indexFile;
    } else if (!m.buf) return;
    else if (kind === 'meta.json') s.meta = m.buf;
    else s.tombstones = m.buf;
    s.files.set(m.rel, m);
  }

  /**
   * A file of a block that was already checked: fine if the check would not change.
   * Otherwise the file is checked on its own, as far as it can be without the block's
   * other files (they were let go).
   */
  private checkLate(s: BlockState, m: FileMemo, kind: string): void {
    const c = s.checked!;
    const was = c.files.get(m.rel);
    // A copy that would not be used (not an index, too large) changes nothing; it was reported as read.
    if (was?.print === m.print || m.print === 'none') return;
    const what = was ? 'differs from the copy the block was checked with; tar keeps this later copy, which' : 'was not there when the block was checked; it';
    s.sink.to(c.findings);
    s.sink.error(
      Code.BlockSplit,
      `${m.rel} comes again after the rest of its block (the block's files are not together in the archive) and ${what} is not cross-checked with the block's other files (they were let go); verify the extracted directory to check the block as it restores`,
      m.rel,
    );
    try {
      if (kind === 'meta.json') parseMetaChecked(s.name, m.buf, s.sink);
      else if (kind === 'tombstones' && m.buf) checkTombstones(m.buf, undefined, s.sink);
      else if (kind === 'index') {
        const index = m.indexFile ? this.spill.load(m.indexFile, s.sink) : m.buf;
        if (index) checkIndex(index, quietMeta(c.meta), s.sink);
      }
    } catch (e) {
      s.sink.caught(e, Code.InternalError);
    }
    s.sink.to(this.findings);
  }

  /**
   * A hard link: `snapshot/block/rel` is a second path to the earlier member `target`
   * (`snapshots/<snapshot>/<block>/<rel>`). It is checked as a copy of that file.
   */
  link(snapshot: string, block: string, rel: string, target: string): void {
    const kind = kindOf(rel);
    const s = this.enter(snapshot, block);
    if (!kind) return; // not a block file: nothing to check
    const key = `${snapshot}/${block}/${rel}`;
    const m = this.memo.get(target.replace(/^snapshots\//, ''));
    if (m && kindOf(m.rel) === kind) {
      // The usual case (the same file of a block shared by two snapshots): its findings and results again.
      s.sink.replay(m.recorded);
      this.memo.set(key, m);
      if (s.checked) return this.checkLate(s, { ...m, rel }, kind);
      if (m.owner.checked) {
        countSegment(s, rel);
        s.mirrors.set(rel, m); // its data is gone: see mirrored()
        return;
      }
      if (m.indexFile) this.spill.share(m.indexFile);
      this.addFile(s, { ...m, rel, owner: s, table: m.table?.clone() }, kind);
      return;
    }
    // A link to a different kind of file: its name says what it must be, so check the content as that.
    if (m?.buf) {
      const copy: FileMemo = { rel, owner: s, buf: m.buf, print: m.print, recorded: { added: [], dropped: new Map() } };
      s.sink.record();
      if (kind === 'segment') {
        const scanner = new SegmentScanner(rel, s.sink);
        scanner.push(Buffer.from(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength));
        copy.table = scanner.end();
        copy.print = this.tablePrint(copy.table);
      }
      copy.recorded = s.sink.recorded();
      this.memo.set(key, copy);
      this.addFile(s, copy, kind);
      return;
    }
    const why = m ? `${m.rel}, whose content was not kept` : 'a file that is not part of a block';
    s.sink.error(Code.HardLink, `${rel} is a hard link to \`${target}\`, ${why}: it cannot be checked as ${rel}`, rel);
  }

  /**
   * tar x removes `rel` of a block (a directory comes in its place): the block is as if it
   * never had it. One checked with it is not checked again: that is an error at `rel`.
   */
  removeFile(snapshot: string, block: string, rel: string): void {
    this.memo.delete(`${snapshot}/${block}/${rel}`);
    const s = this.blocks.get(snapshot + '/' + block);
    if (!s) return;
    if (s.checked) {
      if (!s.checked.files.has(rel)) return;
      s.sink.to(s.checked.findings);
      s.sink.error(Code.BlockSplit, `${rel} was checked with its block, but a later member makes it a directory: tar x removes the file, so the block restores without it; verify the extracted directory to check the block as it restores`, rel);
      s.sink.to(this.findings);
      return;
    }
    if (!s.files.has(rel) && !s.mirrors.has(rel)) return;
    const kind = kindOf(rel);
    if (kind === 'segment') {
      uncountSegment(s, rel);
      s.segments.delete(rel);
    } else if (kind === 'index') {
      if (s.indexFile) this.spill.release(s.indexFile);
      s.index = s.indexFile = undefined;
    } else if (kind === 'meta.json') s.meta = undefined;
    else s.tombstones = undefined;
    s.files.delete(rel);
    s.mirrors.delete(rel);
  }

  /** Cross-check a block (at the end: `final`), and let go of all it kept. */
  private check(s: BlockState, final: boolean): void {
    const same = mirrored(s);
    let rec: Recorded;
    let summary: BlockSummary;
    let lineage: Lineage | undefined;
    if (same) {
      rec = same.recorded;
      summary = { ...same.summary };
      lineage = same.lineage;
    } else {
      // Checked apart first: a block whose index refers to a segment not yet seen waits for it.
      const scratch = new FindingSink({ snapshot: s.snapshot, block: s.name });
      scratch.record();
      for (const [rel, m] of s.mirrors) {
        scratch.warn(
          Code.HardLinkUnchecked,
          `${rel} is a hard link to a file of block ${m.owner.snapshot}/${m.owner.name}, checked there; that block was let go before this link came (verify keeps no block once checked, so that memory stays flat), so ${rel} is not cross-checked with this block's other files; verify the extracted directory to check them together`,
          rel,
        );
      }
      const r = this.crossCheck(s, scratch);
      if (!final && r.absentSegments > 0) {
        s.tries++;
        s.segsTried = s.segs;
        return;
      }
      rec = scratch.recorded();
      summary = r.summary;
      lineage = r.lineage;
    }
    const findings: Finding[] = [];
    s.sink.to(findings);
    s.sink.replay(rec);
    s.sink.to(this.findings);
    const meta = s.meta && s.meta.length <= MAX_KEPT_META ? s.meta : undefined;
    s.checked = { findings, recorded: rec, summary, lineage, files: new Map([...s.files, ...s.mirrors]), meta, closed: false };
    if (s.indexFile) this.spill.release(s.indexFile);
    for (const m of s.files.values()) if (m.owner === s) this.dropData(m);
    s.index = s.meta = s.tombstones = s.indexFile = undefined;
    s.segments.clear();
    s.files.clear();
    s.mirrors.clear();
  }

  private crossCheck(s: BlockState, sink: FindingSink): BlockCheck {
    for (const t of s.segments.values()) t.refs.fill(0); // counted afresh on each try
    try {
      const index = s.indexFile ? this.spill.load(s.indexFile, sink) : s.index;
      return checkBlock({ name: s.name, meta: s.meta, index, tombstones: s.tombstones, segments: segmentsInOrder(s), prechecked: this.prechecked }, sink);
    } catch (e) {
      // A bug must not hide the other blocks: it becomes this block's finding.
      sink.caught(e, Code.InternalError);
      return { summary: { ulid: s.name, minTime: null, maxTime: null, numSeries: 0, numChunks: 0, numSamples: 0, numTombstones: 0 }, absentSegments: 0 };
    }
  }

  /** Let a file's data go (its block was checked). */
  private dropData(m: FileMemo): void {
    m.table = m.buf = m.indexFile = undefined;
  }

  /** A block checked elsewhere (a worker), with its findings: as if it had been read and checked here. */
  adopt(o: BlockOutcome): void {
    const s = this.state(o.snapshot, o.block);
    for (const f of o.read) this.findings.push(f);
    s.checked = { findings: o.check, recorded: { added: [], dropped: new Map() }, summary: o.summary, lineage: o.lineage, files: new Map(), closed: true };
  }

  /** The one block this collector read (a worker's job), checked, as plain data. */
  outcome(): BlockOutcome {
    const [s, more] = this.blocks.values();
    if (!s || more) throw new Error(`a block job read ${this.blocks.size} blocks, not one`);
    this.checkRemaining();
    const check = [...s.checked!.findings];
    s.sink.to(check);
    s.sink.close();
    return { snapshot: s.snapshot, block: s.name, read: this.findings, check, summary: s.checked!.summary, lineage: s.checked!.lineage };
  }

  /** The end of the input: check every block not checked yet. */
  private checkRemaining(): void {
    this.memo.clear();
    this.current = undefined;
    for (const s of this.blocks.values()) if (!s.checked) this.check(s, true);
  }

  /** Remove temp files. */
  cleanup(): void {
    this.spill.cleanup();
  }

  /** Cross-check every block left and return the per-snapshot summaries. */
  finish(): SnapshotSummary[] {
    this.checkRemaining();
    const out = new Map<string, SnapshotSummary>();
    const lineages = new Map<string, Map<string, Lineage>>();
    for (const name of this.snapshotNames) {
      out.set(name, { name, blocks: [] });
      lineages.set(name, new Map());
    }
    for (const s of this.blocks.values()) {
      const c = s.checked!;
      for (const f of c.findings) this.findings.push(f);
      if (!c.closed) s.sink.close();
      out.get(s.snapshot)!.blocks.push(c.summary);
      if (c.lineage) lineages.get(s.snapshot)!.set(s.name, c.lineage);
    }
    for (const snap of out.values()) {
      snap.blocks.sort((a, b) => (a.minTime ?? 0) - (b.minTime ?? 0) || (a.ulid < b.ulid ? -1 : 1));
      const sink = new FindingSink({ snapshot: snap.name }, this.findings);
      const lineage = lineages.get(snap.name)!;
      // Blocks Prometheus deletes on start are not among those it merges at query time.
      const deleted = checkSuperseded(snap.name, snap.blocks, lineage, this.findings);
      checkOverlaps(snap.blocks.filter((b) => !deleted.has(b.ulid) && !lineage.get(b.ulid)?.outOfOrder), sink);
      const served: CoverBlock[] = [];
      for (const b of snap.blocks) {
        if (b.minTime !== null && b.maxTime !== null && !deleted.has(b.ulid)) served.push({ ulid: b.ulid, minTime: b.minTime, maxTime: b.maxTime, level: lineage.get(b.ulid)?.level });
      }
      this.served.set(snap.name, served);
    }
    this.cleanup();
    return [...out.values()];
  }
}

