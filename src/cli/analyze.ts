// `tsdb-inspect analyze`: promtool tsdb analyze --extended, for one block
// (the last one by default, as promtool) or for all blocks merged.

import Table from 'cli-table3';
import type { Block } from '../block/block.js';
import type { Matcher } from '../query/matchers.js';
import { parseSeriesSelector } from '../query/promql.js';
import { ANALYZE_SECTIONS, analyze, analyzeText, type AnalyzeReport } from '../report/analyze.js';
import { envelope } from '../query/api-json.js';
import { TABLE_STYLE } from './api-args.js';
import { UsageError, withInput } from './run.js';

export interface AnalyzeArgs {
  input: string;
  block?: string;
  all?: boolean;
  limit?: number;
  match?: string;
  format: 'table' | 'text' | 'json';
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

function analyzeTables(r: AnalyzeReport, matcher?: string): string {
  const head = new Table({ style: TABLE_STYLE });
  const rows: [string, string | number][] = [
    [r.blocks.length === 1 ? 'Block ID' : 'Blocks', r.blocks.join('\n')],
    ['Duration', r.duration],
    ['Series', r.numSeries],
  ];
  if (matcher !== undefined) rows.push(['Matcher', matcher], ['Matched series', r.matchedSeries ?? 0]);
  rows.push(['Label names', r.labelNames], ['Postings (unique label pairs)', r.numLabelPairs], ['Postings entries (total label pairs)', r.numLabelPairEntries]);
  for (const [k, v] of rows) head.push([k, String(v)]);
  let out = head.toString() + '\n';
  for (const [key, title] of ANALYZE_SECTIONS) {
    const t = new Table({ head: SECTION_HEADS[key], style: TABLE_STYLE });
    for (const s of r[key]) t.push([String(s.value), s.name]);
    out += `\n${title}:\n${t.toString()}\n`;
  }
  const f = new Table({ head: ['FULLNESS', 'CHUNKS', ''], style: TABLE_STYLE });
  for (const b of r.chunkFullness) f.push([`${b.fullness}%`, String(b.chunks), '#'.repeat(b.percent)]);
  out += `\nChunk fullness (samples per chunk; 100% is 120 samples), ${r.chunkCount} chunks:\n${f.toString()}\n`;
  return out;
}

export async function analyzeCommand(a: AnalyzeArgs): Promise<number> {
  if (a.block !== undefined && a.all) throw new UsageError('give either --block or --all, not both');
  const limit = a.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit takes a non-negative integer, got ${a.limit}`);
  const matchers: Matcher[] | undefined = a.match !== undefined ? parseSeriesSelector(a.match) : undefined;
  return withInput(a.input, 'chunks', async (opened, out) => {
    const all = opened.snapshots
      .flatMap((s) => s.blocks)
      .sort((x, y) => x.meta.minTime - y.meta.minTime || (x.meta.ulid < y.meta.ulid ? -1 : x.meta.ulid > y.meta.ulid ? 1 : 0));
    if (all.length === 0) throw new UsageError(`${a.input}: no blocks to analyze`);
    let blocks: Block[];
    if (a.all) blocks = all;
    else if (a.block !== undefined) {
      const b = all.find((x) => x.meta.ulid === a.block || x.name === a.block);
      if (!b) throw new UsageError(`block ${a.block} not found`);
      blocks = [b];
    } else blocks = [all[all.length - 1]];
    const r = analyze(blocks, { limit, matchers });
    if (a.format === 'json') out.write(analyzeJson(r) + '\n');
    else if (a.format === 'text') out.write(analyzeText(r, a.match));
    else out.write(analyzeTables(r, a.match));
    return 0;
  });
}
