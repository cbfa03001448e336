// push into VictoriaMetrics (Debian's victoria-metrics, when installed): the
// float series arrive, each with the samples dump reads for it (what
// /api/v1/export returns). Skips when victoria-metrics is missing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasVictoriaMetrics, startVictoria } from '../../bench/victoria.mjs';
import { STALE_HI, STALE_LO } from '../../src/chunkenc/stale.js';
import { labelsString } from '../../src/query/goformat.js';
import { newMatcher } from '../../src/query/matchers.js';
import { seriesSamples } from '../../src/remote/push.js';
import { openInput, type OpenedInput } from '../../src/snapshot/open.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';

const SELECTOR = '{__name__=~".+", __name__!~"test_request_duration_seconds|test_temperature_delta_celsius"}';

let vm: { url: string; stop(): Promise<void> } | undefined;
let opened: OpenedInput;

beforeAll(async () => {
  opened = await openInput(fixturePath('snapshot-full.tgz'));
  if (hasVictoriaMetrics()) vm = await startVictoria();
});
afterAll(async () => {
  opened?.close();
  await vm?.stop();
});

/** Labels in the order labelsString wants them (sorted by name), from a VictoriaMetrics `metric` object. */
const sortedLabels = (m: Record<string, string>) => Object.keys(m).sort().flatMap((k) => [k, m[k]!]);

describe.skipIf(!hasVictoriaMetrics())('push into VictoriaMetrics', () => {
  it('every float series arrives with its samples', async () => {
    const r = await runCli(['push', fixturePath('snapshot-full.tgz'), '--url', `${vm!.url}/api/v1/write`, '--match', SELECTOR]);
    expect(r.stderr).toMatch(/pushed 61351 of 61351 samples/);
    expect(r.code).toBe(0);
    await fetch(`${vm!.url}/internal/force_flush`);
    const u = new URL('/api/v1/export', vm!.url);
    u.searchParams.set('match[]', '{__name__=~".+"}');
    u.searchParams.set('start', '0');
    const text = await (await fetch(u)).text();
    const got = new Map<string, number[]>();
    for (const line of text.trim().split('\n')) {
      // Export writes NaN and ±Inf bare (not JSON); only the labels and timestamps are read.
      const e = JSON.parse(line.replace(/(?<=[[,])[-+]?(Inf|NaN)(?=[\],])/g, 'null'));
      got.set(labelsString(sortedLabels(e.metric)), e.timestamps);
    }
    const want = new Map<string, number[]>();
    const sets = [[newMatcher('=~', '__name__', '.+'), newMatcher('!~', '__name__', 'test_request_duration_seconds|test_temperature_delta_celsius')]];
    for (const { labels, samples: s } of seriesSamples(opened.snapshots[0]!.blocks, { matcherSets: sets })) {
      // VictoriaMetrics keeps no NaN but the stale marker: it drops the others on ingestion (as 1.79 does here).
      const ts = Array.from(s.t.subarray(0, s.n)).filter((_t, i) => !Number.isNaN(s.v[i]) || (s.w[2 * i + 1] === STALE_HI && s.w[2 * i] === STALE_LO));
      if (ts.length > 0) want.set(labelsString(labels), ts);
    }
    expect(want.size).toBe(67);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, ts] of want) expect(got.get(k), k).toEqual(ts);
  }, 120_000);
});
