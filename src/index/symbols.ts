// The symbol table: every label name and value, sorted and deduplicated.
// Format v2+ refers to a symbol by its sequence number; format v1 by its
// byte offset in the file. See tsdb/docs/format/index.md, "Symbol Table".

import { decbufAt } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

export interface Symbols {
  /** All symbols in table order. */
  strings: string[];
  /** Byte offset (in the file) of each symbol's length prefix; v1 refs are these. */
  offsets: Float64Array;
  /** Offset of the section's length field. */
  sectionOffset: number;
}

export function readSymbols(buf: Uint8Array, off: number): Symbols {
  const d = decbufAt(buf, off, 'index symbol table');
  if (d.err) throw d.err;
  const count = d.be32();
  // Each symbol takes at least one byte, so a count beyond the bytes present is corrupt.
  if (count > d.len) {
    throw new TsdbError(ErrorCode.Corrupt, `index symbol table at offset ${off}: #symbols ${count} exceeds the ${d.len} bytes present`, { offset: off });
  }
  const strings: string[] = [];
  const offsets = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    offsets[i] = d.off;
    strings.push(d.uvarintStr());
    const e = d.error();
    if (e) {
      throw new TsdbError(e.code, `index symbol table: symbol ${i} of ${count}: ${e.message}`, { offset: e.context.offset ?? off }, { cause: e });
    }
  }
  return { strings, offsets, sectionOffset: off };
}

/** Resolve a symbol reference as the given index format version defines it. */
export function lookupSymbol(s: Symbols, ref: number, version: number): string | undefined {
  if (version !== 1) return s.strings[ref];
  // v1: ref is a file offset; offsets are ascending.
  let lo = 0;
  let hi = s.offsets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const o = s.offsets[mid];
    if (o === ref) return s.strings[mid];
    if (o < ref) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
