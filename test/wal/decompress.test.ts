import snappy from '@napi-rs/snappy';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/encoding/errors.js';
import { decompressRecord, hasZstd, snappyUncompress } from '../../src/wal/decompress.js';
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

  it('zstd: decompressed where Node has it, a clear Unsupported error where not', () => {
    const z = zlib as unknown as { zstdCompressSync?: (b: Uint8Array) => Buffer };
    if (hasZstd && z.zstdCompressSync) {
      expect(Array.from(decompressRecord(raw(z.zstdCompressSync(rec), 'zstd')))).toEqual(Array.from(rec));
    } else {
      const e = expectTsdbError(() => decompressRecord(raw(Uint8Array.of(1, 2, 3), 'zstd')), { code: ErrorCode.Unsupported });
      expect(e.message).toMatch(/zstd/);
      expect(e.message).toContain(process.version);
      expect(e.context).toMatchObject({ file: 'wal/00000003', offset: 4096 });
    }
  });
});
