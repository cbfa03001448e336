// Check one block's files against each other once all of them were seen:
// meta.json against the recounted stats, index chunk refs against the
// chunks actually found in the segments, tombstones against the series.

import { ErrorCode, isTsdbError } from '../../encoding/errors.js';
import { chunkRefOffset, chunkRefSegment } from '../../index/series.js';
import { JsonFieldError } from '../../meta/gojson.js';
import { parseMeta, type BlockMeta } from '../../meta/meta.js';
import { readTombstones } from '../../tombstones/tombstones.js';
import { FindingSink, type Recorded } from './findings.js';
import { checkIndex, type IndexFacts } from './index-check.js';
import type { ChunkTable } from './segment-scan.js';
import { Code } from '../../encoding/finding-codes.js';

export interface BlockInput {
  /** Block dir name. */
  name: string;
  meta?: Uint8Array;
  index?: Uint8Array;
  tombstones?: Uint8Array;
  /**
   * The chunk segment files in the order Prometheus maps them (chunks.go NewDirReader: by
   * name, so normally 000001 first): a chunk ref's segment part is a position in this list.
   * A file without a table was not scanned here (a hard link into a block checked earlier).
   */
  segments: readonly { rel: string; table?: ChunkTable }[];
  /** meta.json and index checked ahead; used if made from these same bytes. */
  prechecked?: IndexPrecheck;
}

export interface BlockSummary {
  ulid: string;
  minTime: number | null;
  maxTime: number | null;
  numSeries: number;
  numChunks: number;
  numSamples: number;
  numTombstones: number;
}

/**
 * What of a block's meta.json the checks across blocks need (superseded.ts, overlaps.ts):
 * the ULID Prometheus knows it by, the parents its compaction replaced, and its hints.
 */
export interface Lineage {
  ulid: string;
  parents: string[];
  deletable: boolean;
  /** compaction.level: 1 for a block written from the head (by compaction or by a snapshot, coverage.ts). */
  level: number;
  /** Made by out-of-order compaction (hint from-out-of-order): it overlaps in-order blocks by design. */
  outOfOrder: boolean;
}

/** A real compaction has a handful of parents; a hostile meta.json's beyond this many are not kept, so memory stays flat. */
export const MAX_PARENTS = 1024;

export function lineageOf(meta: BlockMeta): Lineage {
  const c = meta.compaction;
  return { ulid: meta.ulid, parents: c.parents.slice(0, MAX_PARENTS).map((p) => p.ulid), deletable: c.deletable, level: c.level, outOfOrder: c.hints.includes('from-out-of-order') };
}

export interface BlockCheck {
  summary: BlockSummary;
  /** Undefined when meta.json does not parse (Prometheus cannot load the block). */
  lineage?: Lineage;
  /** Index chunk refs into segments the block lacks (in an archive they may still come). */
  absentSegments: number;
}

/** meta.json as Prometheus reads it, its findings reported; undefined where Prometheus skips the block. */
export function parseMetaChecked(name: string, raw: Uint8Array | undefined, sink: FindingSink): BlockMeta | undefined {
  if (!raw) return undefined; // the layout check reports a missing meta.json
  let meta: BlockMeta;
  try {
    meta = parseMeta(raw);
  } catch (e) {
    const code = e instanceof JsonFieldError ? Code.MetaField : isTsdbError(e) && e.code === ErrorCode.BadVersion ? Code.MetaVersion : Code.MetaParse;
    sink.caught(e, code, 'meta.json');
    return undefined;
  }
  const at = meta.offsets;
  if (meta.version !== 1) sink.warn(Code.MetaVersion, `meta.json: version ${meta.version}: Prometheus's repair rewrites it as 1 on start, and stamps the index as format version 2`, 'meta.json', at.version);
  if (meta.compaction.deletable) sink.error(Code.MetaDeletable, 'meta.json: compaction.deletable is true: Prometheus deletes the block when it starts', 'meta.json', at['compaction.deletable']);
  // Prometheus names the block by the ULID it decodes (a lowercase one is the same), and deletes and compacts it by that name.
  if (meta.ulid !== name) sink.error(Code.MetaUlid, `meta.json: ulid ${meta.ulid} does not match the block dir name ${name}`, 'meta.json', at.ulid);
  if (!(meta.minTime < meta.maxTime)) sink.error(Code.MetaTimeRange, `meta.json: minTime ${meta.minTime} is not before maxTime ${meta.maxTime}`, 'meta.json', at.minTime);
  return meta;
}

