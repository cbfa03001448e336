// Chunk encodings and one entry point that decodes any of them
// (tsdb/chunkenc/chunk.go; tsdb/docs/format/chunks.md "Chunk").
//
// The encoding byte sits before the chunk data in a segment file. Every
// encoding's data starts with a 2-byte big-endian sample count (for the ST
// histogram encodings only its low 14 bits; the top 2 are the counter-reset
// header).

import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { numSamples } from './header.js';
import { decodeFloatHistogram, decodeFloatHistogramST } from './floathistogram.js';
import { decodeHistogram, decodeHistogramST } from './histogram.js';
import type { HistogramSample } from './histogrammeta.js';
import { decodeXOR, decodeXOR2 } from './xor.js';

export const ChunkEncoding = {
  None: 0,
  /** Gorilla floats; every Prometheus 2.x. */
  XOR: 1,
  /** Integer native histograms; since 2.40. */
  Histogram: 2,
  /** Float native histograms; since 2.42. */
  FloatHistogram: 3,
  /** Floats with a joint dod/value prefix and optional start timestamps; since 3.11. */
  XOR2: 4,
  /** Histogram with start timestamps; since 3.14, behind a feature flag. */
  HistogramST: 5,
  /** FloatHistogram with start timestamps; since 3.14, behind a feature flag. */
  FloatHistogramST: 6,
  /** XOR with the out-of-order bit 0x80; only in head chunk files of 2.39 – 2.44. */
  OOOXOR: 0x81,
} as const;

export type ChunkEncoding = (typeof ChunkEncoding)[keyof typeof ChunkEncoding];

const NAMES: Record<number, string> = {
  0: 'none',
  1: 'XOR',
  2: 'histogram',
  3: 'floathistogram',
  4: 'XOR2',
  5: 'histogramST',
  6: 'floathistogramST',
  0x81: 'OOOXOR',
};

/** Prometheus's name for an encoding, or `<unknown N>`. */
export function encodingName(n: number): string {
  return NAMES[n] ?? `<unknown ${n}>`;
}

/** The sample count as the given encoding defines it (14 bits for the ST histograms). */
export function numSamplesFor(encoding: number, data: Uint8Array): number {
  const n = numSamples(data);
  return encoding === ChunkEncoding.HistogramST || encoding === ChunkEncoding.FloatHistogramST ? n & 0x3fff : n;
}

export type DecodedChunk =
  | { kind: 'float'; t: Float64Array; v: Float64Array; count: number; st?: Float64Array }
  | { kind: 'histogram'; float: boolean; samples: HistogramSample[] };

/** Decodes chunk data of the given encoding into all its samples. */
export function decodeChunk(encoding: number, data: Uint8Array): DecodedChunk {
  switch (encoding) {
    case ChunkEncoding.XOR:
    case ChunkEncoding.OOOXOR:
      return { kind: 'float', ...decodeXOR(data) };
    case ChunkEncoding.XOR2:
      return { kind: 'float', ...decodeXOR2(data) };
    case ChunkEncoding.Histogram:
      return { kind: 'histogram', float: false, samples: decodeHistogram(data) };
    case ChunkEncoding.FloatHistogram:
      return { kind: 'histogram', float: true, samples: decodeFloatHistogram(data) };
    case ChunkEncoding.HistogramST:
      return { kind: 'histogram', float: false, samples: decodeHistogramST(data) };
    case ChunkEncoding.FloatHistogramST:
      return { kind: 'histogram', float: true, samples: decodeFloatHistogramST(data) };
    default:
      throw new TsdbError(ErrorCode.UnknownEncoding, `unknown chunk encoding ${encoding}`);
  }
}
