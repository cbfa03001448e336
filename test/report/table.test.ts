// The streamed table: cli-table3's compact box for small outputs, widths
// from a bounded sample, fitted to a width without cutting `keep` cells,
// and TSV with escapes.

import { describe, expect, it } from 'vitest';
import { fitWidths, TableWriter, tsvCell, withHeadroom, wrap, type Column, type TableOptions } from '../../src/report/table.js';

async function render(columns: Column[], rows: string[][], opts: TableOptions = {}): Promise<{ text: string; chunks: string[] }> {
  const chunks: string[] = [];
  const t = new TableWriter(columns, (s) => void chunks.push(s), opts);
  for (const r of rows) await t.row(r);
  await t.end();
  return { text: chunks.join(''), chunks };
}

describe('TableWriter', () => {
  it("draws cli-table3's compact box", async () => {
    const { text } = await render([{ head: 'METRIC' }, { head: 'LABELS' }], [['up', '{job="a"}'], ['node_load1', '{}']]);
    expect(text).toBe(
      [
        '┌────────────┬───────────┐',
        '│ METRIC     │ LABELS    │',
        '├────────────┼───────────┤',
        '│ up         │ {job="a"} │',
        '│ node_load1 │ {}        │',
        '└────────────┴───────────┘',
        '',
      ].join('\n'),
    );
  });

  it('draws a table without a header and cells of several lines', async () => {
    const { text } = await render([{ head: '' }, { head: '' }], [['Blocks', 'A\nBB']], { noHead: true });
    expect(text).toBe(['┌────────┬────┐', '│ Blocks │ A  │', '│        │ BB │', '└────────┴────┘', ''].join('\n'));
  });

  it('fixes the widths after the sample and streams the rest, wrapping longer cells', async () => {
    const rows = [['a'], ['bb'], ['a much longer cell than the sample saw']];
    const { text } = await render([{ head: 'X' }], rows, { sample: 2, width: 6 });
    expect(text.split('\n').slice(0, 6)).toEqual(['┌────┐', '│ X  │', '├────┤', '│ a  │', '│ bb │', '│ a  │']);
    for (const l of text.trimEnd().split('\n')) expect(l.length).toBe(6);
    expect(text).toContain('│ bb │');
  });

  it('hands output to the sink before the end when rows go past the sample and the buffer', async () => {
    const chunks: string[] = [];
    const t = new TableWriter([{ head: 'N' }], (s) => void chunks.push(s), { sample: 10 });
    for (let i = 0; i < 20_000; i++) await t.row([String(i)]);
    expect(chunks.length).toBeGreaterThan(0);
    await t.end();
    const all = chunks.join('').split('\n');
    expect(all).toHaveLength(20_000 + 5);
    // Widths from the first 10 rows; without a width to fit, a longer cell overflows its column rather than wrap.
    expect(all[3]).toBe('│ 0 │');
    expect(all[all.length - 3]).toBe('│ 19999 │');
  });

  it('awaits the sink (backpressure)', async () => {
    let waiting = 0;
    const t = new TableWriter([{ head: 'N' }], () => new Promise<void>((r) => (waiting++, setTimeout(r, 1))), { format: 'tsv' });
    for (let i = 0; i < 20_000; i++) await t.row(['x'.repeat(10)]);
    await t.end();
    expect(waiting).toBeGreaterThan(2);
  });

  it('fits a width: shrinks the widest free column, never a kept one, and wraps at spaces and slashes', async () => {
    const ulid = '01M81V7126GNJN47MXNQDTN1RT';
    const columns: Column[] = [{ head: 'CODE', keep: true }, { head: 'WHERE', min: 27 }, { head: 'MESSAGE' }];
    const where = `20261122T144026Z-724801de16cc29e8/${ulid}/chunks/000001 @1234`;
    const message = 'blocks 01M81V7126GNJN47MXNQDTN1RT [1699999200000, 1700006340001) and 01M81V714TB2P474VA9XK8H7JX overlap in time';
    const { text } = await render(columns, [['index-crc', where, message]], { width: 80 });
    const lines = text.trimEnd().split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    // The ULID is whole on one line of the WHERE column.
    expect(lines.some((l) => l.split('│')[2]?.includes(ulid))).toBe(true);
    expect(lines.some((l) => l.split('│')[3]?.includes('01M81V714TB2P474VA9XK8H7JX'))).toBe(true);
  });

  it('is as wide as the cells need without a width, and wider than asked only when kept columns need it', () => {
    expect(fitWidths([{ head: 'A' }, { head: 'BBB' }], [['xxxxx', 'y']], undefined)).toEqual([5, 3]);
    expect(fitWidths([{ head: 'A', keep: true }, { head: 'B', keep: true }], [['x'.repeat(40), 'y'.repeat(40)]], 50)).toEqual([40, 40]);
    const w = fitWidths([{ head: 'A', keep: true }, { head: 'B' }], [['x'.repeat(30), 'y'.repeat(60)]], 60);
    expect(w[0]).toBe(30);
    expect(w.reduce((a, b) => a + b, 0) + 3 * 2 + 1).toBe(60);
  });

  it('gives wrapping columns headroom when more rows come than the sample saw, within the width', async () => {
    expect(withHeadroom([14, 40], [{ head: 'METRIC' }, { head: 'LABELS' }], 80)).toEqual([30, 43]);
    expect(withHeadroom([14, 40], [{ head: 'A', keep: true }, { head: 'B' }], 200)).toEqual([14, 56]);
    const rows = [['bench_metric_0'], ['bench_metric_1'], ['bench_metric_10']];
    const { text } = await render([{ head: 'METRIC' }], rows, { sample: 2, width: 40 });
    expect(text).toContain('│ bench_metric_10 ');
    // A small table (all rows sampled) keeps its exact widths.
    expect((await render([{ head: 'METRIC' }], rows, { width: 40 })).text.split('\n')[0]).toBe('┌─────────────────┐');
  });

  it('wraps words, and hard-breaks only a word wider than the column', () => {
    expect(wrap('a b c', 3)).toEqual(['a b', 'c']);
    expect(wrap('snap/01ABC/index @8', 11)).toEqual(['snap/01ABC/', 'index @8']);
    expect(wrap('abcdefgh', 3)).toEqual(['abc', 'def', 'gh']);
    expect(wrap('abcdefgh', 3, true)).toEqual(['abcdefgh']);
  });

  it('writes TSV: a header line, tab-separated cells, escapes', async () => {
    const { text } = await render([{ head: 'A' }, { head: 'B' }], [['x\ty', 'a\nb\\c']], { format: 'tsv' });
    expect(text).toBe('A\tB\nx\\ty\ta\\nb\\\\c\n');
    expect(tsvCell('plain')).toBe('plain');
  });
});
