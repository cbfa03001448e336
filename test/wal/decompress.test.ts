import snappy from '@napi-rs/snappy';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/encoding/errors.js';
import { decompressRecord, snappyUncompress } from '../../src/wal/decompress.js';
import { readRecord, type WalRecord } from '../../src/wal/records.js';
import type { RawRecord } from '../../src/wal/segment.js';
import { expectTsdbError, FAST_MS, outcome } from '../helpers/errors.js';
import { encodeSeries } from '../helpers/walWriter.js';

function as<T extends WalRecord['type']>(r: WalRecord, type: T): Extract<WalRecord, { type: T }> {
  if (r.type !== type) throw new Error(`expected a ${type} record, got ${r.type}`);
  return r as Extract<WalRecord, { type: T }>;
}

describe('compressed records', () => {
  const rec = encodeSeries(Array.from({ length: 50 }, (_, i) => ({ ref: i + 1, labels: ['__name__', 'metric_name_repeated', 'i', String(i)] })));
  const raw = (data: Uint8Array, compression: RawRecord['compression']): RawRecord => ({ segment: 'wal/00000003', offset: 4096, compression, data });

  it('snappy via @napi-rs/snappy', () => {
    const c = snappy.compressSync(Buffer.from(rec));
    expect(c.length).toBeLessThan(rec.length);
    expect(Array.from(decompressRecord(raw(c, 'snappy')))).toEqual(Array.from(rec));
    expect(as(readRecord(raw(c, 'snappy')), 'series').series).toHaveLength(50);
  });

  it('the snappy length header: cut off, or longer than 5 bytes', () => {
    expect(expectTsdbError(() => snappyUncompress(Uint8Array.of(0x80, 0x80), 'x'), { code: ErrorCode.Corrupt }).message).toBe('x: snappy length header is cut off');
    const long = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0);
    expect(expectTsdbError(() => snappyUncompress(long, 'x'), { code: ErrorCode.Corrupt }).message).toBe('x: snappy length header is longer than 5 bytes');
  });

  it('bad snappy data is a Corrupt error with the record place', () => {
    const c = snappy.compressSync(Buffer.from(rec));
    const bad = Uint8Array.from(c);
    bad[bad.length - 3] ^= 0xff;
    bad[5] ^= 0xff;
    const cases = [bad, Uint8Array.of(0xff), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0, 1), Uint8Array.of(10, 0x00, 1)];
    for (const b of cases) {
      const r = outcome(() => decompressRecord(raw(b, 'snappy')));
      if (r.kind === 'unclean') throw new Error(r.reason, { cause: r.thrown });
      if (r.kind === 'error') expect(r.error.context).toMatchObject({ file: 'wal/00000003', offset: 4096 });
    }
    // A length header claiming more than the input can expand to is refused before allocating.
    const e = expectTsdbError(() => snappyUncompress(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0, 1), 'x'), { code: ErrorCode.Corrupt, maxMs: FAST_MS });
    expect(e.message).toMatch(/more than/);
  });

  // Hand-made frames (RFC 8878): magic, descriptor, content size, blocks of a 3-byte header.
  const frame = (descriptor: number[], ...blocks: number[][]) => Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, ...descriptor, ...blocks.flat()]);
  const block = (last: boolean, type: number, size: number, body: number[]) => {
    const h = (size << 3) | (type << 1) | (last ? 1 : 0);
    return [h & 0xff, (h >> 8) & 0xff, h >> 16, ...body];
  };

  it('zstd via fzstd: raw and RLE blocks, several frames', () => {
    const raw1 = frame([0x20, 3], block(true, 0, 3, [7, 8, 9]));
    const rle = frame([0x20, 5], block(true, 1, 5, [4]));
    expect(Array.from(decompressRecord(raw(raw1, 'zstd')))).toEqual([7, 8, 9]);
    expect(Array.from(decompressRecord(raw(Uint8Array.from([...raw1, ...rle]), 'zstd')))).toEqual([7, 8, 9, 4, 4, 4, 4, 4]);
  });

  it('zstd frames that would make fzstd allocate by a header are refused first', () => {
    const cases: [Uint8Array, RegExp][] = [
      // A content size of 2^32 - 1 with a 1-byte block.
      [frame([0xa0, 0xff, 0xff, 0xff, 0xff], block(true, 0, 1, [1])), /declares 4294967295 bytes, more than its blocks can hold \(1\)/],
      // No content size, a 2 GiB window.
      [frame([0x00, 0xa8], block(true, 0, 1, [1])), /window, more than 8388608/],
      [frame([0x20, 3], block(true, 0, 3, [7])), /block runs past the record/],
      [frame([0x20, 3], block(false, 0, 1, [7])), /block header at 10 is cut off/],
      [frame([0x20, 3], block(true, 3, 1, [7])), /reserved type/],
      [Uint8Array.of(1, 2, 3, 4), /no frame magic/],
      [Uint8Array.of(), /empty record/],
    ];
    for (const [bytes, msg] of cases) {
      const e = expectTsdbError(() => decompressRecord(raw(bytes, 'zstd')), { code: ErrorCode.Corrupt, maxMs: FAST_MS });
      expect(e.message).toMatch(msg);
      expect(e.context).toMatchObject({ file: 'wal/00000003', offset: 4096 });
    }
  });
});
