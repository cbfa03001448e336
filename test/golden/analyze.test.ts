// analyze against `promtool tsdb analyze --extended` (Prometheus 2.42, as
// committed in fixtures/answers/), section by section, for every block of the
// fixtures and for analyze-ties.tgz (made by promtool from generated
// OpenMetrics) with hundreds of entries of equal value, where only an exact
// reproduction of Go's sort.Slice gives promtool's order.
//
// promtool fills three sections (the two churn sections and "Most common
// label pairs") from Go maps, whose iteration order is random: there the
// entries must be the same multiset with the same sequence of values, and
// with a limit, the entries above the cut-off value must be the same (the
// committed answers list those sections normalised: fixtures/derive/map-order.mjs).

import { describe, expect, it } from 'vitest';
import { analyzeEntries as entries, MAP_SECTIONS } from '../../fixtures/derive/map-order.mjs';
import { ANALYZE_EVERY_BLOCK, BLOCKS } from '../../fixtures/questions.mjs';
import { promtoolAnalyze } from '../helpers/answers.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';

interface Parsed {
  header: string;
  sections: Map<string, string>;
}

function parse(text: string): Parsed {
  const parts = text.split(/\n\n(?=[A-Z][^\n]*:\n)/);
  const sections = new Map<string, string>();
  for (const p of parts.slice(1)) {
    const i = p.indexOf(':\n');
    sections.set(p.slice(0, i), p.slice(i + 2).replace(/\n$/, ''));
  }
  return { header: parts[0], sections };
}

type Entry = { value: number; key: string };

/** Compare our text with promtool's: exact where promtool is deterministic, as multisets where it is not. */
function expectSameAnalysis(ours: string, theirs: string, limited: boolean): number {
  const o = parse(ours);
  const p = parse(theirs);
  expect(o.header).toBe(p.header);
  expect([...o.sections.keys()]).toEqual([...p.sections.keys()]);
  expect(p.sections.size).toBe(7);
  let compared = 0;
  for (const [title, body] of p.sections) {
    const mine = o.sections.get(title)!;
    if (!MAP_SECTIONS.has(title)) {
      expect(mine, title).toBe(body);
      compared += entries(body).length;
      continue;
    }
    const pe: Entry[] = entries(body);
    const oe: Entry[] = entries(mine);
    expect(oe.map((e) => e.value), title).toEqual(pe.map((e) => e.value));
    const cut = limited && pe.length > 0 ? pe[pe.length - 1].value : -1;
    const above = (es: Entry[]) => es.filter((e) => e.value > cut).map((e) => `${e.value} ${e.key}`).sort();
    expect(above(oe), title).toEqual(above(pe));
    compared += pe.length;
  }
  return compared;
}

const FIXTURES = ['snapshot-full.tgz', 'overlap.tgz', 'index-format-v1', 'analyze-ties.tgz'] as const;
const dbs = FIXTURES.map((name) => ({ name, input: fixturePath(name), blocks: (BLOCKS as Record<string, string[]>)[name] }));

it('the questions cover every block of every fixture', async () => {
  for (const fx of dbs) {
    const r = await runCli(['blocks', fx.input, '--format', 'json']);
    expect(JSON.parse(r.stdout).map((b: { ulid: string }) => b.ulid).sort(), fx.name).toEqual([...fx.blocks].sort());
  }
});

