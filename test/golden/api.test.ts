// series, labels, label-values and dump --format json against what a
// Prometheus 2.42 server started on a copy of each fixture answered (committed
// in fixtures/answers/; the cases are in fixtures/questions.mjs): the JSON
// body we produce must equal the server's body byte for byte, for many
// selectors and time ranges (ranges that cut through blocks, that exclude
// the head block, that fall in the gap between blocks, that sit inside a
// tombstone), the fully deleted series, overlapping blocks and stale
// markers.
//
// The server compacts its copy about a minute after it starts, so the
// answers were asked right away, and the server's own metrics before and
// after (committed too) show that no compaction ran in between.

import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block } from '../../src/block/block.js';
import { apiJson, apiLabelNames, apiLabelValues, apiSeries, writeRangeQuery } from '../../src/query/api.js';
import { formatApiFloat, formatApiTimestamp } from '../../src/query/api-json.js';
import { API_MAX_TIME, API_MIN_TIME, parseApiTime } from '../../src/query/api-time.js';
import { parseMatchParam } from '../../src/query/promql.js';
import { openInput, type OpenedInput } from '../../src/snapshot/open.js';
import { API_CASES, BAD_SELECTORS, BAD_TIMES, GOOD_TIMES, PARSING_FIXTURE, rangeQuery, vectorValues } from '../../fixtures/questions.mjs';
import { answer, apiBody, apiError } from '../helpers/answers.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';

type Range = [start: string | undefined, end: string | undefined];

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

interface FixtureCases {
  name: string;
  series: string[][];
  ranges: Range[];
  labelMatchers: string[][];
  valueNames: string[];
  /** [selector, minTime ms, maxTime ms] for dump --format json. */
  queries: [string, number, number][];
  /** Expected minimum of comparisons whose answer is not empty. */
  minNonEmpty: number;
}

const cases = (name: string): FixtureCases => ({ name, ...(API_CASES as Record<string, Omit<FixtureCases, 'name'>>)[name] });

describe.each([cases('snapshot-full.tgz'), cases('overlap.tgz'), cases('index-format-v1')])('$name against a Prometheus 2.42 server', (fx) => {
  let opened: OpenedInput;
  let blocks: Block[];
  const input = fixturePath(fx.name);
  const counts: Counts = { series: 0, labels: 0, values: 0, query: 0, nonEmpty: 0 };

  beforeAll(async () => {
    opened = await openInput(fixturePath(fx.name));
    blocks = opened.snapshots.flatMap((s) => s.blocks);
  });
  const rawGet = (apiPath: string, params: Record<string, string | string[] | undefined>) => apiBody(fx.name, apiPath, params);

  afterAll(async () => {
    await opened?.close();
  });

  it('series equals GET /api/v1/series', async () => {
    for (const sets of fx.series) {
      for (const r of fx.ranges) {
        const want = rawGet('/api/v1/series', { 'match[]': sets, start: r[0], end: r[1] });
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
        const want = rawGet('/api/v1/labels', { 'match[]': sets, start: r[0], end: r[1] });
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
          const want = rawGet(`/api/v1/label/${name}/values`, { 'match[]': sets, start: r[0], end: r[1] });
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
      const q = rangeQuery(sel, mint, maxt);
      expect(q.params.time).toBe(formatApiTimestamp(maxt));
      const want = rawGet(q.path, q.params);
      const out = new Collect();
      await writeRangeQuery(blocks, parseMatchParam(sel), mint, maxt, out);
      expect(out.text, `${sel} [${mint}, ${maxt}]`).toBe(want + '\n');
      counts.query++;
      if (!want.endsWith('"result":[]}}')) counts.nonEmpty++;
    }
  });

  it('the CLI writes the same bodies', async () => {
    const [sel, mint, maxt] = fx.queries[0];
    const q = rangeQuery(sel, mint, maxt);
    const want = rawGet(q.path, q.params);
    const d = await runCli(['dump', input, '--match', sel, '--min-time', String(mint), '--max-time', String(maxt), '--format', 'json']);
    expect(d.stderr).toBe('');
    expect(d.stdout).toBe(want + '\n');
    const r = fx.ranges[1];
    const s = await runCli(['series', input, ...fx.series[0].flatMap((m) => ['--match', m]), '--start', r[0]!, '--end', r[1]!, '--format', 'json']);
    expect(s.stderr).toBe('');
    expect(s.stdout).toBe((rawGet('/api/v1/series', { 'match[]': fx.series[0], start: r[0], end: r[1] })) + '\n');
    const l = await runCli(['labels', input, '--format', 'json']);
    expect(l.stderr).toBe('');
    expect(l.stdout).toBe((rawGet('/api/v1/labels', {})) + '\n');
    const v = await runCli(['label-values', input, fx.valueNames[0], '--match', fx.labelMatchers[0][0], '--format', 'json']);
    expect(v.stderr).toBe('');
    expect(v.stdout).toBe((rawGet(`/api/v1/label/${fx.valueNames[0]}/values`, { 'match[]': fx.labelMatchers[0] })) + '\n');
  });

  it('the server did not compact its copy while it answered', () => {
    const { before, after } = answer({ fixture: fx.name, kind: 'compactions' }) as { before: string; after: string };
    expect(after).toBe(before);
    expect(before).toMatch(/prometheus_tsdb_compactions_total 0/);
    // Every kind of comparison ran, and enough of them had something to compare.
    expect(counts.series).toBe(fx.series.length * fx.ranges.length);
    expect(counts.query).toBe(fx.queries.length);
    expect(counts.nonEmpty).toBeGreaterThanOrEqual(fx.minNonEmpty);
  });
});

// How the server parses selectors, values and times does not depend on the data: asked of one server.
describe('selectors, values and times as the 2.42 server reads them', () => {
  it('rejects the selectors the server rejects, at the same line:column', () => {
    let positions = 0;
    for (const sel of BAD_SELECTORS) {
      const res = apiError(PARSING_FIXTURE, '/api/v1/series', { 'match[]': [sel] });
      const body = JSON.parse(res.body) as { error: string };
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
    expect(positions).toBe(BAD_SELECTORS.length - 2);
  });

  it('formats sample values as the server does', () => {
    // vector(<literal>) parses the literal with Go's ParseFloat and writes it with MarshalValue.
    const values: number[] = vectorValues();
    expect(values).toHaveLength(130);
    for (const v of values) {
      const body = apiBody(PARSING_FIXTURE, '/api/v1/query', { query: `vector(${v})`, time: '1' });
      expect(/"value":\[1,"([^"]*)"\]/.exec(body)?.[1], String(v)).toBe(formatApiFloat(v));
    }
  });

  it('reads time parameters as the server does', () => {
    for (const t of GOOD_TIMES) {
      const body = apiBody(PARSING_FIXTURE, '/api/v1/query', { query: 'vector(1)', time: t });
      expect(/"value":\[([^,]+),/.exec(body)?.[1], t).toBe(formatApiTimestamp(parseApiTime(t)));
    }
    for (const t of BAD_TIMES) {
      expect(apiError(PARSING_FIXTURE, '/api/v1/query', { query: 'vector(1)', time: t }).status, t).toBe(400);
      expect(() => parseApiTime(t), t).toThrow(/invalid time value/);
    }
  });
});
