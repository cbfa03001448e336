// What verify keeps of a block while it is read, and after it is checked
// (collect.ts): its files by block-relative path, each with a print (a hash
// of what the cross-check sees of it), so that a file met again can be told
// apart from the one checked, and a block met again through hard links can
// be recognised as the same block.

import { createHash } from 'node:crypto';
import { isSegmentFileName, segmentOrder } from '../../chunks/segment.js';
import type { Finding } from '../../encoding/errors.js';
import { parseMeta, type BlockMeta } from '../../meta/meta.js';
import type { BlockSummary, Lineage } from '../check/block-check.js';
import type { FindingSink, Recorded } from '../check/findings.js';
import type { ChunkTable } from '../check/segment-scan.js';

/** One block file as read: what it gives the cross-check (until its block is checked) and what reading it found. */
export interface FileMemo {
  rel: string;
  /** The block that holds the data; once that block is checked the data is gone. */
  owner: BlockState;
  table?: ChunkTable;
  buf?: Uint8Array;
  indexFile?: string;
  /** A hash of what the cross-check sees of the file: equal prints, equal check. */
  print: string;
  recorded: Recorded;
}

export interface Checked {
  /** Cross-check findings, listed after every reading finding. */
  findings: Finding[];
  /** The same, for a block that is this one again through hard links. */
  recorded: Recorded;
  summary: BlockSummary;
  lineage?: Lineage;
  /** The files it was checked with, by block-relative path. */
  files: Map<string, FileMemo>;
  /** Its meta.json (small), for a later copy of its index. */
  meta?: Uint8Array;
  /** Whether `findings` already ends with the per-code summaries (a block checked in a worker). */
  closed: boolean;
}

export interface BlockState {
  snapshot: string;
  name: string;
  sink: FindingSink;
  meta?: Uint8Array;
  index?: Uint8Array;
  /** Temp file holding a large index. */
  indexFile?: string;
  tombstones?: Uint8Array;
  /** Scanned chunk segments by block-relative path (chunks/000001). */
  segments: Map<string, ChunkTable>;
  /** Block files present, with their data in this state. */
  files: Map<string, FileMemo>;
  /** Hard links to files of blocks already checked, whose data is gone. */
  mirrors: Map<string, FileMemo>;
  /**
   * Distinct chunk segments among files and mirrors, the highest sequence number of those
   * named as Prometheus names them (-1: none), and how many are named otherwise.
   */
  segs: number;
  lastSeg: number;
  oddSegs: number;
  /** Checks tried that found a segment the index refers to missing, and `segs` at the last. */
  tries: number;
  segsTried: number;
  checked?: Checked;
}

/** Tries of a block whose index refers to a segment not seen yet; then it waits for the end of the input. */
const MAX_TRIES = 3;

/** Count `rel`, now among the block's files or mirrors, if it is a chunk segment not counted yet. */
export function countSegment(s: BlockState, rel: string): void {
  if (s.files.has(rel) || s.mirrors.has(rel) || kindOf(rel) !== 'segment') return;
  s.segs++;
  if (namedSeq(rel) < 0) s.oddSegs++;
  else s.lastSeg = Math.max(s.lastSeg, namedSeq(rel));
}

/** Uncount `rel`, a chunk segment among the block's files or mirrors that goes. */
export function uncountSegment(s: BlockState, rel: string): void {
  s.segs--;
  if (namedSeq(rel) < 0) s.oddSegs--;
}

/**
 * What a block-relative path is to the checks: a chunk segment (any name Prometheus maps
 * as one, chunks.go sequenceFiles), index, meta.json, tombstones, or nothing.
 */
export function kindOf(rel: string): 'segment' | 'index' | 'meta.json' | 'tombstones' | undefined {
  if (rel.startsWith('chunks/') && isSegmentFileName(rel.slice('chunks/'.length))) return 'segment';
  return rel === 'index' || rel === 'meta.json' || rel === 'tombstones' ? rel : undefined;
}

/**
 * The block's chunk segments (files and mirrors) in the order Prometheus maps them, the
 * position a chunk ref names; a mirror's table is gone (its block was checked).
 */
export function segmentsInOrder(s: BlockState): { rel: string; table?: ChunkTable }[] {
  const names = new Set<string>();
  for (const rel of [...s.files.keys(), ...s.mirrors.keys()]) if (kindOf(rel) === 'segment') names.add(rel.slice('chunks/'.length));
  return segmentOrder(names).map((n) => ({ rel: 'chunks/' + n, table: s.segments.get('chunks/' + n) }));
}

/** Sequence number of a segment named as Prometheus names them (`chunks/000001`: 0); -1 for any other name. */
function namedSeq(rel: string): number {
  return /^chunks\/\d{6}$/.test(rel) ? Number(rel.slice('chunks/'.length)) - 1 : -1;
}

/** The part of a chunk table the cross-check reads. */
export function tablePrint(t: ChunkTable): string {
  const h = createHash('sha1').update(String(t.bytes));
  for (const a of [t.offset, t.minT, t.maxT, t.samples, t.size, t.bad]) h.update(new Uint8Array(a.buffer, a.byteOffset, t.n * a.BYTES_PER_ELEMENT));
  return h.digest('hex');
}

export const bufPrint = (b: Uint8Array | undefined): string => (b ? createHash('sha1').update(b).digest('hex') : 'none');

/**
 * Whether a block is worth checking now: it has meta.json, index, tombstones and chunk
 * segments 000001 up to the last, and, if a try found a segment missing, a segment came
 * since (a few times at most: a hostile archive must not make every member a full check).
 * A block with segments named otherwise (a gap, 000000, 0000001) waits for the end of the
 * input: a later one could change which file each position maps to.
 */
export function ready(s: BlockState): boolean {
  const has = (rel: string) => s.files.has(rel) || s.mirrors.has(rel);
  if (!has('meta.json') || !has('index') || !has('tombstones')) return false;
  if (s.oddSegs > 0 || s.lastSeg < 0 || s.segs !== s.lastSeg + 1) return false;
  return s.tries === 0 || (s.tries < MAX_TRIES && s.segs > s.segsTried);
}

/**
 * The check of the block that `s` is again, file for file, through hard links into it (the
 * same block in another snapshot): equal names and equal prints make an equal check.
 */
export function mirrored(s: BlockState): Checked | undefined {
  const [first] = s.mirrors.values();
  const c = first?.owner.checked;
  if (!c || first!.owner.name !== s.name || c.files.size !== s.files.size + s.mirrors.size) return undefined;
  for (const [rel, m] of [...s.files, ...s.mirrors]) if (c.files.get(rel)?.print !== m.print) return undefined;
  return c;
}

/** A block's meta.json for a check that only needs its time range; undefined if it does not parse (that was reported). */
export function quietMeta(raw: Uint8Array | undefined): BlockMeta | undefined {
  try {
    return raw ? parseMeta(raw) : undefined;
  } catch {
    return undefined;
  }
}
