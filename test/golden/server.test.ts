// Native histogram (and float) samples agree with what a real Prometheus
// 2.42 server, started on a copy of the fixture, returned for a range
// selector from /api/v1/query (committed in fixtures/answers/).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistogramSample } from '../../src/chunkenc/histogrammeta.js';
import { openInput, type OpenedInput } from '../../src/snapshot/open.js';
import { buckets } from '../../src/query/histogram-string.js';
import { newMatcher } from '../../src/query/matchers.js';
import { mergedSamples, mergedSeries } from '../../src/query/merge.js';
import { apiBody } from '../helpers/answers.js';
import { fixturePath } from '../helpers/prometheus.js';

type ApiBucket = [number, number, number, number];

/** The API writes floats as Go's strconv does: +Inf, -Inf and NaN included. */
const apiFloat = (s: string): number => (s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));

/** A histogram sample as the API lists it: non-empty buckets from the lowest up, boundary rule first. */
function apiShape(h: HistogramSample): { count: number; sum: number; buckets: ApiBucket[] } {
  const rule = (li: boolean, ui: boolean) => (li ? (ui ? 3 : 1) : ui ? 0 : 2);
  const out: ApiBucket[] = [];
  const neg = buckets(h.negativeSpans, h.negativeBuckets, h.schema, false).reverse();
  for (const b of neg) if (b.count) out.push([rule(b.lowerInclusive, b.upperInclusive), b.lower, b.upper, b.count]);
  if (h.zeroCount) out.push([3, -h.zeroThreshold, h.zeroThreshold, h.zeroCount]);
  for (const b of buckets(h.positiveSpans, h.positiveBuckets, h.schema, true)) if (b.count) out.push([rule(b.lowerInclusive, b.upperInclusive), b.lower, b.upper, b.count]);
  return { count: h.count, sum: h.sum, buckets: out };
}

function fromApi(h: { count: string; sum: string; buckets?: [number, string, string, string][] }) {
  return { count: apiFloat(h.count), sum: apiFloat(h.sum), buckets: (h.buckets ?? []).map(([r, lo, hi, c]) => [r, apiFloat(lo), apiFloat(hi), apiFloat(c)] as ApiBucket) };
}

let opened: OpenedInput;

beforeAll(async () => {
  opened = await openInput(fixturePath('snapshot-full.tgz'));
});

afterAll(async () => {
  await opened?.close();
});

const query = (params: { query: string; time: number }) => JSON.parse(apiBody('snapshot-full.tgz', '/api/v1/query', params));

describe('snapshot-full.tgz against a Prometheus 2.42 server', () => {
  it('histogram samples equal /api/v1/query for a range selector', async () => {
    const blocks = opened.snapshots[0].blocks;
    const evalTime = blocks[blocks.length - 1].meta.maxTime; // ms, past the last sample
    const rangeMs = 24 * 3600 * 1000;
    const names = ['test_request_duration_seconds', 'test_temperature_delta_celsius'];
    const api = query({ query: `{__name__=~"${names.join('|')}"}[1d]`, time: evalTime / 1000 });
    const want = new Map<string, unknown>();
    for (const r of api.data.result) {
      want.set(JSON.stringify(r.metric), (r.histograms ?? []).map(([ts, h]: [number, any]) => ({ t: Math.round(ts * 1000), ...fromApi(h) })));
    }
    const got = new Map<string, unknown>();
    const matchers = [newMatcher('=~', '__name__', names.join('|'))];
    // Range selectors cover (evalTime - range, evalTime]; stale markers are not returned.
    for (const m of mergedSeries(blocks, matchers, evalTime - rangeMs + 1, evalTime)) {
      const s = mergedSamples(m, evalTime - rangeMs + 1, evalTime);
      const metric: Record<string, string> = {};
      for (let i = 0; i < m.labels.length; i += 2) metric[m.labels[i]] = m.labels[i + 1];
      const hs = [];
      for (let i = 0; i < s.n; i++) {
        const h = s.h?.[i];
        if (h && !h.stale) hs.push({ t: h.t, ...apiShape(h) });
      }
      got.set(JSON.stringify(metric), hs);
    }
    expect(want.size).toBe(3);
    let total = 0;
    for (const [k, v] of want) {
      expect(got.get(k), k).toEqual(v);
      total += (v as unknown[]).length;
    }
    expect(total).toBeGreaterThan(200);
  });

  it('float samples of the live series equal /api/v1/query for a range selector', async () => {
    const blocks = opened.snapshots[0].blocks;
    const evalTime = blocks[blocks.length - 1].meta.maxTime;
    const api = query({ query: '{__name__=~"test_float_value|test_random_walk|test_late_gauge"}[1d]', time: evalTime / 1000 });
    const want = new Map<string, [number, number][]>();
    for (const r of api.data.result) want.set(JSON.stringify(r.metric), r.values.map(([ts, v]: [number, string]) => [Math.round(ts * 1000), apiFloat(v)]));
    const matchers = [newMatcher('=~', '__name__', 'test_float_value|test_random_walk|test_late_gauge')];
    const rangeMs = 24 * 3600 * 1000;
    let compared = 0;
    for (const m of mergedSeries(blocks, matchers, evalTime - rangeMs + 1, evalTime)) {
      const s = mergedSamples(m, evalTime - rangeMs + 1, evalTime);
      const metric: Record<string, string> = {};
      for (let i = 0; i < m.labels.length; i += 2) metric[m.labels[i]] = m.labels[i + 1];
      const vals: [number, number][] = [];
      for (let i = 0; i < s.n; i++) vals.push([s.t[i], s.v[i]]);
      expect(vals, JSON.stringify(metric)).toEqual(want.get(JSON.stringify(metric)));
      compared++;
    }
    expect(compared).toBe(want.size);
    expect(compared).toBeGreaterThan(10);
  });
});
