// The index's table of contents: the last 52 bytes of the file, six
// big-endian 64-bit section offsets and a CRC32C over them.
// See tsdb/docs/format/index.md, "TOC".

import { crc32c } from '../encoding/crc32c.js';
import { be32At, Decbuf, hex32 } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

export const MAGIC_INDEX = 0xbaaad700;
export const INDEX_HEADER_LEN = 5;
export const TOC_LEN = 6 * 8 + 4;

export interface TOC {
  symbols: number;
  series: number;
  labelIndices: number;
  labelIndicesTable: number;
  postings: number;
  postingsTable: number;
}

export function readTOC(buf: Uint8Array): TOC {
  if (buf.length < INDEX_HEADER_LEN + TOC_LEN) {
    throw new TsdbError(ErrorCode.ShortBuffer, `index is ${buf.length} bytes, too short for header and TOC (${INDEX_HEADER_LEN + TOC_LEN})`, { offset: 0 });
  }
  const start = buf.length - TOC_LEN;
  const want = be32At(buf, buf.length - 4);
  const got = crc32c(buf, start, buf.length - 4);
  if (want !== got) {
    throw new TsdbError(ErrorCode.BadChecksum, `index TOC at offset ${start}: CRC32C mismatch (stored ${hex32(want)}, computed ${hex32(got)})`, { offset: start });
  }
  const d = new Decbuf(buf, start, buf.length - 4);
  const toc: TOC = {
    symbols: d.be64(),
    series: d.be64(),
    labelIndices: d.be64(),
    labelIndicesTable: d.be64(),
    postings: d.be64(),
    postingsTable: d.be64(),
  };
  if (d.err) throw d.err;
  for (const [k, v] of Object.entries(toc)) {
    if (v !== 0 && (v < INDEX_HEADER_LEN || v >= start)) {
      throw new TsdbError(ErrorCode.Corrupt, `index TOC: ${k} offset ${v} lies outside the file body [${INDEX_HEADER_LEN}, ${start})`, { offset: start });
    }
  }
  return toc;
}
