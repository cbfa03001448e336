// promtool tsdb dump's text output: one line per sample,
// `{labels} <value %g> <timestamp ms>`, series in label order, merged
// across blocks. Native histogram samples print as Histogram.String().

import type { Writable } from 'node:stream';
import type { Block } from '../block/block.js';
import type { Head } from '../wal/head.js';
import { formatG, labelsString } from './goformat.js';
import { histogramString } from './histogram-string.js';
import type { Matcher } from './matchers.js';
import { mergedSamples, mergedSeries } from './merge.js';

export interface DumpOptions {
  matchers: readonly Matcher[];
  /** Inclusive bounds in ms; default: everything. */
  minTime?: number;
  maxTime?: number;
}

export interface DumpStats {
  series: number;
  samples: number;
}

const FLUSH_AT = 1 << 16;

/** Write the dump to `out`, buffering lines and honouring backpressure. */
export async function writeDump(blocks: readonly (Block | Head)[], opts: DumpOptions, out: Writable): Promise<DumpStats> {
  const mint = opts.minTime ?? -Infinity;
  const maxt = opts.maxTime ?? Infinity;
  let buf = '';
  const stats: DumpStats = { series: 0, samples: 0 };
  const flush = async () => {
    if (!out.write(buf)) {
      await new Promise<void>((resolve, reject) => {
        const done = (e?: Error) => {
          out.off('drain', done);
          out.off('error', done);
          if (e) reject(e);
          else resolve();
        };
        out.on('drain', done);
        out.on('error', done);
      });
    }
    buf = '';
  };
  for (const m of mergedSeries(blocks, opts.matchers, mint, maxt)) {
    const s = mergedSamples(m, mint, maxt);
    if (s.n === 0) continue;
    stats.series++;
    stats.samples += s.n;
    const prefix = labelsString(m.labels) + ' ';
    const { t, v, h, hf } = s;
    for (let i = 0; i < s.n; i++) {
      const hs = h?.[i];
      buf += prefix + (hs ? histogramString(hs, hf![i]) : formatG(v[i])) + ' ' + t[i] + '\n';
      if (buf.length >= FLUSH_AT) await flush();
    }
  }
  if (buf.length > 0) await flush();
  return stats;
}
