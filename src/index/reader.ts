// The index reader: validates magic, version, TOC, symbol table and
// postings offset table on open (validate, then decode), then serves
// series and postings lookups. Formats v1, v2 and v3 (same layout as v2)
// are read; v1 refers to symbols and series by byte offset.

import { compareUtf8 } from '../encoding/compare.js';
import { be32At } from '../encoding/decbuf.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { PostingsOffsetTable, readPostingsList, type PostingsTableEntry } from './postings.js';
import { readSeries, SERIES_ALIGN, type SeriesEntry } from './series.js';
import { SymbolTable, type Symbols } from './symbols.js';
import { INDEX_HEADER_LEN, MAGIC_INDEX, readTOC, type TOC } from './toc.js';

interface NameEntry {
  values: string[];
  offsets: number[];
}

export class IndexReader {
  readonly buf: Uint8Array;
  readonly version: number;
  readonly toc: TOC;
  private readonly symtab: SymbolTable | undefined;
  private readonly table: PostingsOffsetTable | undefined;
  /** Values and list offsets of the names asked for so far. */
  private readonly byName = new Map<string, NameEntry>();
  private allSymbols?: Symbols;
  private allEntries?: PostingsTableEntry[];

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
    // Both tables are checked and walked now; their strings are decoded as they are needed.
    this.symtab = this.toc.symbols ? new SymbolTable(buf, this.toc.symbols) : undefined;
    this.table = this.toc.postingsTable ? new PostingsOffsetTable(buf, this.toc.postingsTable) : undefined;
  }

  /** Every symbol, decoded (verify reads them all). */
  get symbols(): Symbols {
    this.allSymbols ??= this.symtab ? this.symtab.all() : { strings: [], offsets: new Float64Array(0), sectionOffset: 0 };
    return this.allSymbols;
  }

  /** Every postings offset table entry, decoded, in table order. */
  get postingsTable(): PostingsTableEntry[] {
    this.allEntries ??= this.table ? this.table.entries() : [];
    return this.allEntries;
  }

  /** The postings offset table itself (entries read one at a time, nothing decoded ahead). */
  get offsetTable(): PostingsOffsetTable | undefined {
    return this.table;
  }

  /** Go's order of the symbols that two known refs name, by their bytes (0 when either is unknown). */
  compareSymbols(a: number, b: number): number {
    if (a === b || !this.symtab) return 0;
    const i = this.symtab.placeOf(a, this.version);
    const j = this.symtab.placeOf(b, this.version);
    return i < 0 || j < 0 ? 0 : this.symtab.compare(i, j);
  }

  /** Go's order of symbols i and j by their places in the table. */
  compareSymbolsAt(i: number, j: number): number {
    return this.symtab ? this.symtab.compare(i, j) : 0;
  }

  symbol(ref: number): string | undefined {
    return this.symtab?.lookup(ref, this.version);
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
    return this.table ? [...this.table.names()].filter((n) => n !== '').sort(compareUtf8) : [];
  }

  labelValues(name: string): string[] {
    return this.nameEntry(name)?.values.slice() ?? [];
  }

  postings(name: string, value: string): Uint32Array {
    const n = this.nameEntry(name);
    if (!n) return new Uint32Array(0);
    const i = n.values.indexOf(value);
    if (i < 0) return new Uint32Array(0);
    return readPostingsList(this.buf, n.offsets[i]);
  }

  /** Every postings list of a label name, with its value (for matchers). */
  *postingsForName(name: string): Generator<[string, number]> {
    const n = this.nameEntry(name);
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

  /** A name's values and list offsets, decoded on first use; sorted by value for v1. */
  private nameEntry(name: string): NameEntry | undefined {
    let n = this.byName.get(name);
    if (n) return n;
    const entries = this.table?.entriesOf(name);
    if (!entries) return undefined;
    const t = this.table!;
    // v1 does not promise a sorted postings offset table: sort its values in Go's (byte) order.
    const order = this.version === 1 ? entries.slice().sort((i, j) => t.compareValues(i, j)) : entries;
    n = { values: order.map((i) => t.value(i)), offsets: order.map((i) => t.listAt[i]) };
    this.byName.set(name, n);
    return n;
  }
}
