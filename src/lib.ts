// The tsdb-inspect library (`import … from 'tsdb-inspect'`): open an input,
// verify it, query it as the HTTP API and promtool answer, and the readers
// of each file format. One name per thing, with the types the functions take
// and return. No CLI dependencies here (test/lib/boundary.test.ts).

import { openInput, type OpenedInput } from './snapshot/open.js';

/** An opened input; `await using` (or `close()`) removes what opening created. */
export type Input = OpenedInput & AsyncDisposable;

/**
 * Open an archive (`.tgz`, `.tar`, `-` for stdin), a snapshot, data or block dir.
 * Release it with `await using x = await open(path)`, or call `close()`; `withInput` does it for you.
 */
export async function open(input: string): Promise<Input> {
  const o = await openInput(input);
  return Object.assign(o, { [Symbol.asyncDispose]: async () => o.close() });
}

/** Open the input, run `fn` on it, and close it, also when `fn` throws. */
export async function withInput<T>(input: string, fn: (input: Input) => Promise<T> | T): Promise<T> {
  const o = await open(input);
  try {
    return await fn(o);
  } finally {
    o.close();
  }
}

// Inputs
export { querySources, type OpenedInput, type Snapshot } from './snapshot/open.js';
export { Block } from './block/block.js';
export type { BlockSource } from './block/source.js';

// verify
export { verify, verifyStream } from './verify/verify.js';
export type { VerifyResult, VerifyOptions, SnapshotResult, BlockResult } from './verify/result.js';
export { FINDING_CODES, Code, type FindingCode, type Severity, type CodeInfo } from './encoding/finding-codes.js';
export { TsdbError, ErrorCode, isTsdbError, type ErrorContext, type Finding } from './encoding/errors.js';

// Queries, as the HTTP API and promtool answer them
export { parseSeriesSelector as parseSelector, parseMatchParam, SelectorError } from './query/promql.js';
export { newMatcher, type Matcher, type MatchType } from './query/matchers.js';
export { parseApiTime as parseTime } from './query/api-time.js';
export { seriesLabels as series, apiLabelNames as labelNames, apiLabelValues as labelValues, writeRangeQuery, type RangeQueryStats } from './query/api.js';
export { mergedSeries, mergedSamples, type MergedSeries } from './query/merge.js';
export type { SampleList } from './chunkenc/sample-list.js';
export { writeDump, type DumpOptions, type DumpStats } from './query/dump.js';
export { writeOpenMetrics, type OpenMetricsStats } from './query/openmetrics.js';

// Reports
export { blockRows, type BlockRow } from './report/blocks.js';
export { analyze, analyzeText, type AnalyzeReport, type AnalyzeOptions, type Stat, type FullnessBucket } from './report/analyze.js';

// Readers of each format
export { parseMeta, type BlockMeta, type BlockStats } from './meta/meta.js';
export { IndexReader } from './index/reader.js';
export type { ChunkMeta, SeriesEntry } from './index/series.js';
export { readChunkRecord, type ChunkRecord } from './chunks/segment.js';
export { ChunkEncoding, decodeChunk, type DecodedChunk } from './chunkenc/chunk.js';
export type { HistogramSample, Span } from './chunkenc/histogrammeta.js';
export { readTombstones, type Tombstones, type Interval } from './tombstones/tombstones.js';
export { replayHead, dirDataFiles, Head, type HeadStats, type DataDirFiles, type ReplayOptions } from './wal/head.js';
