// push against local receivers (test/remote/receiver.ts): what arrives,
// decoded, is what dump prints, stale markers bit for bit; 5xx and 429 are
// retried (Retry-After honoured), other 4xx are not, and a rejected batch is
// reported with the receiver's message and its series.

import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block } from '../../src/block/block.js';
import { STALE_HI, STALE_LO } from '../../src/chunkenc/stale.js';
import { writeDump } from '../../src/query/dump.js';
import { MATCH_ALL, newMatcher } from '../../src/query/matchers.js';
import { push, seriesSamples } from '../../src/remote/push.js';
import { openInput, type OpenedInput } from '../../src/snapshot/open.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';
import { bitsOf, dumpLines, startReceiver, type Receiver } from './receiver.js';

const STALE = STALE_HI.toString(16) + ':' + STALE_LO.toString(16);
const FAST = { minBackoffMs: 1, maxBackoffMs: 10 };

let opened: OpenedInput;
let blocks: Block[];
let dumped: string;
const receivers: Receiver[] = [];

beforeAll(async () => {
  opened = await openInput(fixturePath('snapshot-full.tgz'));
  blocks = opened.snapshots.flatMap((s) => s.blocks);
  let text = '';
  await writeDump(blocks, { matchers: MATCH_ALL }, new Writable({ write: (c, _e, cb) => ((text += c.toString('utf8')), cb()) }));
  dumped = text;
});

afterAll(async () => {
  opened?.close();
  for (const r of receivers) await r.close();
});

const receiver = async (...a: Parameters<typeof startReceiver>) => {
  const r = await startReceiver(...a);
  receivers.push(r);
  return r;
};
const target = (r: Receiver) => ({ url: r.url, headers: {} });

/** Stale markers among the float samples that dump's iteration reads. */
function staleInSource(): number {
  let n = 0;
  for (const { samples: s } of seriesSamples(blocks, { matcherSets: [MATCH_ALL] })) for (let i = 0; i < s.n; i++) if (!s.isHistogram(i) && s.w[2 * i + 1] === STALE_HI && s.w[2 * i] === STALE_LO) n++;
  return n;
}

describe('push to a receiver that fails twice, then accepts', () => {
  it('loses nothing: what arrived is what dump prints, stale markers bit for bit', async () => {
    const r = await receiver((_req, n) => (n < 2 ? { status: 500, body: 'try later' } : undefined));
    const s = await push(blocks, target(r), { matcherSets: [MATCH_ALL], batchSamples: 700, ...FAST });
    expect(s.rejected).toEqual([]);
    expect(r.requests.slice(0, 2).map((q) => q.status)).toEqual([500, 500]);
    expect(s.acceptedSamples).toBe(61621);
    expect(r.accepted()).toHaveLength(s.batches);
    expect(dumpLines(r.accepted())).toBe(dumped);
    const floats = r.accepted().flatMap((q) => q.body.timeseries.flatMap((t) => t.samples ?? []));
    const stale = floats.filter((f) => bitsOf(f.value) === STALE).length;
    expect(stale).toBe(staleInSource());
    expect(stale).toBeGreaterThan(0);
    const h = r.requests[0]!.headers;
    expect([h['content-encoding'], h['content-type'], h['x-prometheus-remote-write-version']]).toEqual(['snappy', 'application/x-protobuf', '0.1.0']);
  });

  it('sends a series in time order across batches, one kind per message', async () => {
    const r = await receiver();
    await push(blocks, target(r), { matcherSets: [[newMatcher('=', '__name__', 'test_request_duration_seconds')]], batchSamples: 7, concurrency: 4 });
    // Each request starts after the one it goes on from is done: arrival order is time order.
    const seen = new Map<string, number>();
    for (const q of r.requests) {
      for (const ts of q.body.timeseries) {
        expect(Boolean(ts.samples?.length) !== Boolean(ts.histograms?.length)).toBe(true);
        const key = JSON.stringify(ts.labels);
        for (const x of [...(ts.samples ?? []), ...(ts.histograms ?? [])]) {
          expect(x.timestamp).toBeGreaterThan(seen.get(key) ?? -Infinity);
          seen.set(key, x.timestamp);
        }
      }
    }
    expect(seen.size).toBe(2);
  });
});

