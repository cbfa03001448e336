import { describe, expect, it } from 'vitest';
import { unmarshalULID } from '../../src/meta/ulid.js';

// oklog/ulid's UnmarshalText (parse with strict=false), as Prometheus reads meta.json's ULIDs.
describe('unmarshalULID', () => {
  it('reads a ULID in either case and writes it canonical (uppercase)', () => {
    expect(unmarshalULID('01M81V437311AY8K10ZBCVFY88')).toBe('01M81V437311AY8K10ZBCVFY88');
    expect(unmarshalULID('01m81v437311ay8k10zbcvfy88')).toBe('01M81V437311AY8K10ZBCVFY88');
    expect(unmarshalULID('7ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBe('7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
  });

  it('refuses anything but 26 bytes, counted in UTF-8', () => {
    for (const s of ['', '01M81V437311AY8K10ZBCVFY8', '01M81V437311AY8K10ZBCVFY888', '01M81V437311AY8K10ZBCVFY8\ufffd']) expect(() => unmarshalULID(s), s).toThrow(/bad data size/);
  });

  it('refuses a first character above 7 (130 bits do not fit 128)', () => {
    for (const s of ['81M81V437311AY8K10ZBCVFY88', 'Z1M81V437311AY8K10ZBCVFY88', 'a1M81V437311AY8K10ZBCVFY88']) expect(() => unmarshalULID(s), s).toThrow(/overflow/);
  });

  it('takes characters outside the alphabet without complaint, as Go does (they decode to other bits)', () => {
    expect(unmarshalULID('0!!!!!!!!!!!!!!!!!!!!!!!!!')).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    // 24 ASCII characters and a two-byte one are 26 bytes.
    expect(unmarshalULID('01M81V437311AY8K10ZBCVFY\u00e9')).not.toBe('01M81V437311AY8K10ZBCVFY88');
  });
});
