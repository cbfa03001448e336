// series, labels, label-values and dump --format json against a live
// Prometheus 2.42 server started on a copy of each fixture: the JSON body
// we produce must equal the server's body byte for byte, for many
// selectors and time ranges (ranges that cut through blocks, that exclude
// the head block, that fall in the gap between blocks, that sit inside a
// tombstone), the fully deleted series, overlapping blocks and stale
// markers.
//
// The server compacts its copy about a minute after it starts, so every
// suite queries right away and finally checks, from the server's own
// metrics, that no compaction ran in between.

import fs from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block } from '../../src/block/block.js';
import { apiJson, apiLabelNames, apiLabelValues, apiSeries, writeRangeQuery } from '../../src/query/api.js';
import { formatApiFloat, formatApiTimestamp } from '../../src/query/api-json.js';
import { API_MAX_TIME, API_MIN_TIME, parseApiTime } from '../../src/query/api-time.js';
import { parseMatchParam } from '../../src/query/promql.js';
import { openInput, type OpenedInput } from '../../src/snapshot/open.js';
import { runCli } from '../helpers/cli.js';
import { extractArchive, fixturePath, snapshotDirs, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';

type Range = [start: string | undefined, end: string | undefined];

/** GET and return the raw body (the API's JSON, as the server wrote it). */
async function rawGet(url: string, apiPath: string, params: Record<string, string | string[] | undefined>): Promise<string> {
  const u = new URL(apiPath, url + '/');
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) u.searchParams.append(k, x);
  }
  const res = await fetch(u);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${u} -> ${res.status}: ${text}`);
  return text;
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString('utf8');
    cb();
  }
}

const startOf = (r: Range) => (r[0] === undefined ? API_MIN_TIME : parseApiTime(r[0], 'start'));
const endOf = (r: Range) => (r[1] === undefined ? API_MAX_TIME : parseApiTime(r[1], 'end'));

interface Counts {
  series: number;
  labels: number;
  values: number;
  query: number;
  nonEmpty: number;
}

/** Server metrics that must not have moved while we compared. */
async function compactions(url: string): Promise<string> {
  const text = await (await fetch(url + '/metrics')).text();
  return text
    .split('\n')
    .filter((l) => /^prometheus_tsdb_(compactions_total|vertical_compactions_total|blocks_loaded) /.test(l))
    .join('\n');
}

interface FixtureCases {
  name: string;
  input: () => Promise<{ input: string; db: string; cleanup: () => void }>;
  series: string[][];
  ranges: Range[];
  labelMatchers: string[][];
  valueNames: string[];
  /** [selector, minTime ms, maxTime ms] for dump --format json. */
  queries: [string, number, number][];
  /** Expected minimum of comparisons whose answer is not empty. */
  minNonEmpty: number;
}

// snapshot-full.tgz: backfilled blocks 1795261080000 … 1795347480001, a gap,
// then the head block (meta from 1795354736148, samples 1795358336148 … 1795358425148).
const FULL_RANGES: Range[] = [
  [undefined, undefined],
  ['1795261080', '1795347480'], // all backfilled blocks, no head
  ['1795270000', '1795275000'], // inside the level-3 block
  ['1795283000', '1795289000'], // inside the http_requests_total tombstone, across a block boundary
  ['1795282680', '1795289880'], // exactly the tombstone
  ['1795298880', '1795300680'], // exactly the node_load1 tombstone
  ['1795350000', '1795352000'], // the gap between the backfill and the head block: no block
  ['1795354736.148', '1795358000'], // in the head block's range, before its first sample
  ['1795358336.148', '1795358425.148'], // only the head samples
  ['1795358350', '1795358360.5'], // part of the head, around the stale marker of test_ephemeral_gauge
  ['1795283940', '1795284000'], // the boundary between the level-3 and a level-2 block
  ['2026-11-21T17:43:20Z', '2026-11-21T23:26:40.250+01:00'], // RFC 3339
  ['1795340000', undefined],
  [undefined, '1795262000'],
  ['1795300000.5', '1795300740.001'], // millisecond fractions
];

const FULL_SERIES: string[][] = [
  ['node_load1'],
  ['{__name__=~"http_.*", code!="200"}'],
  ['{job="node", mode=~"idle|user", cpu!~"1"}'],
  ['room_temperature_celsius'],
  ['{room="lab"}'],
  ['{__name__="http_requests_total", instance="api-2:8080", method="GET", code="200"}'],
  ['test_label_escaping_info'],
  ['{__name__=~"test_.*", nonexistent=""}'],
  ['{__name__=~"test_.+", case!~"n.*|p.*"}'],
  ['{__name__=~".+"}'],
  ['test_ephemeral_gauge', 'test_late_gauge'],
  ['{instance=~"api-[12]:8080"}', '{job="node", cpu="0"}', 'up'],
  ['{__name__=~"(?i)UP|Node_Load1"}'],
  ['{alpha!=""}'],
  ['{job!="api", __name__=~"up|node_load1"}'],
  ["{__name__='backfill_weird_values', case=~`nan|pos_inf`}"],
  ['{__name__=~"test_request_duration_seconds|test_temperature_delta_celsius"}'],
  ['{instance=~"node-1.*", instance!~".*:9100"}'],
];

const H = 1795358336148; // first head sample
const HEAD_END = 1795358425148;

const FULL_QUERIES: [string, number, number][] = [
  ['{__name__=~"test_request_duration_seconds|test_temperature_delta_celsius"}', H, HEAD_END], // native histograms
  ['test_request_duration_seconds', H + 20_000, H + 60_000], // across the counter reset at scrape 40
  ['test_float_value', H, HEAD_END], // -0, 1e-7, 1e21, 1.5e300, subnormal, NaN, ±Inf
  ['test_ephemeral_gauge', H, HEAD_END], // stale marker dropped
  ['test_ephemeral_gauge', H + 20_000, HEAD_END], // only the stale marker: series left out
  ['test_label_escaping_info', H, HEAD_END],
  ['{__name__=~"test_.+"}', H + 10_000, H + 12_000],
  ['{__name__=~"test_random_walk|test_scrape_number|test_requests_total"}', H, HEAD_END],
  ['{__name__="http_requests_total", instance="api-2:8080"}', 1795280000000, 1795292000000], // the tombstone
  ['node_load1', 1795297000000, 1795302000000], // the node_load1 tombstone
  ['room_temperature_celsius', 1795261080000, 1795347480000], // lab fully deleted
  ['backfill_weird_values', 1795261080000, 1795347480000],
  ['{job="node", mode="idle"}', 1795283000000, 1795306000000], // across three blocks
  ['up', 1795261080000, 1795358425148],
  ['{__name__=~"node_memory.*|process_.*"}', 1795300000000, 1795301000000],
];

const FULL: FixtureCases = {
  name: 'snapshot-full.tgz',
  async input() {
    const root = await extractArchive(fixturePath('snapshot-full.tgz'));
    return { input: fixturePath('snapshot-full.tgz'), db: snapshotDirs(root)[0], cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
  },
  series: FULL_SERIES,
  ranges: FULL_RANGES,
  labelMatchers: [['{job="node"}'], ['room_temperature_celsius'], ['{room="lab"}'], ['test_label_escaping_info', '{__name__=~"test_req.*"}'], ['{nonexistent="x"}']],
  valueNames: ['__name__', 'instance', 'room', 'alpha', 'case', 'nonexistent', 'code'],
  queries: FULL_QUERIES,
  minNonEmpty: 250,
};

// overlap.tgz: A 1699999200 … 1700013540 s, B 1700002800 … 1700020770 s, blocks overlap in pairs.
const OVERLAP: FixtureCases = {
  name: 'overlap.tgz',
  async input() {
    const root = await extractArchive(fixturePath('overlap.tgz'));
    return { input: fixturePath('overlap.tgz'), db: snapshotDirs(root)[0], cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
  },
  series: [['overlap_metric'], ['{series=~"only_.*"}'], ['{series="only_b"}'], ['{__name__=~".+", code=""}'], ['overlap_requests_total', '{series="extra"}']],
  ranges: [
    [undefined, undefined],
    ['1699999200', '1700002700'], // A only
    ['1700013600', '1700020770'], // B only
    ['1700003000', '1700010000'], // both, across the overlapping pairs
    ['1700006370.001', '1700006399.999'], // between a pair's ends and the next pair
    ['1700014000', undefined],
  ],
  labelMatchers: [['{series="only_a"}'], ['overlap_requests_total']],
  valueNames: ['series', '__name__', 'code'],
  queries: [
    ['overlap_metric', 1699999200000, 1700020770000],
    ['{series=~"extra|identical"}', 1700003000000, 1700010000000],
    ['overlap_requests_total', 1700000000000, 1700020000000],
    ['{series="only_a"}', 1700010000000, 1700020000000],
    ['overlap_metric', 1700006370001, 1700006400000],
  ],
  minNonEmpty: 40,
};

// index-format-v1: one block, minTime 0, maxTime 7200000 (1970).
const V1: FixtureCases = {
  name: 'index-format-v1',
  async input() {
    return { input: fixturePath('index-format-v1'), db: fixturePath('index-format-v1'), cleanup: () => {} };
  },
  series: [['{foo!=""}'], ['{bar=~".+"}'], ['{bar=~"[0-4].*"}'], ['{bar=~"1.", bar!="15"}', '{foo="baz"}'], ['{foo="", bar=~"9."}']],
  ranges: [[undefined, undefined], ['0', '3600'], ['7200', '9000'], ['-100', '0'], ['1970-01-01T00:30:00Z', '1970-01-01T01:00:00Z']],
  labelMatchers: [['{bar=~"1.*"}'], ['{foo="bar"}']],
  valueNames: ['bar', 'foo', '__name__'],
  queries: [['{bar=~".+"}', 0, 7200000], ['{foo!=""}', -1000, 0], ['{bar="7"}', 1, 5000]],
  minNonEmpty: 25,
};

describe.each([FULL, OVERLAP, V1])('$name against a Prometheus 2.42 server', (fx) => {
  let server: PrometheusServer;
  let opened: OpenedInput;
  let blocks: Block[];
  let cleanup = () => {};
  let input = '';
  let before = '';
  const counts: Counts = { series: 0, labels: 0, values: 0, query: 0, nonEmpty: 0 };

  beforeAll(async () => {
    const x = await fx.input();
    cleanup = x.cleanup;
    input = x.input;
    opened = await openInput(x.input);
    blocks = opened.snapshots.flatMap((s) => s.blocks);
    server = await startPrometheus(x.db);
    before = await compactions(server.url);
  });

  afterAll(async () => {
    await server?.stop();
    await opened?.close();
    cleanup();
  });

  it('series equals GET /api/v1/series', async () => {
    for (const sets of fx.series) {
      for (const r of fx.ranges) {
        const want = await rawGet(server.url, '/api/v1/series', { 'match[]': sets, start: r[0], end: r[1] });
        const got = apiJson.series(apiSeries(blocks, sets.map(parseMatchParam), startOf(r), endOf(r)));
        expect(got, `${JSON.stringify(sets)} ${JSON.stringify(r)}`).toBe(want);
        counts.series++;
        if (want !== '{"status":"success","data":[]}') counts.nonEmpty++;
      }
    }
  });

  it('labels equals GET /api/v1/labels, without and with match[]', async () => {
    for (const sets of [[], ...fx.labelMatchers]) {
      for (const r of fx.ranges) {
        const want = await rawGet(server.url, '/api/v1/labels', { 'match[]': sets, start: r[0], end: r[1] });
        const got = apiJson.strings(apiLabelNames(blocks, sets.map(parseMatchParam), startOf(r), endOf(r)));
        expect(got, `${JSON.stringify(sets)} ${JSON.stringify(r)}`).toBe(want);
        counts.labels++;
        if (want !== '{"status":"success","data":[]}') counts.nonEmpty++;
      }
    }
  });

  it('label-values equals GET /api/v1/label/<name>/values, without and with match[]', async () => {
    for (const name of fx.valueNames) {
      for (const sets of [[], ...fx.labelMatchers]) {
        for (const r of fx.ranges) {
          const want = await rawGet(server.url, `/api/v1/label/${name}/values`, { 'match[]': sets, start: r[0], end: r[1] });
          const got = apiJson.strings(apiLabelValues(blocks, name, sets.map(parseMatchParam), startOf(r), endOf(r)));
          expect(got, `${name} ${JSON.stringify(sets)} ${JSON.stringify(r)}`).toBe(want);
          counts.values++;
          if (want !== '{"status":"success","data":[]}') counts.nonEmpty++;
        }
      }
    }
  });

  it('dump --format json equals GET /api/v1/query for a range selector', async () => {
    for (const [sel, mint, maxt] of fx.queries) {
      const want = await rawGet(server.url, '/api/v1/query', { query: `${sel}[${maxt - mint}ms]`, time: formatApiTimestamp(maxt) });
      const out = new Collect();
      await writeRangeQuery(blocks, parseMatchParam(sel), mint, maxt, out);
      expect(out.text, `${sel} [${mint}, ${maxt}]`).toBe(want + '\n');
      counts.query++;
      if (!want.endsWith('"result":[]}}')) counts.nonEmpty++;
    }
  });

  it('the CLI writes the same bodies', async () => {
    const [sel, mint, maxt] = fx.queries[0];
    const want = await rawGet(server.url, '/api/v1/query', { query: `${sel}[${maxt - mint}ms]`, time: formatApiTimestamp(maxt) });
    const d = await runCli(['dump', input, '--match', sel, '--min-time', String(mint), '--max-time', String(maxt), '--format', 'json']);
    expect(d.stderr).toBe('');
    expect(d.stdout).toBe(want + '\n');
    const r = fx.ranges[1];
    const s = await runCli(['series', input, ...fx.series[0].flatMap((m) => ['--match', m]), '--start', r[0]!, '--end', r[1]!, '--format', 'json']);
    expect(s.stderr).toBe('');
    expect(s.stdout).toBe((await rawGet(server.url, '/api/v1/series', { 'match[]': fx.series[0], start: r[0], end: r[1] })) + '\n');
    const l = await runCli(['labels', input, '--format', 'json']);
    expect(l.stderr).toBe('');
    expect(l.stdout).toBe((await rawGet(server.url, '/api/v1/labels', {})) + '\n');
    const v = await runCli(['label-values', input, fx.valueNames[0], '--match', fx.labelMatchers[0][0], '--format', 'json']);
    expect(v.stderr).toBe('');
    expect(v.stdout).toBe((await rawGet(server.url, `/api/v1/label/${fx.valueNames[0]}/values`, { 'match[]': fx.labelMatchers[0] })) + '\n');
  });

  it('rejects the selectors the server rejects, at the same line:column', async () => {
    const bad = ['{foo=""}', '{a=~".*"}', '{a="b"', 'up[5m]', '{a=~"("}', 'rate(up[5m])', '{a="\\q"}', '{a=}', '{__name__=~"x", b!~"("}', '1 + 1', '{a="b",,}', 'bool', '{a="\\xZZ"}', 'up{a="b"} offset 5m', '{a="b",\n  c=~"("}', '{a="b",\n  c=}'];
    let positions = 0;
    for (const sel of bad) {
      const u = new URL('/api/v1/series', server.url + '/');
      u.searchParams.append('match[]', sel);
      const res = await fetch(u);
      const body = (await res.json()) as { error: string };
      expect(res.status, sel).toBe(400);
      let ours = '';
      try {
        parseMatchParam(sel);
      } catch (e) {
        ours = (e as Error).message;
      }
      expect(ours, sel).toMatch(/^invalid selector/);
      const want = /(\d+:\d+): parse error/.exec(body.error);
      if (want) {
        expect(/(\d+:\d+): parse error/.exec(ours)?.[1], `${sel}: ${body.error}`).toBe(want[1]);
        positions++;
      } else expect(ours).toMatch(/non-empty matcher/);
    }
    expect(positions).toBe(bad.length - 2);
  });

  it('formats sample values as the server does', async () => {
    // vector(<literal>) parses the literal with Go's ParseFloat and writes it with MarshalValue.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const values = [1e21, 9.999999999999999e20, 1e-6, 9.99999999999e-7, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 254946949510858.625, 123456.5, 1e23];
    for (let i = 0; i < 40; i++) {
      values.push((next() - 0.5) * 10 ** Math.floor(next() * 60 - 30));
      values.push(Math.floor((next() - 0.5) * 2 ** 53) / 8);
      values.push(Math.floor(next() * 1e6) / 1000);
    }
    for (const v of values) {
      const body = await rawGet(server.url, '/api/v1/query', { query: `vector(${v})`, time: '1' });
      expect(/"value":\[1,"([^"]*)"\]/.exec(body)?.[1], String(v)).toBe(formatApiFloat(v));
    }
  });

  it('reads time parameters as the server does', async () => {
    const times = ['0.0005', '-0.0005', '1795300000.5', '0.9999', '1.007', '1795300740.0004', '1e9', '.25', '+3.', '-1.5', '2026-11-21T17:43:20Z', '2026-11-21T23:26:40.250+01:00', '2026-11-21T17:43:20.123456789Z', '2026-11-21T17:43:20,5Z', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00-00:30'];
    for (const t of times) {
      const body = await rawGet(server.url, '/api/v1/query', { query: 'vector(1)', time: t });
      expect(/"value":\[([^,]+),/.exec(body)?.[1], t).toBe(formatApiTimestamp(parseApiTime(t)));
    }
    for (const t of ['now', '2026-13-01T00:00:00Z', '2026-11-21T17:43:20', '5m', '2023-02-29T00:00:00Z']) {
      const u = new URL('/api/v1/query', server.url + '/');
      u.searchParams.append('query', 'vector(1)');
      u.searchParams.append('time', t);
      const res = await fetch(u);
      await res.text();
      expect(res.status, t).toBe(400);
      expect(() => parseApiTime(t), t).toThrow(/invalid time value/);
    }
  });

  it('the server did not compact its copy while we compared', async () => {
    expect(await compactions(server.url)).toBe(before);
    expect(before).toMatch(/prometheus_tsdb_compactions_total 0/);
    // Every kind of comparison ran, and enough of them had something to compare.
    expect(counts.series).toBe(fx.series.length * fx.ranges.length);
    expect(counts.query).toBe(fx.queries.length);
    expect(counts.nonEmpty).toBeGreaterThanOrEqual(fx.minNonEmpty);
  });
});
