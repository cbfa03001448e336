// CRC32C choice by measurement (issue 5): the slice-by-8 tables against
// @node-rs/crc32's SIMD code, over what verify checksums in a real snapshot
// (every chunk record, and every index file whole), and the mix that
// src/encoding/crc32c.ts uses (native from NATIVE_FROM bytes).

import fs from 'node:fs';
import path from 'node:path';
import { crc32c, crc32cTable, nativeCrc32c, NATIVE_FROM } from '../dist/encoding/crc32c.js';
import { readChunkRecord, SEGMENT_HEADER_LEN } from '../dist/chunks/segment.js';

/** [buffer, start, end] of every chunk record's checksummed bytes, and of every index. */
function pieces(snapDir) {
  const out = [];
  for (const b of fs.readdirSync(snapDir)) {
    const dir = path.join(snapDir, b, 'chunks');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      const buf = fs.readFileSync(path.join(dir, f));
      let off = SEGMENT_HEADER_LEN;
      while (off < buf.length && buf[off] !== 0) {
        const rec = readChunkRecord(buf, off, false);
        const start = rec.data.byteOffset - buf.byteOffset - 1; // the encoding byte is covered too
        out.push([buf, start, start + 1 + rec.data.length]);
        off = rec.end;
      }
    }
    const index = path.join(snapDir, b, 'index');
    if (fs.existsSync(index)) {
      const buf = fs.readFileSync(index);
      out.push([buf, 0, buf.length]);
    }
  }
  return out;
}

function best(fn, list, runs) {
  let secs = Infinity;
  let x = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    for (const [b, s, e] of list) x ^= fn(b, s, e);
    secs = Math.min(secs, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { secs, x };
}

export function crcChoice(snapDir, runs = 3) {
  const list = pieces(snapDir);
  const bytes = list.reduce((n, [, s, e]) => n + e - s, 0);
  const table = best(crc32cTable, list, runs);
  const native = nativeCrc32c ? best((b, s, e) => nativeCrc32c(b.subarray(s, e)), list, runs) : undefined;
  const mixed = best(crc32c, list, runs);
  if (native && (native.x !== table.x || mixed.x !== table.x)) throw new Error('CRC32C implementations disagree');
  return { pieces: list.length, bytes, table: table.secs, native: native?.secs, mixed: mixed.secs, nativeFrom: NATIVE_FROM };
}
