import { describe, expect, it } from 'vitest';
import { ErrorCode, findingFromError, isTsdbError, TsdbError } from '../../src/encoding/errors.js';

describe('TsdbError', () => {
  it('has its name, a stable code and a copy of its context', () => {
    const ctx = { file: 'index', offset: 12 };
    const e = new TsdbError(ErrorCode.BadChecksum, 'index TOC: CRC32C mismatch', ctx);
    ctx.offset = 99;
    expect(String(e)).toBe('TsdbError: index TOC: CRC32C mismatch');
    expect(e.code).toBe('ERR_BAD_CHECKSUM');
    expect(e.context).toEqual({ file: 'index', offset: 12 });
    expect(isTsdbError(e)).toBe(true);
    expect(isTsdbError(new Error('x'))).toBe(false);
    expect(isTsdbError({ code: 'ERR_CORRUPT' })).toBe(false);
  });

  it('has distinct codes that all start with ERR_', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^ERR_[A-Z_]+$/);
  });

  it('withContext fills in missing context and keeps what the error already knew', () => {
    const cause = new Error('root');
    const e = new TsdbError(ErrorCode.Corrupt, 'bad', { offset: 7 }, { cause });
    const f = e.withContext({ block: '01ABC', file: 'index', offset: 1 });
    expect(f).not.toBe(e);
    expect(f.context).toEqual({ block: '01ABC', file: 'index', offset: 7 });
    expect(f.code).toBe(ErrorCode.Corrupt);
    expect(f.message).toBe('bad');
    expect(f.cause).toBe(cause);
    expect(f.stack).toBe(e.stack);
    expect(e.context).toEqual({ offset: 7 });
  });

  it('turns into a finding that keeps its place and only the fields it has', () => {
    const e = new TsdbError(ErrorCode.ShortBuffer, 'short', { file: 'chunks/000001', offset: 0 });
    expect(findingFromError(e, 'chunk-short', 'warning', { block: '01B', file: 'ignored' })).toEqual({
      severity: 'warning',
      code: 'chunk-short',
      block: '01B',
      file: 'chunks/000001',
      offset: 0,
      message: 'short',
    });
    const bare = findingFromError(new TsdbError(ErrorCode.Corrupt, 'x'), 'c');
    expect(bare).toEqual({ severity: 'error', code: 'c', message: 'x' });
    expect(Object.keys(bare)).toEqual(['severity', 'code', 'message']);
  });
});
