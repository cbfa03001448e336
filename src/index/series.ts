// One series entry: its label set as symbol refs, then its chunk metas,
// delta-encoded. Entries are 16-byte aligned in format v2+ and the series
// ID is offset/16. See tsdb/docs/format/index.md, "Series".

import { decbufUvarintAt } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

export const SERIES_ALIGN = 16;

/** Where a chunk lives and what time range it covers. */
export interface ChunkMeta {
  /** Time of the first sample (ms). */
  minTime: number;
  /** Time of the last sample (ms). */
  maxTime: number;
  /** Chunk reference: segment sequence << 32 | byte offset in the segment. */
  ref: number;
}

export interface SeriesEntry {
  /** Flattened label pairs: [name0, value0, name1, value1, …]. */
  labels: string[];
  /** Symbol refs of the same, for checks. */
  labelRefs: number[];
  chunks: ChunkMeta[];
  /** Offset just past the entry's CRC. */
  end: number;
}

export function chunkRefSegment(ref: number): number {
  return Math.floor(ref / 0x100000000);
}

export function chunkRefOffset(ref: number): number {
  return ref % 0x100000000;
}

/**
 * Decode the series entry at byte offset `off`. `lookup` resolves symbol refs
 * (as the index version defines them); an unknown ref is an error.
 */
export function readSeries(
  buf: Uint8Array,
  off: number,
  lookup: (ref: number) => string | undefined,
  withChunks = true,
): SeriesEntry {
  const d = decbufUvarintAt(buf, off, 'index series');
  if (d.err) throw d.err;
  const where = (msg: string) => new TsdbError(ErrorCode.Corrupt, `index series at offset ${off}: ${msg}`, { offset: off });
  const end = d.end + 4;

  const nLabels = d.uvarint();
  // Each label is at least two bytes.
  if (nLabels * 2 > d.len) throw where(`labels count ${nLabels} exceeds the ${d.len} bytes present`);
  const labels: string[] = new Array(nLabels * 2);
  const labelRefs: number[] = new Array(nLabels * 2);
  for (let i = 0; i < nLabels * 2; i++) {
    const ref = d.uvarint32();
    if (d.err) throw d.err;
    const s = lookup(ref);
    if (s === undefined) throw where(`label ${i >> 1} ${i & 1 ? 'value' : 'name'} refers to unknown symbol ${ref}`);
    labels[i] = s;
    labelRefs[i] = ref;
  }
  const chunks: ChunkMeta[] = [];
  if (withChunks) {
    const n = d.uvarint();
    // A chunk meta is at least three bytes.
    if (n * 3 > d.len) throw where(`chunks count ${n} exceeds the ${d.len} bytes present`);
    if (n > 0) {
      let minTime = d.varint();
      let maxTime = minTime + d.uvarint();
      let ref = d.uvarint();
      chunks.push({ minTime, maxTime, ref });
      for (let i = 1; i < n; i++) {
        minTime = maxTime + d.uvarint();
        maxTime = minTime + d.uvarint();
        ref += d.varint();
        chunks.push({ minTime, maxTime, ref });
      }
    }
    const e = d.error();
    if (e) throw new TsdbError(e.code, `index series at offset ${off}: chunk metas: ${e.message}`, { offset: off }, { cause: e });
  }
  return { labels, labelRefs, chunks, end };
}