/** Tombstones, against the index's series when known; returns how many intervals they hold. */
export function checkTombstones(raw: Uint8Array, seriesRefs: Float64Array | undefined, sink: FindingSink): number {
  let n = 0;
  try {
    const ts = readTombstones(raw);
    // Prometheus opens a block with either (tombstones.go Decode): such an entry deletes nothing.
    for (const e of ts.entries) {
      if (seriesRefs && !hasRef(seriesRefs, e.ref)) sink.warn(Code.TombstonesRef, `tombstones: entry at offset ${e.offset} refers to series ${e.ref}, which is not in the index; it deletes nothing`, 'tombstones', e.offset);
      if (e.maxTime < e.minTime) sink.warn(Code.TombstonesInterval, `tombstones: entry at offset ${e.offset} has maxt ${e.maxTime} before mint ${e.minTime}; it deletes nothing`, 'tombstones', e.offset);
    }
    for (const ivs of ts.bySeries.values()) n += ivs.length;
  } catch (e) {
    sink.caught(e, isTsdbError(e) && e.code === 'ERR_BAD_CHECKSUM' ? Code.TombstonesCrc : Code.TombstonesCorrupt, 'tombstones');
  }
  return n;
}

/**
 * The part of a block's check that reads only its meta.json and index (most of the
 * index work), done ahead of the rest (split.ts), with what it found kept for replay.
 */
export interface IndexPrecheck {
  name: string;
  metaRaw?: Uint8Array;
  indexRaw?: Uint8Array;
  meta: BlockMeta | undefined;
  facts: IndexFacts | undefined;
  recorded: Recorded;
}

export function precheckIndex(name: string, metaRaw: Uint8Array | undefined, indexRaw: Uint8Array | undefined): IndexPrecheck {
  const sink = new FindingSink({});
  sink.record();
  const meta = parseMetaChecked(name, metaRaw, sink);
  const facts = indexRaw ? checkIndex(indexRaw, meta, sink) : undefined;
  return { name, metaRaw, indexRaw, meta, facts, recorded: sink.recorded() };
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a === b || (!!a && !!b && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b));

export function checkBlock(b: BlockInput, sink: FindingSink): BlockCheck {
  let meta: BlockMeta | undefined;
  let facts: IndexFacts | undefined;
  const p = b.prechecked;
  if (p && p.name === b.name && sameBytes(p.metaRaw, b.meta) && sameBytes(p.indexRaw, b.index)) {
    // Checked ahead from the same bytes: the same findings, in the same place.
    sink.replay(p.recorded);
    [meta, facts] = [p.meta, p.facts];
  } else {
    meta = parseMetaChecked(b.name, b.meta, sink);
    facts = b.index ? checkIndex(b.index, meta, sink) : undefined;
  }

  // Index chunk refs must land on chunk starts, and agree with the samples there.
  const refs = facts ? crossCheckRefs(b, meta, facts, sink) : { numSamples: 0, badChunks: 0, absentSegments: 0 };
  const { numSamples, badChunks, absentSegments } = refs;
  // Chunks no series references.
  for (const { rel: file, table: t } of b.segments) {
    if (!t) continue;
    let n = 0;
    let bytes = 0;
    let first = -1;
    for (let k = 0; k < t.n; k++) {
      if (t.refs[k] === 0) {
        n++;
        bytes += t.size[k];
        if (first < 0) first = t.offset[k];
      }
    }
    if (n > 0 && facts) {
      sink.warn(Code.ChunkUnreferenced, `${file}: ${n} chunks (${bytes} bytes) are not referenced by any series, the first at offset ${first}`, file, first);
    }
  }

  const numTombstones = b.tombstones ? checkTombstones(b.tombstones, facts?.seriesRefs, sink) : 0;

  // meta.json stats against what we counted.
  if (meta && facts) {
    const counted: [keyof BlockMeta['stats'], number][] = [
      ['numSeries', facts.numSeries],
      ['numChunks', facts.numChunks],
      ['numSamples', numSamples],
      ['numTombstones', numTombstones],
    ];
    // Samples of chunks that did not decode are unknown; their findings already say so.
    if (badChunks > 0) counted.splice(2, 1);
    for (const [k, v] of counted) {
      const stated = meta.stats[k] ?? 0;
      if (stated !== v) sink.error(Code.MetaStats, `meta.json: stats.${k} is ${stated}, but the block holds ${v}`, 'meta.json', meta.offsets[`stats.${k}`]);
    }
  }
  const summary: BlockSummary = {
    ulid: b.name,
    minTime: meta?.minTime ?? null,
    maxTime: meta?.maxTime ?? null,
    numSeries: facts?.numSeries ?? meta?.stats.numSeries ?? 0,
    numChunks: facts?.numChunks ?? meta?.stats.numChunks ?? 0,
    numSamples: facts ? numSamples : meta?.stats.numSamples ?? 0,
    numTombstones,
  };
  return { summary, absentSegments, lineage: meta && lineageOf(meta) };
}

