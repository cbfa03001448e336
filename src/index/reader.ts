// The index reader: validates magic, version, TOC, symbol table and
// postings offset table on open (validate, then decode), then serves
// series and postings lookups. Formats v1, v2 and v3 (same layout as v2)
// are read; v1 refers to symbols and series by byte offset.

import { be32At } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { readPostingsList, readPostingsOffsetTable, type PostingsTableEntry } from './postings.js';
import { readSeries, SERIES_ALIGN, type SeriesEntry } from './series.js';
import { lookupSymbol, readSymbols, type Symbols } from './symbols.js';
import { INDEX_HEADER_LEN, MAGIC_INDEX, readTOC, type TOC } from './toc.js';

interface NameEntry {
  values: string[];
  offsets: number[];
}

export class IndexReader {
  readonly buf: Uint8Array;
  readonly version: number;
  readonly toc: TOC;
  readonly symbols: Symbols;
  readonly postingsTable: PostingsTableEntry[];
  private readonly byName = new Map<string, NameEntry>();

  constructor(buf: Uint8Array) {
    this.buf = buf;
    if (buf.length < INDEX_HEADER_LEN) {
      throw new TsdbError(ErrorCode.ShortBuffer, `index is ${buf.length} bytes, shorter than its ${INDEX_HEADER_LEN}-byte header`, { offset: 0 });
    }
    const magic = be32At(buf, 0);
    if (magic !== MAGIC_INDEX) {
      throw new TsdbError(ErrorCode.BadMagic, `index magic is 0x${magic.toString(16)}, want 0x${MAGIC_INDEX.toString(16)}`, { offset: 0 });
    }
    this.version = buf[4];
    if (this.version < 1 || this.version > 3) {
      throw new TsdbError(ErrorCode.BadVersion, `index format version ${this.version} is not known (1, 2 and 3 are)`, { offset: 4 });
    }
    this.toc = readTOC(buf);
    // A zero TOC reference means the section does not exist (index.md, TOC).
    this.symbols = this.toc.symbols ? readSymbols(buf, this.toc.symbols) : { strings: [], offsets: new Float64Array(0), sectionOffset: 0 };
    this.postingsTable = this.toc.postingsTable ? readPostingsOffsetTable(buf, this.toc.postingsTable) : [];
    for (const e of this.postingsTable) {
      let n = this.byName.get(e.name);
      if (!n) this.byName.set(e.name, (n = { values: [], offsets: [] }));
      n.values.push(e.value);
      n.offsets.push(e.offset);
    }
    if (this.version === 1) {
      // v1 does not promise a sorted postings offset table.
      for (const n of this.byName.values()) {
        const idx = n.values.map((_, i) => i).sort((a, b) => compareUtf8(n.values[a], n.values[b]));
        n.values = idx.map((i) => n.values[i]);
        n.offsets = idx.map((i) => n.offsets[i]);
      }
    }
  }

  symbol(ref: number): string | undefined {
    return lookupSymbol(this.symbols, ref, this.version);
  }

  /** Byte offset of a series entry from the ref used in postings. */
  seriesOffset(ref: number): number {
    return this.version === 1 ? ref : ref * SERIES_ALIGN;
  }

  series(ref: number, withChunks = true): SeriesEntry {
    return readSeries(this.buf, this.seriesOffset(ref), (r) => this.symbol(r), withChunks);
  }

  /** Label names, sorted, without the all-postings key. */
  labelNames(): string[] {
    return [...this.byName.keys()].filter((n) => n !== '').sort(compareUtf8);
  }

  labelValues(name: string): string[] {
    return this.byName.get(name)?.values.slice() ?? [];
  }

  postings(name: string, value: string): Uint32Array {
    const n = this.byName.get(name);
    if (!n) return new Uint32Array(0);
    const i = n.values.indexOf(value);
    if (i < 0) return new Uint32Array(0);
    return readPostingsList(this.buf, n.offsets[i]);
  }

  /** Every postings list of a label name, with its value (for matchers). */
  *postingsForName(name: string): Generator<[string, number]> {
    const n = this.byName.get(name);
    if (!n) return;
    for (let i = 0; i < n.values.length; i++) yield [n.values[i], n.offsets[i]];
  }

  readPostingsAt(offset: number): Uint32Array {
    return readPostingsList(this.buf, offset);
  }

  /** The all-postings list (key "", ""): every series in the index. */
  allPostings(): Uint32Array {
    return this.postings('', '');
  }
}

/** Go's byte-wise string order: for valid UTF-8 that is code point order. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointKey(x) < codePointKey(y) ? -1 : 1;
  }
  return a.length - b.length;
}

// UTF-16 code units reordered so that surrogates (code points above
// U+FFFF) sort after U+E000–U+FFFF, as their UTF-8 bytes do.
function codePointKey(u: number): number {
  if (u < 0xd800) return u;
  if (u < 0xe000) return u + 0x2000;
  return u - 0x800;
}
