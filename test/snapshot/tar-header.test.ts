import { describe, expect, it } from 'vitest';
import { clip, normalize, parseHeader, parsePax, PATH_MAX, unsafePath, unsafeReason } from '../../src/snapshot/tar-header.js';
import { sealHeader, ustarHeader } from '../fuzz/tarball.js';

describe('parseHeader', () => {
  it('reads name, size, type and link name; the ustar prefix joins the name', () => {
    const h = ustarHeader({ name: `snapshots/${'p'.repeat(120)}/meta.json`, size: 700, flag: '1', linkname: 'a/b' });
    expect(parseHeader(h)).toEqual({ name: `snapshots/${'p'.repeat(120)}/meta.json`, linkname: 'a/b', size: 700, flag: '1' });
  });

  it('a change to any summed byte (mtime, uname, mode, reserved space) is a checksum mismatch', () => {
    const h = ustarHeader({ name: 'x', size: 1, flag: '0' });
    for (const at of [0, 100, 108, 124, 136, 156, 157, 265, 297, 345, 500, 511]) {
      const b = Buffer.from(h);
      b[at]! ^= 0x01;
      expect(parseHeader(b), `byte ${at}`).toMatch(/checksum mismatch/);
    }
  });

  it('the checksum field is read like GNU tar: digits up to NUL or space, so its terminator is never read', () => {
    const h = ustarHeader({ name: 'x', size: 1, flag: '0' });
    expect(h.toString('latin1', 148, 156)).toMatch(/^[0-7]{6}\0 $/);
    const last = Buffer.from(h);
    last[155] = 0x41; // after the NUL: not read
    expect(typeof parseHeader(last)).toBe('object');
    const nulToSpace = Buffer.from(h);
    nulToSpace[154] = 0x20;
    expect(typeof parseHeader(nulToSpace)).toBe('object');
    const nulToJunk = Buffer.from(h);
    nulToJunk[154] = 0x21;
    expect(parseHeader(nulToJunk)).toMatch(/checksum mismatch \(stored unreadable/);
  });

  it('accepts the signed sums of old tars', () => {
    const h = ustarHeader({ name: 'x', size: 1, flag: '0' });
    h[300] = 0xf0;
    sealHeader(h);
    let signed = 0;
    for (let i = 0; i < 512; i++) signed += i >= 148 && i < 156 ? 32 : h[i]! < 128 ? h[i]! : h[i]! - 256;
    h.write(signed.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    expect(typeof parseHeader(h)).toBe('object');
  });
});

describe('parsePax', () => {
  it('reads records and refuses malformed ones', () => {
    expect(parsePax(Buffer.from('12 size=700\n15 path=a/b/cd\n'))).toEqual(new Map([['size', '700'], ['path', 'a/b/cd']]));
    for (const bad of ['12 size=700', '99 size=700\n', 'x size=1\n', '5 a\n']) expect(parsePax(Buffer.from(bad)), bad).toBeUndefined();
  });
});

describe('member safety', () => {
  it('refuses `..`, absolute and over-long paths, and every special type', () => {
    expect(unsafePath('snapshots/a/../../x')).toMatch(/`\.\.`/);
    expect(unsafePath('/etc/passwd')).toMatch(/absolute/);
    expect(unsafePath('C:\\x')).toMatch(/absolute/);
    expect(unsafePath('')).toMatch(/empty/);
    expect(unsafePath('a/'.repeat(PATH_MAX / 2))).toMatch(/longer than PATH_MAX/);
    expect(unsafePath('snapshots/a/b/index')).toBeUndefined();
    expect(unsafePath('snapshots/a..b/index')).toBeUndefined();
    expect(unsafeReason('x', 'symlink', '/etc')).toMatch(/symbolic link to `\/etc`/);
    expect(unsafeReason('x', 'fifo', '')).toMatch(/FIFO/);
    expect(unsafeReason('x', 'block-device', '')).toMatch(/block device/);
  });

  it('normalizes and clips names for messages', () => {
    expect(normalize('./snapshots//a/./b/')).toBe('snapshots/a/b');
    expect(clip('x'.repeat(5000))).toMatch(/^x{200}… \(5000 characters\)$/);
  });
});