describe('analyze --format text equals promtool tsdb analyze --extended', () => {
  it.each(FIXTURES)('%s, every block, every entry', async (name) => {
    const fx = dbs.find((d) => d.name === name)!;
    expect(fx.blocks.length).toBeGreaterThan(0);
    let compared = 0;
    for (const b of fx.blocks) {
      const theirs = promtoolAnalyze(name, ANALYZE_EVERY_BLOCK, b);
      const ours = await runCli(['analyze', fx.input, '--block', b, '--format', 'text', ...ANALYZE_EVERY_BLOCK]);
      // analyze-ties.tgz is a tar of a dir of blocks (data/), not of snapshots/: said once on stderr.
      expect(ours.stderr).toBe(name === 'analyze-ties.tgz' ? 'tsdb-inspect: warning: block dirs are at `data/`, not under snapshots/<snapshot>/ (a snapshot dir\'s contents, made with tar -C snapshots/<snapshot> .?); reading them as one snapshot named data\n' : '');
      compared += expectSameAnalysis(ours.stdout, theirs, false);
    }
    expect(compared).toBeGreaterThan(name === 'analyze-ties.tgz' ? 500 : 20);
  });

  it.each(['snapshot-full.tgz', 'overlap.tgz', 'analyze-ties.tgz'])('%s, the default block and limit', async (name) => {
    const fx = dbs.find((d) => d.name === name)!;
    const theirs = promtoolAnalyze(name, []);
    const ours = await runCli(['analyze', fx.input, '--format', 'text']);
    expectSameAnalysis(ours.stdout, theirs, true);
    const small = await runCli(['analyze', fx.input, '--format', 'text', '--limit', '3']);
    expectSameAnalysis(small.stdout, promtoolAnalyze(name, ['--limit', '3']), true);
  });
});

