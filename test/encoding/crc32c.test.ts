import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cTable, NATIVE_FROM, nativeCrc32c } from '../../src/encoding/crc32c.js';
import { hex } from '../helpers/bytes.js';

/** CRC32-Castagnoli one bit at a time: the definition, nothing clever. */
function naiveCrc32c(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('crc32c on known vectors', () => {
  it('matches the CRC-32C check value and the RFC 3720 (iSCSI) vectors', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('matches a CRC that Prometheus wrote', () => {
    // The body of a tombstones file from fixtures/snapshot-full.tgz: ref 96
    // <uvarint>, mint 1795327200000 <varint>, maxt 1795334340000 <varint>;
    // Prometheus stored CRC32C 0x100843d1 after it.
    const body = hex('60 80acb89dc068 c0f69fa4c068');
    expect(crc32c(body)).toBe(0x100843d1);
  });

  it('returns an unsigned 32-bit number', () => {
    const c = crc32c(ascii('a'));
    expect(c).toBe(0xc1d04330);
    expect(c).toBeGreaterThan(0x7fffffff);
  });
});

describe('crc32c properties', () => {
  it('equals the bitwise definition for every length (slice-by-8 body and tail)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        expect(crc32c(b)).toBe(naiveCrc32c(b));
      }),
    );
  });

  it('checks exactly buf[start, end), also in views that do not start at byte 0', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.nat(), fc.nat(), fc.nat(7), (b, x, y, shift) => {
        const start = x % (b.length + 1);
        const end = start + (y % (b.length - start + 1));
        const backing = new Uint8Array(b.length + shift);
        backing.set(b, shift);
        const view = backing.subarray(shift);
        expect(crc32c(view, start, end)).toBe(naiveCrc32c(b.slice(start, end)));
      }),
    );
  });

  it('continues a CRC across pieces when given the previous result', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(), (b, x) => {
        const k = x % (b.length + 1);
        expect(crc32c(b, k, b.length, crc32c(b, 0, k))).toBe(crc32c(b));
      }),
    );
  });

  it('changes when any single bit changes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.nat(7), (b, at, bit) => {
        const c = b.slice();
        c[at % c.length] ^= 1 << bit;
        expect(crc32c(c)).not.toBe(crc32c(b));
      }),
    );
  });
});

describe('crc32c: the table and the native code agree', () => {
  it('uses @node-rs/crc32 on linux-x64, where it has a build', () => {
    if (process.platform === 'linux' && process.arch === 'x64') expect(nativeCrc32c).toBeTypeOf('function');
    expect(NATIVE_FROM).toBeGreaterThan(0);
  });

  it('equals the bitwise definition on both sides of the switch-over length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: NATIVE_FROM - 8, maxLength: 4 * NATIVE_FROM }), fc.nat(7), (b, shift) => {
        const backing = new Uint8Array(b.length + shift);
        backing.set(b, shift);
        const view = backing.subarray(shift);
        const want = naiveCrc32c(b);
        expect(crc32c(view)).toBe(want);
        expect(crc32cTable(view)).toBe(want);
        if (nativeCrc32c) expect(nativeCrc32c(view)).toBe(want);
      }),
      { numRuns: 200 },
    );
  });

  it('continues a CRC across a native piece and a table piece', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3 * NATIVE_FROM }), fc.nat(), (b, x) => {
        const k = x % (b.length + 1);
        const want = naiveCrc32c(b);
        expect(crc32cTable(b, k, b.length, crc32c(b, 0, k))).toBe(want);
        expect(crc32c(b, k, b.length, crc32cTable(b, 0, k))).toBe(want);
      }),
      { numRuns: 200 },
    );
  });
});
