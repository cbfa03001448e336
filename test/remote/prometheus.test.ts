// push into a real Prometheus (3.5.3, and 2.42 for float series) started
// with its remote write receiver and an out-of-order window wide enough for
// the fixture's old samples: the pushed server then answers /api/v1/series,
// /api/v1/labels and range selectors (native histograms included) as a server
// started on the snapshot itself does. Skips when the binaries are missing.

import fs from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { get, rmrf, tempDir } from '../../fixtures/derive/tools.mjs';
import { runCli } from '../helpers/cli.js';
import { extractArchive, fixturePath, hasPrometheus, hasPrometheus3, PROMETHEUS_3, rangeQueryBody, snapshotDirs, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';

/** The fixture's samples lie between these (ms); the range queries cover all of them, and parts. */
const MIN_T = 1795261080000;
const MAX_T = 1795358425149;
const RANGES: [number, number][] = [
  [MIN_T - 1, MAX_T],
  [1795283000000, 1795289000000],
  [1795350000000, 1795358360500],
];
const HISTOGRAMS = 'test_request_duration_seconds|test_temperature_delta_celsius';
const OOO_CONFIG = 'storage:\n  tsdb:\n    out_of_order_time_window: 3650d\n';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function servers(bin: string | undefined, fixture = 'snapshot-full.tgz'): Promise<{ snapshot: PrometheusServer; pushed: PrometheusServer }> {
  const root = await extractArchive(fixturePath(fixture));
  cleanup.push(() => rmrf(root));
  const snapshot = await startPrometheus(snapshotDirs(root)[0]!, { bin });
  cleanup.push(() => snapshot.stop());
  const empty = await tempDir('tsdb-inspect-push-');
  cleanup.push(() => rmrf(empty));
  const pushed = await startPrometheus(empty, { bin, extraArgs: ['--web.enable-remote-write-receiver'], configExtra: OOO_CONFIG });
  cleanup.push(() => pushed.stop());
  return { snapshot, pushed };
}

/** The bodies of the answers compared, by question. */
async function answers(url: string, selector: string, ranges = RANGES): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ask = async (path: string, pairs: [string, string][]) => {
    const r = await get(url, path, pairs);
    expect(r.status, `${path} ${JSON.stringify(pairs)}: ${r.body}`).toBe(200);
    out.set(`${path} ${JSON.stringify(pairs)}`, r.body);
  };
  await ask('/api/v1/series', [['match[]', selector]]);
  await ask('/api/v1/labels', [['match[]', selector]]);
  await ask('/api/v1/label/__name__/values', [['match[]', selector]]);
  for (const [mint, maxt] of ranges) {
    out.set(`range ${mint} ${maxt}`, await rangeQueryBody(url, selector, mint, maxt));
    // Instant vectors step by step end where a stale marker ends a series (not 5 minutes later): they arrived.
    const step = String(Math.max(1, Math.ceil((maxt - mint) / 1000 / 2000)));
    await ask('/api/v1/query_range', [['query', selector], ['start', String(mint / 1000)], ['end', String(maxt / 1000)], ['step', step]]);
  }
  return out;
}

describe.skipIf(!hasPrometheus3())('push into Prometheus 3.5.3', () => {
  // Retried: once in five runs under a loaded machine a range answer differed (not reproduced alone;
  // suspected: the server on the snapshot compacting its blocks while it answers). See the closing note.
  it('answers as a server on the snapshot does, native histograms included', { timeout: 180_000, retry: 2 }, async () => {
    const { snapshot, pushed } = await servers(PROMETHEUS_3);
    const r = await runCli(['push', fixturePath('snapshot-full.tgz'), '--url', `${pushed.url}/api/v1/write`, '--batch-samples', '500']);
    expect(r.stderr).toMatch(/pushed 61621 of 61621 samples \(61351 floats, 270 histograms\) of 72 series/);
    expect(r.code).toBe(0);
    const want = await answers(snapshot.url, '{__name__=~".+"}');
    const got = await answers(pushed.url, '{__name__=~".+"}');
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const [q, body] of want) expect(got.get(q), q).toBe(body);
    // Not empty answers: every series, the histograms among them.
    const full = JSON.parse(want.get(`range ${MIN_T - 1} ${MAX_T}`)!);
    expect(full.data.result).toHaveLength(72);
    expect(full.data.result.filter((s: { histograms?: unknown }) => s.histograms).length).toBe(3);
  });

  it('sends custom-bucket histograms (schema -53) with their bounds', async () => {
    const { snapshot, pushed } = await servers(PROMETHEUS_3, 'nhcb.tgz');
    const r = await runCli(['push', fixturePath('nhcb.tgz'), '--url', `${pushed.url}/api/v1/write`]);
    expect(r.stderr).toMatch(/pushed 54 of 54 samples \(45 floats, 9 histograms\)/);
    expect(r.code).toBe(0);
    const ranges: [number, number][] = [[1796690742948 - 1, 1796690750952]];
    const want = await answers(snapshot.url, '{__name__=~".+"}', ranges);
    const got = await answers(pushed.url, '{__name__=~".+"}', ranges);
    for (const [q, body] of want) expect(got.get(q), q).toBe(body);
    const hist = JSON.parse(want.get(`range ${ranges[0]![0]} ${ranges[0]![1]}`)!).data.result.filter((s: { histograms?: unknown }) => s.histograms);
    expect(hist).toHaveLength(1);
    // Custom bounds show as the buckets' edges, e.g. 0.1 and 0.5 (not exponential ones).
    expect(JSON.stringify(hist[0].histograms[0][1].buckets)).toMatch(/"0\.1"|"0\.5"|"1"/);
  }, 180_000);
});

describe.skipIf(!hasPrometheus())('push into Prometheus 2.42', () => {
  // Retried as the 3.5.3 one: a server that took historic samples may compact its head while it answers
  // (2.42 once answered 422 "cannot populate chunk … from block 0000…" under load).
  it('answers as a server on the snapshot does, for the float series', { timeout: 180_000, retry: 2 }, async () => {
    const { snapshot, pushed } = await servers(undefined);
    // 2.42 has no out-of-order native histograms: the float series only.
    const selector = `{__name__=~".+", __name__!~"${HISTOGRAMS}"}`;
    const r = await runCli(['push', fixturePath('snapshot-full.tgz'), '--url', `${pushed.url}/api/v1/write`, '--match', selector]);
    expect(r.stderr).toMatch(/pushed 61351 of 61351 samples \(61351 floats, 0 histograms\) of 69 series/);
    expect(r.code).toBe(0);
    const want = await answers(snapshot.url, selector);
    const got = await answers(pushed.url, selector);
    for (const [q, body] of want) expect(got.get(q), q).toBe(body);
    expect(JSON.parse(want.get(`range ${MIN_T - 1} ${MAX_T}`)!).data.result).toHaveLength(69);
  });
});
