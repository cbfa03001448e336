// Every encoding's chunk data starts with a 2-byte big-endian sample count
// (tsdb/docs/format/chunks.md; for the ST histogram encodings only its low 14
// bits, see numSamplesFor in chunk.ts).

import { ErrorCode, TsdbError } from '../encoding/errors.js';

/** The 2-byte big-endian header at the start of the chunk data. */
export function numSamples(data: Uint8Array): number {
  if (data.length < 2) {
    throw new TsdbError(ErrorCode.ShortBuffer, `chunk data of ${data.length} bytes has no 2-byte sample count`);
  }
  return (data[0]! << 8) | data[1]!;
}
