// Decode throughput: every chunk of every block of a snapshot dir, in
// process, from segment bytes already in memory.

import fs from 'node:fs';
import path from 'node:path';
import { decodeChunk } from '../dist/chunkenc/chunk.js';
import { readChunkRecord, SEGMENT_HEADER_LEN } from '../dist/chunks/segment.js';
import { scanXOR, XOR_SCAN_PAD } from '../dist/chunkenc/xor-scan.js';

function segments(snapDir) {
  const segs = [];
  for (const b of fs.readdirSync(snapDir)) {
    const dir = path.join(snapDir, b, 'chunks');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) segs.push(fs.readFileSync(path.join(dir, f)));
  }
  return segs;
}

/** verify's check-only pass (xor-scan.ts) over every XOR chunk: samples/s. */
export function scanThroughput(snapDir, runs = 3) {
  const segs = segments(snapDir).map((b) => {
    const p = Buffer.alloc(b.length + XOR_SCAN_PAD);
    b.copy(p);
    return { buf: p, len: b.length, view: new DataView(p.buffer, p.byteOffset, p.length) };
  });
  const res = new Float64Array(3);
  let best = Infinity;
  let samples = 0;
  for (let r = 0; r < runs; r++) {
    samples = 0;
    const t0 = process.hrtime.bigint();
    for (const { buf, len, view } of segs) {
      let off = SEGMENT_HEADER_LEN;
      while (off < len && buf[off] !== 0) {
        const rec = readChunkRecord(buf.subarray(0, len), off, false);
        const start = rec.data.byteOffset - buf.byteOffset;
        if (buf[start - 1] === 1) {
          const n = scanXOR(buf, view, start, start + rec.data.length, res);
          if (n < 0) throw new Error(`scanXOR declined the chunk at ${off}`);
          samples += n;
        }
        off = rec.end;
      }
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { samples, secs: best };
}

export function decodeThroughput(snapDir, runs = 3) {
  const segs = segments(snapDir);
  let best = Infinity;
  let chunks = 0;
  let samples = 0;
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    chunks = samples = bytes = 0;
    const t0 = process.hrtime.bigint();
    for (const buf of segs) {
      let off = SEGMENT_HEADER_LEN;
      while (off < buf.length && buf[off] !== 0) {
        const rec = readChunkRecord(buf, off, false);
        const d = decodeChunk(rec.encoding, rec.data);
        samples += d.kind === 'float' ? d.count : d.samples.length;
        bytes += rec.data.length;
        chunks++;
        off = rec.end;
      }
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { chunks, samples, bytes, secs: best };
}
