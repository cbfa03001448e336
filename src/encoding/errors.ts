// Errors carry a stable code and the place they were found, so callers
// (verify, the CLI) can turn them into findings and exit codes.

import type { FindingCode } from './finding-codes.js';

export const ErrorCode = {
  /** Fewer bytes than a field or section needs. */
  ShortBuffer: 'ERR_SHORT_BUFFER',
  /** A varint longer than 10 bytes or overflowing 64 bits. */
  BadVarint: 'ERR_BAD_VARINT',
  /** A file does not start with the magic number of its format. */
  BadMagic: 'ERR_BAD_MAGIC',
  /** A format version this reader does not know. */
  BadVersion: 'ERR_BAD_VERSION',
  /** A CRC32C over a section or record does not match. */
  BadChecksum: 'ERR_BAD_CHECKSUM',
  /** A chunk encoding byte this reader does not know. */
  UnknownEncoding: 'ERR_UNKNOWN_ENCODING',
  /** Structurally invalid content (bad reference, bad order, bad length). */
  Corrupt: 'ERR_CORRUPT',
  /** Valid but unsupported (e.g. a newer format feature). */
  Unsupported: 'ERR_UNSUPPORTED',
  /** A file or directory is missing or unreadable. */
  NotFound: 'ERR_NOT_FOUND',
  /** The input is not a snapshot, data dir, block or archive. */
  BadInput: 'ERR_BAD_INPUT',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Where in the input a problem was found. All fields are optional. */
export interface ErrorContext {
  snapshot?: string;
  block?: string;
  /** Path relative to the block dir: `index`, `chunks/000001`, `meta.json`, `tombstones`. */
  file?: string;
  /** Byte offset within `file`. */
  offset?: number;
}

export class TsdbError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TsdbError';
    this.code = code;
    this.context = { ...context };
  }

  /** A copy with more context filled in (existing fields win). */
  withContext(ctx: ErrorContext): TsdbError {
    const e = new TsdbError(this.code, this.message, { ...ctx, ...this.context }, { cause: this.cause });
    e.stack = this.stack;
    return e;
  }
}

export function isTsdbError(e: unknown): e is TsdbError {
  return e instanceof TsdbError;
}

/** A problem found in the input: data, not an exception. See verify's JSON output. */
export interface Finding {
  severity: 'error' | 'warning';
  /** Stable machine-readable code from the catalog (finding-codes.ts), e.g. `chunk-crc`. */
  code: FindingCode;
  snapshot?: string;
  /** Block dir name (a ULID). */
  block?: string;
  /** Path relative to the block: `index`, `chunks/000001`, `meta.json`, `tombstones`. */
  file?: string;
  /** Byte offset within `file`. */
  offset?: number;
  message: string;
}

/** A finding from a TsdbError, keeping its place in the input. */
export function findingFromError(e: TsdbError, code: FindingCode, severity: Finding['severity'] = 'error', ctx: ErrorContext = {}): Finding {
  const c = { ...ctx, ...e.context };
  const f: Finding = { severity, code, message: e.message };
  if (c.snapshot !== undefined) f.snapshot = c.snapshot;
  if (c.block !== undefined) f.block = c.block;
  if (c.file !== undefined) f.file = c.file;
  if (c.offset !== undefined) f.offset = c.offset;
  return f;
}
