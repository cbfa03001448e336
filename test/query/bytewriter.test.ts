// The dump's byte buffer: whatever is written comes out once, in order, in
// chunks the stream may keep, and a slow stream holds the writer back.

import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/query/bytewriter.js';

/** A stream that keeps every chunk as given (no copy), calling back late when `slow`. */
function keeper(slow: boolean, highWaterMark = 16) {
  const chunks: Buffer[] = [];
  let maxBuffered = 0;
  const out = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      maxBuffered = Math.max(maxBuffered, out.writableLength);
      if (slow) setImmediate(cb);
      else cb();
    },
  });
  return { out, chunks, maxBuffered: () => maxBuffered };
}

/** Write the pieces through a ByteWriter on `out`, flushing whenever it is full, then end `out`. */
async function writeAll(out: Writable, flushAt: number, pieces: (string | Uint8Array)[]): Promise<void> {
  const w = new ByteWriter(out, flushAt);
  for (const p of pieces) {
    if (typeof p === 'string') w.text(p);
    else w.bytes(p);
    if (w.full) await w.flush();
  }
  await w.flush();
  await new Promise((resolve) => out.end(resolve));
}

const piece = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.uint8Array({ maxLength: 5000 }),
);

describe('ByteWriter', () => {
  it('hands the stream every byte once, in order, in chunks of their own', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.boolean(), fc.integer({ min: 1, max: 2048 }), async (pieces, slow, flushAt) => {
        const k = keeper(slow);
        await writeAll(k.out, flushAt, pieces);
        const want = Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
        expect(Buffer.concat(k.chunks).equals(want)).toBe(true);
        // Chunks do not share memory: the stream may hold on to them.
        const regions = k.chunks.map((c) => [c.buffer, c.byteOffset, c.byteOffset + c.length] as const);
        for (let i = 0; i < regions.length; i++)
          for (let j = i + 1; j < regions.length; j++) {
            const [a, b] = [regions[i], regions[j]];
            expect(a[0] === b[0] && a[1] < b[2] && b[1] < a[2]).toBe(false);
          }
      }),
      { numRuns: 200 },
    );
  });

  it('waits for drain when the stream asks: a slow stream never holds more than about one chunk', async () => {
    const k = keeper(true, 1);
    const line = Buffer.from('{__name__="up"} 1 1700000000000\n');
    const pieces = Array.from({ length: 3000 }, () => line);
    await writeAll(k.out, 1000, pieces);
    expect(Buffer.concat(k.chunks).length).toBe(line.length * 3000);
    expect(k.chunks.length).toBeGreaterThan(50);
    expect(k.maxBuffered()).toBeLessThanOrEqual(1000 + line.length);
  });

  it('grows for a line longer than its slack and keeps what came before', async () => {
    const k = keeper(false);
    const w = new ByteWriter(k.out, 8);
    w.text('ab');
    w.reserve(100_000);
    w.buf.fill(0x7a, w.pos, w.pos + 100_000);
    w.pos += 100_000;
    w.text('ü\n');
    expect(w.full).toBe(true);
    await w.flush();
    const got = Buffer.concat(k.chunks).toString('utf8');
    expect(got).toBe('ab' + 'z'.repeat(100_000) + 'ü\n');
    expect(w.pos).toBe(0);
    expect(w.buf.length).toBeLessThan(100_000);
  });

  it('reports a stream error from the wait for drain', async () => {
    const out = new Writable({
      highWaterMark: 1,
      write(_c, _e, cb) {
        setImmediate(() => cb(new Error('disk full')));
      },
    });
    out.on('error', () => {});
    const w = new ByteWriter(out, 4);
    w.text('hello');
    await expect(w.flush()).rejects.toThrow('disk full');
  });
});
