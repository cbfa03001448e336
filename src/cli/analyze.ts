// `tsdb-inspect analyze`: promtool tsdb analyze --extended, for one block
// (the last one by default, as promtool) or for all blocks merged.

import type { Writable } from 'node:stream';
import type { Block } from '../block/block.js';
import type { Matcher } from '../query/matchers.js';
import { parseSeriesSelector } from '../query/promql.js';
import { ANALYZE_SECTIONS, analyze, analyzeText, type AnalyzeReport } from '../report/analyze.js';
import { envelope } from '../query/api-json.js';
import type { TableFormat } from '../report/table.js';
import { integerOption, pickSnapshot } from './options.js';
import { writeOut, writeTable } from './output.js';
import { UsageError, withInput } from './run.js';

export interface AnalyzeArgs {
  input: string;
  block?: string;
  all?: boolean;
  limit?: unknown;
  match?: string;
  snapshot?: string;
  format: TableFormat | 'text' | 'json';
}

const SECTION_HEADS: Record<(typeof ANALYZE_SECTIONS)[number][0], [string, string]> = {
  churnByLabelPair: ['CHURN', 'LABEL PAIR'],
  churnByLabelName: ['CHURN', 'LABEL NAME'],
  seriesCountByLabelValuePair: ['SERIES', 'LABEL PAIR'],
  memoryInBytesByLabelName: ['BYTES', 'LABEL NAME'],
  labelValueCountByLabelName: ['VALUES', 'LABEL NAME'],
  seriesCountByMetricName: ['SERIES', 'METRIC NAME'],
};

/** The report as JSON, with /api/v1/status/tsdb's field names and block stats in place of headStats. */
export function analyzeJson(r: AnalyzeReport): string {
  const data = {
    blockStats: {
      blocks: r.blocks,
      numSeries: r.numSeries,
      ...(r.matchedSeries !== undefined ? { matchedSeries: r.matchedSeries } : {}),
      numLabelPairs: r.numLabelPairs,
      numLabelPairEntries: r.numLabelPairEntries,
      numLabelNames: r.labelNames,
      chunkCount: r.chunkCount,
      minTime: r.minTime,
      maxTime: r.maxTime,
      duration: r.duration,
    },
    seriesCountByMetricName: r.seriesCountByMetricName,
    labelValueCountByLabelName: r.labelValueCountByLabelName,
    memoryInBytesByLabelName: r.memoryInBytesByLabelName,
    seriesCountByLabelValuePair: r.seriesCountByLabelValuePair,
    churnByLabelValuePair: r.churnByLabelPair,
    churnByLabelName: r.churnByLabelName,
    chunkFullness: r.chunkFullness,
  };
  return envelope(JSON.stringify(data));
}

async function analyzeTables(r: AnalyzeReport, format: TableFormat, matcher: string | undefined, out: Writable): Promise<void> {
  const rows: [string, string | number][] = [
    [r.blocks.length === 1 ? 'Block ID' : 'Blocks', r.blocks.join('\n')],
    ['Duration', r.duration],
    ['Series', r.numSeries],
  ];
  if (matcher !== undefined) rows.push(['Matcher', matcher], ['Matched series', r.matchedSeries ?? 0]);
  rows.push(['Label names', r.labelNames], ['Postings (unique label pairs)', r.numLabelPairs], ['Postings entries (total label pairs)', r.numLabelPairEntries]);
  await writeTable([{ head: '', keep: true }, { head: '', keep: true }], rows.map(([k, v]) => [k, String(v)]), format, { noHead: true }, out);
  for (const [key, title] of ANALYZE_SECTIONS) {
    const [count, name] = SECTION_HEADS[key];
    await writeOut(`\n${title}:\n`, out);
    await writeTable([{ head: count, keep: true }, { head: name }], r[key].map((s) => [String(s.value), s.name]), format, {}, out);
  }
  await writeOut(`\nChunk fullness (samples per chunk; 100% is 120 samples), ${r.chunkCount} chunks:\n`, out);
  const bars = r.chunkFullness.map((b) => [`${b.fullness}%`, String(b.chunks), '#'.repeat(b.percent)]);
  await writeTable([{ head: 'FULLNESS', keep: true }, { head: 'CHUNKS', keep: true }, { head: '' }], bars, format, {}, out);
}

export async function analyzeCommand(a: AnalyzeArgs): Promise<number> {
  if (a.block !== undefined && a.all) throw new UsageError('give either a block or --all, not both');
  const limit = integerOption('limit', a.limit, 0) ?? 20;
  const matchers: Matcher[] | undefined = a.match !== undefined ? parseSeriesSelector(a.match) : undefined;
  return withInput(a.input, 'chunks', async (o, out) => {
    const all = pickSnapshot(o, a.snapshot)
      .snapshots.flatMap((s) => s.blocks)
      .sort((x, y) => x.meta.minTime - y.meta.minTime || (x.meta.ulid < y.meta.ulid ? -1 : x.meta.ulid > y.meta.ulid ? 1 : 0));
    if (all.length === 0) throw new UsageError(`${a.input}: no blocks to analyze`);
    let blocks: Block[];
    if (a.all) blocks = all;
    else if (a.block !== undefined) {
      const b = all.find((x) => x.meta.ulid === a.block || x.name === a.block);
      if (!b) throw new UsageError(`block ${a.block} not found; the blocks are: ${all.map((x) => x.meta.ulid).join(', ')}`);
      blocks = [b];
    } else blocks = [all[all.length - 1]];
    const r = analyze(blocks, { limit, matchers });
    if (a.format === 'json') await writeOut(analyzeJson(r) + '\n', out);
    else if (a.format === 'text') await writeOut(analyzeText(r, a.match), out);
    else await analyzeTables(r, a.format, a.match, out);
    return 0;
  });
}
