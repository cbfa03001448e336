// Tables for people, streamed: column widths come from the header and a
// bounded sample of the first rows, then every row is written as it comes,
// so any number of rows takes linear time and constant memory. The box
// style is cli-table3's compact one; `tsv` is for scripts.
//
// Fitting a width: columns marked `keep` (ULIDs, numbers) are never cut;
// the others shrink, widest first, and their cells wrap at spaces, `/`, `-`
// and `,` (mid-word only when a word is wider than the column). Without a
// width nothing wraps: a cell longer than the sample's widest widens its row.

export type TableFormat = 'table' | 'tsv';

export interface Column {
  head: string;
  /** Never narrower than its widest sampled cell (ULIDs, numbers, codes). */
  keep?: boolean;
  /** The narrowest this column shrinks to (default: its head's longest word, at least 8). */
  min?: number;
}

export interface TableOptions {
  format?: TableFormat;
  /** The widest a box line may be; undefined: as wide as the cells need. */
  width?: number;
  /** Rows read before the widths are fixed. */
  sample?: number;
  /** Leave out the header row. */
  noHead?: boolean;
}

/** Rows sampled for the widths by default: enough for any small output to be exact. */
export const SAMPLE_ROWS = 1000;
/** Text buffered before it is handed to `write`. */
const FLUSH_AT = 1 << 16;

/** Where the text goes: a function that may ask the writer to wait (backpressure). */
export type Sink = (text: string) => void | Promise<void>;

export class TableWriter {
  private readonly format: TableFormat;
  private readonly sample: number;
  private pending: string[][] | undefined = [];
  private widths: number[] = [];
  private buf = '';

  constructor(
    private readonly columns: readonly Column[],
    private readonly sink: Sink,
    private readonly opts: TableOptions = {},
  ) {
    this.format = opts.format ?? 'table';
    this.sample = opts.sample ?? SAMPLE_ROWS;
    if (this.format === 'tsv') {
      this.pending = undefined;
      if (!opts.noHead) this.buf += columns.map((c) => tsvCell(c.head)).join('\t') + '\n';
    }
  }

  /** Add a row; resolves when the sink has taken what was buffered (awaiting is needed only for backpressure). */
  async row(cells: readonly string[]): Promise<void> {
    if (this.format === 'tsv') this.buf += cells.map(tsvCell).join('\t') + '\n';
    else if (this.pending) {
      this.pending.push(cells.slice());
      if (this.pending.length >= this.sample) this.start();
    } else this.buf += this.line(cells);
    if (this.buf.length >= FLUSH_AT) await this.flush();
  }

  /** Write the bottom border and whatever is buffered. */
  async end(): Promise<void> {
    if (this.format === 'table') {
      if (this.pending) this.start();
      this.buf += this.border('└', '┴', '┘') + '\n';
    }
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.buf) return;
    const s = this.buf;
    this.buf = '';
    await this.sink(s);
  }

  /** Fix the widths from the header and the sampled rows, and write them. */
  private start(): void {
    const rows = this.pending ?? [];
    this.pending = undefined;
    this.widths = fitWidths(this.columns, rows, this.opts.width, this.opts.noHead);
    // More rows are coming than the sample saw: give the columns that wrap some of the room left, for longer cells.
    if (rows.length >= this.sample && this.opts.width !== undefined) this.widths = withHeadroom(this.widths, this.columns, this.opts.width);
    this.buf += this.border('┌', '┬', '┐') + '\n';
    if (!this.opts.noHead) {
      this.buf += this.line(this.columns.map((c) => c.head));
      this.buf += this.border('├', '┼', '┤') + '\n';
    }
    for (const r of rows) this.buf += this.line(r);
  }

  private border(l: string, m: string, r: string): string {
    return l + this.widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  }

  /** Whether column i's long cells wrap: not a kept column, and only to fit a width (without one, a longer cell widens its row). */
  private wraps(i: number): boolean {
    return this.opts.width !== undefined && this.columns[i]?.keep !== true;
  }

  /** One row: each cell wrapped to its column, as many lines as the tallest cell. */
  private line(cells: readonly string[]): string {
    // The common case first: every cell one line that fits its column.
    let out = '│';
    for (let i = 0; i < this.widths.length; i++) {
      const s = cells[i] ?? '';
      const n = width(s);
      if ((n > this.widths[i] && this.wraps(i)) || s.includes('\n')) return this.wrappedLine(cells);
      out += ' ' + s + ' '.repeat(Math.max(0, this.widths[i] - n)) + ' │';
    }
    return out + '\n';
  }

  private wrappedLine(cells: readonly string[]): string {
    const parts = this.widths.map((w, i) => wrap(cells[i] ?? '', w, !this.wraps(i)));
    const height = parts.reduce((h, p) => Math.max(h, p.length), 1);
    let out = '';
    for (let k = 0; k < height; k++) {
      out += '│';
      for (let i = 0; i < parts.length; i++) {
        const s = parts[i][k] ?? '';
        out += ' ' + s + ' '.repeat(Math.max(0, this.widths[i] - width(s))) + ' │';
      }
      out += '\n';
    }
    return out;
  }
}

