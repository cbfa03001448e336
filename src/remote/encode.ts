// Samples as prometheus.TimeSeries messages (prompb/types.proto), and a batch
// of them as a remote write 1.0 request body: a WriteRequest, snappy
// block-compressed (storage/remote/codec.go buildWriteRequest).
//
// Float values go to protobufjs as numbers read straight from the sample
// list's Float64Array and are written by it through a Float64Array too, so a
// NaN's bits (the stale marker 0x7ff0000000000002) survive. They never pass
// through a plain JS array of doubles, which would make every NaN the same.

import { compressSync } from '@napi-rs/snappy';
import type { HistogramSample, Span } from '../chunkenc/histogrammeta.js';
import type { SampleList } from '../chunkenc/sample-list.js';
import { STALE_HI, STALE_LO } from '../chunkenc/stale.js';
import { WriteRequest } from './prompb.js';

const staleWords = new Uint32Array([STALE_LO, STALE_HI]);
/** model/value.StaleNaN as a number, made from its bits. */
const STALE_NAN = new Float64Array(staleWords.buffer)[0]!;

export interface LabelMsg {
  name: string;
  value: string;
}

/** A prometheus.TimeSeries as protobufjs takes it: floats or histograms, never both (see batch.ts). */
export interface TimeSeriesMsg {
  labels: LabelMsg[];
  samples?: { value: number; timestamp: number }[];
  histograms?: Record<string, unknown>[];
}

export function labelMsgs(labels: readonly string[]): LabelMsg[] {
  const out: LabelMsg[] = [];
  for (let i = 0; i < labels.length; i += 2) out.push({ name: labels[i]!, value: labels[i + 1]! });
  return out;
}

/** Samples [from, to) of `s`, all floats, as TimeSeries.samples. */
export function floatSamples(s: SampleList, from: number, to: number): { value: number; timestamp: number }[] {
  const out = new Array<{ value: number; timestamp: number }>(to - from);
  const { t, v } = s;
  for (let i = from; i < to; i++) out[i - from] = { value: v[i]!, timestamp: t[i]! };
  return out;
}

const spanMsgs = (spans: readonly Span[]) => spans.map((s) => ({ offset: s.offset, length: s.length }));

/** Absolute bucket counts as the deltas an integer Histogram carries (each to the one before, the first to zero). */
function deltas(counts: readonly number[]): number[] {
  const out = new Array<number>(counts.length);
  let prev = 0;
  for (let i = 0; i < counts.length; i++) {
    out[i] = counts[i]! - prev;
    prev = counts[i]!;
  }
  return out;
}

/**
 * A native histogram sample as prometheus.Histogram (prompb/codec.go
 * FromIntHistogram / FromFloatHistogram): integer histograms carry bucket
 * deltas and integer counts, float ones absolute counts; custom bounds (schema
 * -53) go in custom_values. ResetHint numbers as CounterResetHint does.
 */
export function histogramMsg(h: HistogramSample, float: boolean): Record<string, unknown> {
  const m: Record<string, unknown> = {
    sum: h.stale ? STALE_NAN : h.sum,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    resetHint: h.counterResetHint,
    timestamp: h.t,
    negativeSpans: spanMsgs(h.negativeSpans),
    positiveSpans: spanMsgs(h.positiveSpans),
  };
  if (float) {
    m.countFloat = h.count;
    m.zeroCountFloat = h.zeroCount;
    m.negativeCounts = h.negativeBuckets;
    m.positiveCounts = h.positiveBuckets;
  } else {
    m.countInt = h.count;
    m.zeroCountInt = h.zeroCount;
    m.negativeDeltas = deltas(h.negativeBuckets);
    m.positiveDeltas = deltas(h.positiveBuckets);
  }
  if (h.customValues) m.customValues = h.customValues;
  return m;
}

/** Samples [from, to) of `s`, all histograms, as TimeSeries.histograms. */
export function histogramSamples(s: SampleList, from: number, to: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = from; i < to; i++) out.push(histogramMsg(s.h![i]!, s.hf![i]!));
  return out;
}

/** The protobuf bytes of a WriteRequest holding `timeseries`. */
export function encodeWriteRequest(timeseries: TimeSeriesMsg[]): Uint8Array {
  return WriteRequest.encode({ timeseries }).finish();
}

/** The body of a remote write 1.0 request: the WriteRequest, snappy block format. */
export function writeRequestBody(timeseries: TimeSeriesMsg[]): Buffer {
  return compressSync(encodeWriteRequest(timeseries));
}