describe('analyze --format json and table', () => {
  it('JSON uses the /api/v1/status/tsdb field names and holds the same numbers as the text', async () => {
    const fx = dbs.find((d) => d.name === 'snapshot-full.tgz')!;
    const text = parse((await runCli(['analyze', fx.input, '--format', 'text'])).stdout);
    const r = await runCli(['analyze', fx.input, '--format', 'json']);
    const body = JSON.parse(r.stdout);
    expect(body.status).toBe('success');
    const d = body.data;
    const pairs = (s: { name: string; value: number }[]) => s.map((x) => `${x.value} ${x.name}`).join('\n');
    expect(pairs(d.seriesCountByMetricName)).toBe(text.sections.get('Highest cardinality metric names'));
    expect(pairs(d.labelValueCountByLabelName)).toBe(text.sections.get('Highest cardinality labels'));
    expect(pairs(d.memoryInBytesByLabelName)).toBe(text.sections.get('Label names with highest cumulative label value length'));
    expect(pairs(d.seriesCountByLabelValuePair)).toBe(text.sections.get('Most common label pairs'));
    expect(text.header).toContain(`Series: ${d.blockStats.numSeries}\n`);
    expect(text.header).toContain(`Postings (unique label pairs): ${d.blockStats.numLabelPairs}\n`);
    expect(d.blockStats.blocks).toEqual(['01M81V70BWRRN49VQ1VV6H21P4']);
    expect(d.blockStats.chunkCount).toBe(d.chunkFullness.reduce((s: number, b: { chunks: number }) => s + b.chunks, 0));
    expect(d.blockStats.chunkCount).toBe(32); // numChunks of the head block's meta.json
  });

  it('tables hold promtool\'s entries, section by section', async () => {
    for (const name of ['analyze-ties.tgz', 'snapshot-full.tgz']) {
      const fx = dbs.find((d) => d.name === name)!;
      const theirs = parse(promtoolAnalyze(name, ['--limit', '15']));
      const table = (await runCli(['analyze', fx.input, '--limit', '15'])).stdout;
      let compared = 0;
      for (const [title, body] of theirs.sections) {
        if (title === 'Compaction analysis') continue;
        const at = table.indexOf(`\n${title}:\n`);
        expect(at, title).toBeGreaterThan(0);
        const rows: Entry[] = [];
        for (const line of table.slice(at + title.length + 3).split('\n')) {
          if (line === '') break;
          const cells = /^│ (.*?) +│ (.*?) +│$/.exec(line);
          if (!cells || cells[1] === 'CHURN' || cells[1] === 'SERIES' || cells[1] === 'BYTES' || cells[1] === 'VALUES') continue;
          if (cells[1] === '') rows[rows.length - 1].key += '\n' + cells[2];
          else rows.push({ value: Number(cells[1]), key: cells[2] });
        }
        const want: Entry[] = entries(body);
        expect(rows.map((r) => r.value), title).toEqual(want.map((e) => e.value));
        if (!MAP_SECTIONS.has(title)) expect(rows, title).toEqual(want);
        compared += rows.length;
      }
      expect(compared).toBeGreaterThan(40);
      // The header and the fullness histogram carry the same numbers as promtool's text.
      for (const m of theirs.header.matchAll(/^(.*): (.*)$/gm)) expect(table, m[1]).toMatch(new RegExp(`│ ${m[1].replace(/[()]/g, '\\$&')} +│ ${m[2]} +│`));
      const bars = [...theirs.sections.get('Compaction analysis')!.matchAll(/^ +(\d+)%: (#*)$/gm)].map((m) => `${m[1]}% ${m[2].length}`);
      const ours = [...table.matchAll(/^│ (\d+)% +│ \d+ +│ (#*) *│$/gm)].map((m) => `${m[1]}% ${m[2].length}`);
      expect(ours).toEqual(bars);
      expect(bars).toHaveLength(10);
    }
  });
});

describe('analyze --all and --match', () => {
  it('--all counts every distinct series once, across overlapping blocks', async () => {
    const fx = dbs.find((d) => d.name === 'overlap.tgz')!;
    const d = JSON.parse((await runCli(['analyze', fx.input, '--all', '--format', 'json'])).stdout).data;
    expect(d.blockStats.blocks).toHaveLength(5);
    expect(d.blockStats.numSeries).toBe(5);
    expect(d.seriesCountByMetricName).toEqual([
      { name: 'overlap_metric', value: 4 },
      { name: 'overlap_requests_total', value: 1 },
    ]);
    expect(d.blockStats.minTime).toBe(1699999200000);
    expect(d.blockStats.maxTime).toBe(1700020770001);
    // only_a stops 2 h before the end, only_b starts 1 h after the beginning: they churn; the others do not.
    const churn = Object.fromEntries(d.churnByLabelValuePair.map((s: { name: string; value: number }) => [s.name, s.value]));
    expect(churn['series=identical']).toBe(0);
    expect(churn['series=only_a']).toBe(0);
    expect(d.blockStats.chunkCount).toBe(20);
  });

  it('--all over snapshot-full agrees with the series API', async () => {
    const fx = dbs.find((d) => d.name === 'snapshot-full.tgz')!;
    const d = JSON.parse((await runCli(['analyze', fx.input, '--all', '--limit', '1000', '--format', 'json'])).stdout).data;
    const series = JSON.parse((await runCli(['series', fx.input, '--match', '{__name__=~".+"}', '--format', 'json'])).stdout).data as Record<string, string>[];
    // analyze reads the index and ignores tombstones, as promtool does: room="lab", whose
    // samples were all deleted, is still a series there, but /api/v1/series leaves it out.
    expect(d.blockStats.numSeries).toBe(series.length + 1);
    const byName = new Map<string, number>();
    for (const s of [...series, { __name__: 'room_temperature_celsius', room: 'lab' }]) byName.set(s.__name__, (byName.get(s.__name__) ?? 0) + 1);
    expect(new Map(d.seriesCountByMetricName.map((s: { name: string; value: number }) => [s.name, s.value]))).toEqual(byName);
    expect(d.blockStats.chunkCount).toBe(168 + 126 + 126 + 42 + 42 + 42 + 32);
  });

  it('--match narrows every section to the selected series', async () => {
    const fx = dbs.find((d) => d.name === 'snapshot-full.tgz')!;
    const r = await runCli(['analyze', fx.input, '--match', '{__name__=~"test_float_value|up"}', '--format', 'text']);
    const p = parse(r.stdout);
    expect(p.header).toContain('Matcher: {__name__=~"test_float_value|up"}\n');
    expect(p.header).toContain('Matched series: 15\n');
    expect(p.sections.get('Highest cardinality metric names')).toBe('14 test_float_value\n1 up');
    expect(entries(p.sections.get('Highest cardinality labels')!).map((e) => e.key).sort()).toEqual(['__name__', 'case', 'instance', 'job']);
    const bad = await runCli(['analyze', fx.input, '--match', '{a=~"("}']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/1:2: parse error/);
  });
});