/** Every index chunk ref against the segments' chunk tables (a function of its own, so the JIT compiles just this loop). */
function crossCheckRefs(b: BlockInput, meta: BlockMeta | undefined, facts: IndexFacts, sink: FindingSink): { numSamples: number; badChunks: number; absentSegments: number } {
  let numSamples = 0;
  let badChunks = 0;
  let absentSegments = 0;
  const n = b.segments.length;
  for (let i = 0; i < facts.numChunks; i++) {
    const ref = facts.chunkRef[i];
    const seq = chunkRefSegment(ref);
    const off = chunkRefOffset(ref);
    const at = facts.chunkSeriesOffset[i];
    const seg = b.segments[seq];
    const t = seg?.table;
    if (!t) {
      absentSegments++;
      const where = seg
        ? `${seg.rel}, which was not checked with the block`
        : `segment ${seq + 1} of the block's chunk segments, but chunks/ holds ${n === 1 ? '1 segment file' : `${n} segment files`} (Prometheus maps them by position in name order)`;
      sink.error(Code.IndexChunkRef, `index series at offset ${at}: chunk ref ${ref} points into ${where}`, 'index', at);
      continue;
    }
    const file = seg.rel;
    const k = t.find(off);
    if (k < 0 && off >= t.bytes) {
      // Cut at a record boundary, a segment still reads cleanly; only the refs past its end tell.
      sink.error(Code.ChunkMissing, `${file}: the index (series at offset ${at}) refers to a chunk at offset ${off}, past the end of the ${t.bytes}-byte segment: it is truncated, or the ref is corrupt`, file, Math.max(0, t.bytes - 1));
      continue;
    }
    if (k < 0) {
      sink.error(Code.IndexChunkRef, `index series at offset ${at}: chunk ref points at offset ${off} of ${file}, which is not the start of a chunk`, 'index', at);
      continue;
    }
    if (t.refs[k]++ > 0) {
      // Prometheus writes each chunk for one series, once: a second ref reads one series' samples as another's.
      sink.error(Code.IndexChunkRefShared, `index series at offset ${at}: chunk ref ${ref} (offset ${off} of ${file}) is referred to by an earlier chunk meta too`, 'index', at);
    }
    numSamples += t.samples[k];
    if (t.bad[k]) {
      badChunks++;
      continue; // already reported by the segment scan
    }
    if (t.minT[k] !== facts.chunkMinT[i] || t.maxT[k] !== facts.chunkMaxT[i]) {
      sink.error(
        Code.ChunkTimeMismatch,
        `${file}: chunk at offset ${off} holds samples from ${t.minT[k]} to ${t.maxT[k]}, but the index (series at offset ${at}) says [${facts.chunkMinT[i]}, ${facts.chunkMaxT[i]}]`,
        file,
        off,
      );
    }
    if (meta && (t.minT[k] < meta.minTime || t.maxT[k] >= meta.maxTime)) {
      sink.error(Code.ChunkOutsideBlock, `${file}: chunk at offset ${off} holds samples from ${t.minT[k]} to ${t.maxT[k]}, outside the block's range [${meta.minTime}, ${meta.maxTime})`, file, off);
    }
  }
  return { numSamples, badChunks, absentSegments };
}

/** Whether ascending `refs` holds `ref`. */
function hasRef(refs: Float64Array, ref: number): boolean {
  let lo = 0;
  let hi = refs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (refs[mid] === ref) return true;
    if (refs[mid]! < ref) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
