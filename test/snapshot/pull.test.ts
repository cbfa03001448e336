import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { firstNonZero, Pull } from '../../src/snapshot/pull.js';

describe('Pull', () => {
  it('reads exact lengths across chunks, puts bytes back, skips, and counts the offset', async () => {
    const p = new Pull(Readable.from([Buffer.from('abc'), Buffer.from('defgh'), Buffer.from('ij')])[Symbol.asyncIterator]());
    expect((await p.read(4)).toString()).toBe('abcd');
    const b = await p.read(3);
    expect(b.toString()).toBe('efg');
    p.unread(b.subarray(1));
    expect(p.offset).toBe(5);
    expect(await p.skip(100)).toBe(5);
    expect((await p.read(1)).length).toBe(0);
  });

  it('turns an input error into an input-error fault', async () => {
    const src = new Readable({ read() {} });
    src.push(Buffer.from('abc'));
    setTimeout(() => src.destroy(new Error('EIO')), 5);
    const p = new Pull(src[Symbol.asyncIterator](), undefined, true);
    await p.read(3);
    await expect(p.read(1)).rejects.toMatchObject({ code: 'input-error' });
  });
});

describe('firstNonZero', () => {
  it('finds the first non-zero byte in buffers of any size, or -1', () => {
    expect(firstNonZero(new Uint8Array(0))).toBe(-1);
    expect(firstNonZero(new Uint8Array(200_000))).toBe(-1);
    for (const at of [0, 1, 65535, 65536, 65537, 199_999]) {
      const b = new Uint8Array(200_000);
      b[at] = 7;
      b[199_999] = 1;
      expect(firstNonZero(b), `at ${at}`).toBe(at);
    }
  });
});
