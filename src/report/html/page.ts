// The report page: one self-contained HTML file (styles inline, no script,
// no font or image fetched), from data gathered elsewhere. Everything is
// aggregated before it is drawn (top-N bars, one bar per block), so the page
// stays light for archives of thousands of blocks and millions of series.

import type { Finding } from '../../encoding/errors.js';
import type { AnalyzeReport } from '../analyze.js';
import { barChart } from './bars.js';
import { count, esc, utc } from './svg.js';
import { blockAnchor, samplesOverTime, timeline, type TimelineSnapshot } from './timeline.js';

export interface ReportData {
  /** The input as given on the command line. */
  input: string;
  /** When the report was made (ms). */
  made: number;
  ok: boolean;
  snapshots: TimelineSnapshot[];
  findings: Finding[];
  /** analyze over all blocks merged; undefined when there are none. */
  analyze?: AnalyzeReport;
}

/** Findings listed; the rest are counted (a broken archive can have a great many). */
export const MAX_FINDINGS_LISTED = 2000;

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:20px;color:#222;max-width:1060px}
h1{font-size:20px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}h3{font-size:15px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
tr:target{background:#ffef9e}.ok{color:#17702a}.bad,.error{color:#b00020}.warning{color:#8a5a00}
svg text{font:11px system-ui,sans-serif;fill:#333}text.tick{text-anchor:middle;fill:#666}line.tick{stroke:#e4e4e4}
rect.block{stroke:#fff;stroke-width:.5}rect.level-0,rect.level-1{fill:#7aa6d8}rect.level-2{fill:#4d82c3}rect.level-3{fill:#2f64a8}
rect.level-4,rect.level-5,rect.level-6{fill:#1d4680}rect.head{fill:#e39a2d}rect.wal{fill:#f2c46d}rect.block.bad{stroke:#b00020;stroke-width:2}
text.lvl{fill:#fff;pointer-events:none}rect.gap{fill:#f7c9cf}rect.overlap{fill:#d64545;opacity:.35}rect.rate{fill:#5a9e6f;opacity:.75}
.bars rect{fill:#4d82c3}.bars text.label{text-anchor:end}.legend span{display:inline-block;padding:0 6px;margin-right:6px;border-radius:3px;color:#fff}
figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}.none{color:#777}
`;

function legend(): string {
  const item = (bg: string, t: string) => `<span style="background:${bg}">${t}</span>`;
  return `<p class="legend">${item('#7aa6d8', 'level 1')}${item('#4d82c3', 'level 2')}${item('#2f64a8', 'level 3')}${item('#1d4680', 'level 4+')}${item('#e39a2d', 'head')}${item('#f2c46d', 'head (WAL)')}${item('#f7c9cf;color:#222', 'hole')}${item('#d64545', 'overlap')}</p>`;
}

function blocksTable(s: TimelineSnapshot): string {
  const rows = [...s.blocks]
    .sort((x, y) => x.minTime - y.minTime)
    .map(
      (b) =>
        `<tr id="${blockAnchor(s.name, b.ulid)}"><td>${esc(b.ulid)}${b.head ? ' (head)' : ''}</td><td>${b.level ?? '?'}</td><td>${esc(utc(b.minTime))}</td><td>${esc(utc(b.maxTime))}</td><td>${count(b.numSeries)}</td><td>${count(b.numSamples)}</td><td class="${b.ok ? 'ok' : 'bad'}">${b.ok ? 'ok' : 'ERROR'}</td></tr>`,
    )
    .join('');
  return `<table class="blocks"><tr><th>block</th><th>level</th><th>minTime (UTC)</th><th>maxTime (UTC)</th><th>series</th><th>samples</th><th>status</th></tr>${rows}</table>`;
}

function findingsTable(findings: readonly Finding[], known: ReadonlySet<string>): string {
  if (findings.length === 0) return '<p class="ok">No findings.</p>';
  const rows = findings.slice(0, MAX_FINDINGS_LISTED).map((f) => {
    const anchor = f.snapshot !== undefined && f.block !== undefined ? blockAnchor(f.snapshot, f.block) : undefined;
    const block = f.block === undefined ? '' : anchor && known.has(anchor) ? `<a href="#${anchor}">${esc(f.block)}</a>` : esc(f.block);
    const file = [f.file, f.offset !== undefined ? `@${f.offset}` : ''].filter(Boolean).join(' ');
    return `<tr><td class="${f.severity}">${f.severity}</td><td>${esc(f.code)}</td><td>${esc(f.snapshot ?? '')}</td><td>${block}</td><td>${esc(file)}</td><td>${esc(f.message)}</td></tr>`;
  });
  const more = findings.length > MAX_FINDINGS_LISTED ? `<p>… and ${count(findings.length - MAX_FINDINGS_LISTED)} more (see verify --format json).</p>` : '';
  return `<table class="findings"><tr><th>severity</th><th>code</th><th>snapshot</th><th>block</th><th>file</th><th>message</th></tr>${rows.join('')}</table>${more}`;
}

function cardinality(r: AnalyzeReport): string {
  const fullness = r.chunkFullness.map((b) => ({ name: `${b.fullness}% of 120 samples`, value: b.chunks }));
  return [
    `<p>${r.blocks.length} block(s) merged, ${count(r.numSeries)} series, ${count(r.labelNames)} label names, ${count(r.numLabelPairs)} label pairs, ${count(r.chunkCount)} chunks, ${esc(r.duration)}.</p>`,
    barChart('Series per metric name', r.seriesCountByMetricName),
    barChart('Values per label name', r.labelValueCountByLabelName),
    barChart('Series per label pair', r.seriesCountByLabelValuePair),
    barChart('Churn per label pair (series not covering the whole range, summed)', r.churnByLabelPair),
    barChart('Churn per label name', r.churnByLabelName),
    barChart('Bytes of label values per label name', r.memoryInBytesByLabelName, ' B'),
    barChart('Chunk fullness (chunks)', fullness),
  ].join('\n');
}

export function renderReport(d: ReportData): string {
  const errors = d.findings.filter((f) => f.severity === 'error').length;
  const blocks = d.snapshots.reduce((n, s) => n + s.blocks.length, 0);
  const known = new Set(d.snapshots.flatMap((s) => s.blocks.map((b) => blockAnchor(s.name, b.ulid))));
  const snaps = d.snapshots
    .map((s) => `<h3>${esc(s.name)}</h3>${timeline(s)}${samplesOverTime(s)}<details${s.blocks.length <= 50 ? ' open' : ''}><summary>${count(s.blocks.length)} block(s)</summary>${blocksTable(s)}</details>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>tsdb-inspect report: ${esc(d.input)}</title><style>${CSS}</style></head><body>
<h1>tsdb-inspect report</h1>
<p>${esc(d.input)}, made ${esc(utc(d.made))}.</p>
<p class="summary ${d.ok ? 'ok' : 'bad'}"><b>${d.ok ? 'OK' : 'FAILED'}</b>: ${d.snapshots.length} snapshot(s), ${count(blocks)} block(s), ${count(errors)} error(s), ${count(d.findings.length - errors)} warning(s)</p>
<h2>Blocks over time</h2>${legend()}
${snaps}
<h2>Verify findings</h2>
${findingsTable(d.findings, known)}
<h2>Cardinality</h2>
${d.analyze ? cardinality(d.analyze) : '<p class="none">no blocks to analyze</p>'}
</body></html>
`;
}