/** Characters as the terminal counts them (code points; wide glyphs are rare in TSDB labels). */
function width(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/** Column widths: what the cells need, then shrunk (widest first, `keep` columns never) to fit `max`. */
export function fitWidths(columns: readonly Column[], rows: readonly (readonly string[])[], max: number | undefined, noHead = false): number[] {
  const need = columns.map((c, i) => {
    let w = noHead ? 1 : lines(c.head).reduce((m, l) => Math.max(m, width(l)), 1);
    for (const r of rows) for (const l of lines(r[i] ?? '')) w = Math.max(w, width(l));
    return w;
  });
  if (max === undefined) return need;
  const floor = columns.map((c, i) => (c.keep ? need[i] : Math.min(need[i], c.min ?? Math.max(8, ...c.head.split(' ').map(width)))));
  const w = need.slice();
  // Box lines: "│ " before each cell, " │" after the last: 3 per column plus 1.
  let total = w.reduce((a, b) => a + b, 0) + 3 * w.length + 1;
  while (total > max) {
    let widest = -1;
    for (let i = 0; i < w.length; i++) if (w[i] > floor[i] && (widest < 0 || w[i] > w[widest])) widest = i;
    if (widest < 0) break; // nothing left to shrink: the table stays wider than asked
    w[widest]--;
    total--;
  }
  return w;
}

/** Up to HEADROOM more characters for each column that wraps, as far as `max` allows. */
export function withHeadroom(widths: readonly number[], columns: readonly Column[], max: number): number[] {
  const w = widths.slice();
  let spare = max - (w.reduce((a, b) => a + b, 0) + 3 * w.length + 1);
  for (let i = 0; i < w.length && spare > 0; i++) {
    if (columns[i]?.keep) continue;
    const add = Math.min(HEADROOM, spare);
    w[i] += add;
    spare -= add;
  }
  return w;
}

const HEADROOM = 16;

function lines(s: string): string[] {
  return s.includes('\n') ? s.split('\n') : [s];
}

const BREAK_AFTER = new Set([' ', '/', '-', ',']);

/** A cell as lines no wider than `w`, broken after spaces, `/`, `-` or `,` where it can be; a `keep` cell is never broken. */
export function wrap(cell: string, w: number, keep = false): string[] {
  const out: string[] = [];
  for (const l of lines(cell)) {
    if (keep || width(l) <= w) {
      out.push(l);
      continue;
    }
    let rest = l;
    while (width(rest) > w) {
      let cut = -1;
      // A space may stand just past the width (it is dropped); `/`, `-`, `,` stay on the line they end.
      for (let i = Math.min(w, rest.length - 1); i > 0; i--) {
        if (rest[i] === ' ' || (i < w && BREAK_AFTER.has(rest[i]))) {
          cut = rest[i] === ' ' ? i : i + 1;
          break;
        }
      }
      if (cut < 0) cut = w;
      out.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
    if (rest) out.push(rest);
  }
  return out;
}

/** A TSV cell: tabs, newlines and backslashes escaped, so each row is one line. */
export function tsvCell(s: string): string {
  return /[\t\n\r\\]/.test(s) ? s.replace(/[\t\n\r\\]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\\\')) : s;
}
