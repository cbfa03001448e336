// Label indices and the label offset table. Prometheus no longer reads
// them, but it still writes them, and verify checks them.
// See tsdb/docs/format/index.md, "Label Index" and "Label Offset Table".

import { be32At, decbufAt } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

export interface LabelOffsetEntry {
  name: string;
  offset: number;
  entryOffset: number;
}

export function readLabelOffsetTable(buf: Uint8Array, off: number): LabelOffsetEntry[] {
  const d = decbufAt(buf, off, 'index label offset table');
  if (d.err) throw d.err;
  const count = d.be32();
  if (count * 3 > d.len) {
    throw new TsdbError(ErrorCode.Corrupt, `index label offset table at offset ${off}: #entries ${count} exceeds the ${d.len} bytes present`, { offset: off });
  }
  const out: LabelOffsetEntry[] = [];
  for (let i = 0; i < count; i++) {
    const entryOffset = d.off;
    const n = d.uvarint();
    if (!d.err && n !== 1) {
      throw new TsdbError(ErrorCode.Corrupt, `index label offset table entry ${i} at offset ${entryOffset}: key has ${n} names, want 1`, { offset: entryOffset });
    }
    const name = d.uvarintStr();
    const offset = d.uvarint();
    const e = d.error();
    if (e) throw new TsdbError(e.code, `index label offset table entry ${i}: ${e.message}`, { offset: entryOffset }, { cause: e });
    out.push({ name, offset, entryOffset });
  }
  return out;
}

export interface LabelIndex {
  names: number;
  /** Symbol refs of the values, in order. */
  values: Uint32Array;
}

export function readLabelIndex(buf: Uint8Array, off: number): LabelIndex {
  const d = decbufAt(buf, off, 'index label index');
  if (d.err) throw d.err;
  const names = d.be32();
  const count = d.be32();
  if (d.err) throw d.err;
  if (count * 4 !== d.len) {
    throw new TsdbError(ErrorCode.Corrupt, `index label index at offset ${off}: #entries ${count} does not match its length (${d.len} bytes after the counts)`, { offset: off });
  }
  if (names === 0 && count !== 0) throw new TsdbError(ErrorCode.Corrupt, `index label index at offset ${off}: #names is 0 with ${count} entries`, { offset: off });
  const values = new Uint32Array(count);
  let p = d.off;
  for (let i = 0; i < count; i++, p += 4) values[i] = be32At(buf, p);
  return { names, values };
}
