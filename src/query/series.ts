// Series of one block that match a selector within [mint, maxt], with
// their samples decoded and deleted ranges (tombstones) left out, as
// Prometheus's block querier returns them.

import type { Block } from '../block/block.js';
import { withFile } from '../block/block.js';
import { ChunkEncoding, decodeChunk } from '../chunkenc/chunk.js';
import { numSamples } from '../chunkenc/header.js';
import { decodeXORInto } from '../chunkenc/xor.js';
import { segmentName } from '../chunks/segment.js';
import type { ChunkMeta } from '../index/series.js';
import { chunkRefSegment } from '../index/series.js';
import { isTsdbError } from '../encoding/errors.js';
import { isDeleted, type Interval } from '../tombstones/tombstones.js';
import type { Head, HeadSamples } from '../wal/head.js';
import type { Matcher } from './matchers.js';
import { SampleList } from '../chunkenc/sample-list.js';
import { selectPostings } from './select.js';

export interface BlockSeries {
  labels: string[];
  block: Block;
  ref: number;
  chunks: ChunkMeta[];
  /** Deleted intervals from the tombstones, sorted. */
  deleted: Interval[] | undefined;
}

/** A series of a replayed WAL head: its samples are already in memory, tombstones applied. */
export interface HeadPart {
  labels: string[];
  head: Head;
  samples: HeadSamples;
}

export type SeriesPart = BlockSeries | HeadPart;

/** Matching head series with a sample in [mint, maxt], in label order (the head has no postings: labels are matched directly). */
export function* headSeries(head: Head, matchers: readonly Matcher[], mint: number, maxt: number): Generator<HeadPart> {
  next: for (const s of head.series()) {
    for (const m of matchers) {
      let v = '';
      for (let i = 0; i < s.labels.length; i += 2) if (s.labels[i] === m.name) v = s.labels[i + 1];
      if (!m.matches(v)) continue next;
    }
    const t = s.samples.t;
    let any = false;
    for (let i = 0; i < s.samples.n && !any; i++) any = t[i] >= mint && t[i] <= maxt;
    if (any) yield { labels: s.labels, head, samples: s.samples };
  }
}

/** Whether [minTime, maxTime] lies inside one of the sorted intervals. */
function fullyDeleted(c: ChunkMeta, ivs: Interval[] | undefined): boolean {
  if (!ivs) return false;
  for (const iv of ivs) if (c.minTime >= iv.minTime && c.maxTime <= iv.maxTime) return true;
  return false;
}

/**
 * Matching series of a block in index (label) order. A series is left out
 * when none of its chunks overlap [mint, maxt] outside deleted ranges.
 */
export function* blockSeries(block: Block, matchers: readonly Matcher[], mint: number, maxt: number): Generator<BlockSeries> {
  // Prometheus queries a block when it overlaps the closed range [mint, maxt].
  if (!(block.meta.minTime <= maxt && mint < block.meta.maxTime)) return;
  const ix = block.index;
  const refs = withFile(block.name, 'index', () => selectPostings(ix, matchers));
  const stones = block.tombstones.bySeries;
  for (let k = 0; k < refs.length; k++) {
    const ref = refs[k];
    const s = withFile(block.name, 'index', () => ix.series(ref));
    const deleted = stones.get(ref);
    const chunks: ChunkMeta[] = [];
    for (const c of s.chunks) {
      if (c.maxTime < mint || c.minTime > maxt) continue;
      if (fullyDeleted(c, deleted)) continue;
      chunks.push(c);
    }
    if (chunks.length === 0) continue;
    yield { labels: s.labels, block, ref, chunks, deleted };
  }
}

/** The samples of a series part within [mint, maxt], deleted ones left out, appended to `out`. */
export function readSamples(p: SeriesPart, mint: number, maxt: number, out = new SampleList()): SampleList {
  if ('head' in p) {
    const { n, t, h, hf } = p.samples;
    for (let i = 0; i < n; i++) {
      if (t[i] < mint || t[i] > maxt) continue;
      const hs = h?.[i];
      if (hs) out.pushHistogram(hs, hf![i]);
      else out.pushFloatFrom(p.samples.v, t[i], i);
    }
    return out;
  }
  const s = p;
  const del = s.deleted;
  for (const c of s.chunks) {
    const rec = s.block.chunk(c.ref);
    try {
      if (rec.encoding === ChunkEncoding.XOR || rec.encoding === ChunkEncoding.OOOXOR) {
        // The common case: decoded into scratch, nothing allocated per chunk.
        const x = xorScratch(numSamples(rec.data));
        const count = decodeXORInto(rec.data, x.t, x.v, x.bits);
        pushFloats(out, x.t, x.v, count, mint, maxt, del);
        continue;
      }
      const d = decodeChunk(rec.encoding, rec.data);
      if (d.kind === 'float') pushFloats(out, d.t, d.v, d.count, mint, maxt, del);
      else {
        for (const h of d.samples) {
          if (h.t < mint || h.t > maxt || isDeleted(del, h.t)) continue;
          out.pushHistogram(h, d.float);
        }
      }
    } catch (e) {
      if (isTsdbError(e)) throw e.withContext({ block: s.block.name, file: 'chunks/' + segmentName(chunkRefSegment(c.ref) + 1) });
      throw e;
    }
  }
  return out;
}

/** Scratch for one XOR chunk, grown to the largest seen; `bits` aliases `v`. */
let scratch = { t: new Float64Array(0), v: new Float64Array(0), bits: new Uint32Array(0) };
function xorScratch(count: number): typeof scratch {
  if (scratch.t.length < count) {
    const n = Math.max(count, 2 * scratch.t.length, 256);
    const v = new Float64Array(n);
    scratch = { t: new Float64Array(n), v, bits: new Uint32Array(v.buffer) };
  }
  return scratch;
}

function pushFloats(out: SampleList, t: Float64Array, v: Float64Array, count: number, mint: number, maxt: number, del: Interval[] | undefined): void {
  out.reserve(count);
  const ot = out.t;
  const ov = out.v;
  let n = out.n;
  for (let i = 0; i < count; i++) {
    const ts = t[i];
    if (ts < mint || ts > maxt || isDeleted(del, ts)) continue;
    ot[n] = ts;
    // Typed array to typed array: NaN payloads (stale markers) keep their bits.
    ov[n++] = v[i];
  }
  out.n = n;
}
