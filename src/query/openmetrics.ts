// `promtool tsdb dump-openmetrics` (Prometheus 2.51+; 2.42 has no such
// command): per series, `name{l="v",…} <value %g> <unix seconds %.3f>`,
// label values quoted with Go's strconv.Quote, then `# EOF`.
//
// We follow promtool's code (cmd/promtool/tsdb.go formatSeriesSetOpenMetrics),
// not its help text: a series' samples are written until its first native
// histogram sample (`for it.Next() == chunkenc.ValFloat`), so histogram
// series are left out, and staleness markers are written as the NaN they
// are stored as.

import type { Writable } from 'node:stream';
import type { Block } from '../block/block.js';
import type { Head } from '../wal/head.js';
import { ChunkedWriter } from './api.js';
import { promtoolBlockOrder } from './block-order.js';
import { formatG, quote } from './goformat.js';
import type { Matcher } from './matchers.js';
import { mergedSamples, mergedSeries } from './merge.js';

/** CondensedString: labels.Labels.String() without spaces after the commas. */
export function condensedLabels(labels: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < labels.length; i += 2) {
    if (i > 0) out += ',';
    out += labels[i] + '=' + quote(labels[i + 1]);
  }
  return out + '}';
}

export interface OpenMetricsStats {
  series: number;
  samples: number;
}

export async function writeOpenMetrics(blocks: readonly (Block | Head)[], matchers: readonly Matcher[], mint: number, maxt: number, out: Writable): Promise<OpenMetricsStats> {
  const stats: OpenMetricsStats = { series: 0, samples: 0 };
  const w = new ChunkedWriter(out);
  for (const m of mergedSeries(promtoolBlockOrder(blocks), matchers, mint, maxt)) {
    let name = '';
    const rest: string[] = [];
    for (let i = 0; i < m.labels.length; i += 2) {
      if (m.labels[i] === '__name__') name = m.labels[i + 1];
      else rest.push(m.labels[i], m.labels[i + 1]);
    }
    const prefix = name + condensedLabels(rest) + ' ';
    const s = mergedSamples(m, mint, maxt);
    const n = s.floatPrefix();
    for (let i = 0; i < n; i++) await w.write(prefix + formatG(s.v[i]) + ' ' + (s.t[i] / 1000).toFixed(3) + '\n');
    if (n > 0) stats.series++;
    stats.samples += n;
  }
  await w.write('# EOF\n');
  await w.flush();
  return stats;
}