describe('retries', () => {
  const one = [[newMatcher('=', '__name__', 'up'), newMatcher('=', 'instance', 'api-1:8080')]];

  it('honours Retry-After on 429', async () => {
    const r = await receiver((_q, n) => (n === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : undefined));
    const s = await push(blocks, target(r), { matcherSets: one, ...FAST });
    expect(s.rejected).toEqual([]);
    expect(r.requests.map((q) => q.status)).toEqual([429, 204]);
    expect(r.requests[1]!.at - r.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('waits at most maxRetryAfterMs', async () => {
    const r = await receiver((_q, n) => (n === 0 ? { status: 429, headers: { 'Retry-After': '3600' } } : undefined));
    const s = await push(blocks, target(r), { matcherSets: one, ...FAST, maxRetryAfterMs: 20 });
    expect(s.rejected).toEqual([]);
    expect(r.requests.map((q) => q.status)).toEqual([429, 204]);
  });

  it('gives a batch up after maxRetries, with the last answer', async () => {
    const r = await receiver(() => ({ status: 503, body: 'overloaded' }));
    const s = await push(blocks, target(r), { matcherSets: one, ...FAST, maxRetries: 2 });
    expect(r.requests).toHaveLength(3);
    expect(s.rejected).toHaveLength(1);
    expect(s.rejected[0]).toMatchObject({ status: 503, message: 'gave up after 3 attempts: overloaded' });
    expect(s.acceptedSamples).toBe(0);
  });

  it('retries when nothing answers', async () => {
    const r = await receiver();
    await r.close();
    const s = await push(blocks, target(r), { matcherSets: one, ...FAST, maxRetries: 1 });
    expect(s.rejected).toHaveLength(1);
    expect(s.rejected[0]!.status).toBeUndefined();
    expect(s.rejected[0]!.message).toMatch(/^gave up after 2 attempts: fetch failed/);
  });

  it('does not retry a 400', async () => {
    const r = await receiver(() => ({ status: 400, body: 'out of bounds' }));
    const s = await push(blocks, target(r), { matcherSets: one, ...FAST });
    expect(r.requests).toHaveLength(1);
    expect(s.rejected).toMatchObject([{ status: 400, message: 'out of bounds', series: [['__name__', 'up', 'instance', 'api-1:8080', 'job', 'api']] }]);
  });
});

describe('tsdb-inspect push', () => {
  const SECRET = 's3cr3t-t0ken';

  it('ends with exit 1 naming the rejected batch, its series and what was accepted; the token never shows', async () => {
    const r = await receiver((q) =>
      q.body.timeseries.some((t) => t.labels.some((l) => l.value === 'api-2:8080')) ? { status: 400, body: `bad sample; auth was ${q.headers.authorization}` } : undefined,
    );
    const res = await runCli(['push', fixturePath('snapshot-full.tgz'), '--url', r.url, '--match', 'up', '--batch-samples', '3000', '--concurrency', '1', '--debug'], {
      env: { ...process.env, TSDB_INSPECT_PUSH_BEARER_TOKEN: SECRET },
    });
    expect(res.code).toBe(1);
    expect(r.requests[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(res.stderr).toMatch(/request \d+ \(\d+ samples\) was rejected with 400: bad sample; auth was \*\*\*; its series: .*\{__name__="up", instance="api-2:8080", job="api"\}/);
    expect(res.stderr).toMatch(/pushed \d+ of \d+ samples .* not accepted: \d+ samples in 1 requests, of 3 series/);
    expect(res.stdout + res.stderr).not.toContain(SECRET);
  });

  it('--dry-run sends nothing and counts what it would', async () => {
    const r = await receiver();
    const res = await runCli(['push', fixturePath('snapshot-full.tgz'), '--url', r.url, '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('would push 61621 samples (61351 floats, 270 histograms) of 72 series in 31 requests, 0.6 MiB\n');
    expect(r.requests).toHaveLength(0);
  });

  it('basic auth from the URL and the environment, never printed', async () => {
    const r = await receiver(() => ({ status: 401, body: 'who are you' }));
    const u = new URL(r.url);
    u.username = 'me';
    const res = await runCli(['push', fixturePath('snapshot-full.tgz'), '--url', u.href, '--match', 'up', '--debug'], { env: { ...process.env, TSDB_INSPECT_PUSH_PASSWORD: SECRET } });
    expect(res.code).toBe(1);
    expect(r.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`me:${SECRET}`).toString('base64')}`);
    expect(res.stdout + res.stderr).not.toContain(SECRET);
    expect(res.stdout + res.stderr).not.toContain(Buffer.from(`me:${SECRET}`).toString('base64'));
  });
});
