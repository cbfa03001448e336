// promtool tsdb dump's text output: one line per sample,
// `{labels} <value %g> <timestamp ms>`, series in label order, merged
// across blocks. Native histogram samples print as Histogram.String().
//
// promtool 2.42 stops each series at its first sample that is not a float
// (`for it.Next() == chunkenc.ValFloat`), so a float that follows a native
// histogram in the same series is never printed; 3.5.3 calls Next() once more
// between its float, float-histogram and histogram loops and so also drops
// the samples that end each loop. By default we print every sample once, in
// order; `promtoolCompat` stops a series where 2.42 stops it, for byte equality.

import type { Writable } from 'node:stream';
import type { Block } from '../block/block.js';
import type { Head } from '../wal/head.js';
import { promtoolBlockOrder } from './block-order.js';
import { ByteWriter } from './bytewriter.js';
import { labelsString, NUMBER_MAX_BYTES, writeFloatG, writeInt } from './goformat.js';
import { histogramString } from './histogram-string.js';
import type { Matcher } from './matchers.js';
import { MergeScratch, mergedSamples, mergedSeries } from './merge.js';
import type { SampleList } from '../chunkenc/sample-list.js';

export interface DumpOptions {
  matchers: readonly Matcher[];
  /** Inclusive bounds in ms; default: everything. */
  minTime?: number;
  maxTime?: number;
  /** Print each series only up to its first native histogram sample, as promtool 2.42 does. */
  promtoolCompat?: boolean;
}

export interface DumpStats {
  series: number;
  samples: number;
}

/** Room for a %g float or an int64, a space and a newline, after the prefix. */
const NUMBERS_MAX = 2 * NUMBER_MAX_BYTES + 2;

/** Write the dump to `out`, about 1 MiB at a time, honouring backpressure. */
export async function writeDump(blocks: readonly (Block | Head)[], opts: DumpOptions, out: Writable): Promise<DumpStats> {
  const mint = opts.minTime ?? -Infinity;
  const maxt = opts.maxTime ?? Infinity;
  const w = new ByteWriter(out);
  const stats: DumpStats = { series: 0, samples: 0 };
  const scratch = new MergeScratch();
  for (const m of mergedSeries(promtoolBlockOrder(blocks), opts.matchers, mint, maxt)) {
    const s = mergedSamples(m, mint, maxt, scratch);
    const n = opts.promtoolCompat ? s.floatPrefix() : s.n;
    if (n === 0) continue;
    stats.series++;
    stats.samples += n;
    const prefix = Buffer.from(labelsString(m.labels) + ' ', 'utf8');
    for (let i = 0; i < n; ) {
      i = writeLines(w, prefix, s, i, n);
      if (w.full) await w.flush();
    }
  }
  await w.flush();
  return stats;
}

/** Lines of samples [i, n), until the buffer is full; returns the next sample. */
function writeLines(w: ByteWriter, prefix: Uint8Array, s: SampleList, i: number, n: number): number {
  return s.h ? writeMixedLines(w, prefix, s, i, n) : writeFloatLines(w, prefix, s, i, n);
}

/** Float samples only: buffer and position stay in locals from line to line. */
function writeFloatLines(w: ByteWriter, prefix: Uint8Array, s: SampleList, i: number, n: number): number {
  const { t, v } = s;
  const plen = prefix.length;
  const line = plen + NUMBERS_MAX;
  let buf = w.buf;
  let pos = w.pos;
  for (; i < n && pos < w.flushAt; i++) {
    if (pos + line > buf.length) {
      w.pos = pos;
      w.reserve(line);
      buf = w.buf;
    }
    buf.set(prefix, pos);
    pos = writeFloatG(buf, pos + plen, v[i]);
    buf[pos++] = 32; // ' '
    pos = writeInt(buf, pos, t[i]);
    buf[pos++] = 10; // '\n'
  }
  w.pos = pos;
  return i;
}

/** Samples some of which are native histograms. */
function writeMixedLines(w: ByteWriter, prefix: Uint8Array, s: SampleList, i: number, n: number): number {
  const { t, v, h, hf } = s;
  for (; i < n && !w.full; i++) {
    w.bytes(prefix);
    const hs = h![i];
    if (hs) w.text(histogramString(hs, hf![i]));
    else {
      w.reserve(NUMBERS_MAX);
      w.pos = writeFloatG(w.buf, w.pos, v[i]);
    }
    w.reserve(NUMBERS_MAX);
    const buf = w.buf;
    let pos = w.pos;
    buf[pos++] = 32; // ' '
    pos = writeInt(buf, pos, t[i]);
    buf[pos++] = 10; // '\n'
    w.pos = pos;
  }
  return i;
}
