// The tsdb-inspect library: readers for every format of a Prometheus TSDB
// block, the snapshot layer, and queries. No CLI dependencies here.

export * from './encoding/errors.js';
export { crc32c } from './encoding/crc32c.js';
export { Decbuf } from './encoding/decbuf.js';
export { BitReader } from './encoding/bstream.js';
export { ChunkEncoding, decodeChunk, encodingName, type DecodedChunk } from './chunkenc/chunk.js';
export type { HistogramSample, Span } from './chunkenc/histogrammeta.js';
export { readChunkRecord, readSegmentHeader, type ChunkRecord } from './chunks/segment.js';
export { IndexReader } from './index/reader.js';
export type { ChunkMeta, SeriesEntry } from './index/series.js';
export { readTombstones, type Tombstones, type Interval } from './tombstones/tombstones.js';
export { parseMeta, isULID, type BlockMeta } from './meta/meta.js';
export { Block } from './block/block.js';
export { dirSource, type BlockSource } from './block/source.js';
export { openInput, type Snapshot, type OpenedInput } from './snapshot/open.js';
export { parseSeriesSelector as parseSelector, parseSeriesSelector, parseMatchParam, SelectorError } from './query/promql.js';
export { parseApiTime, API_MIN_TIME, API_MAX_TIME } from './query/api-time.js';
export { apiSeries, apiLabelNames, apiLabelValues, writeRangeQuery } from './query/api.js';
export { formatApiFloat, formatApiTimestamp } from './query/api-json.js';
export { writeOpenMetrics } from './query/openmetrics.js';
export { newMatcher, MATCH_ALL, type Matcher } from './query/matchers.js';
export { mergedSeries, mergedSamples } from './query/merge.js';
export { writeDump } from './query/dump.js';
export { formatG, quote, labelsString } from './query/goformat.js';
export { histogramString } from './query/histogram-string.js';
export { blockRows, type BlockRow } from './report/blocks.js';
export { analyze, analyzeText, type AnalyzeReport, type Stat } from './report/analyze.js';
export { openInput as open, querySources } from './snapshot/open.js';
export { readArchive, type ArchiveEntry, type ArchiveResult } from './snapshot/stream.js';
export { verify, verifyDir, verifyStream, type VerifyResult } from './verify/verify.js';
export { replayHead, dirDataFiles, Head, type HeadStats, type DataDirFiles } from './wal/head.js';
export { readWalRecords } from './wal/segment.js';
export { readRecord } from './wal/records.js';
export { readHeadChunkFile } from './chunks/head-segment.js';
