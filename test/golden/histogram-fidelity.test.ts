// Native histograms that the fixtures do not hold, in a block written by the
// test helpers, against a real Prometheus 2.42 server and promtool on a copy:
// bounds that the zero threshold cuts (AllBucketIterator moves them onto it),
// integer counts beyond 2^53 (uint64 counts, int64 buckets, as float64), and
// floats that follow a native histogram in one series.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBlockDir } from '../helpers/blockWriter.js';
import { runCli } from '../helpers/cli.js';
import { bitsOf, encodeHistogram, type TestHistogram, type TestLayout } from '../helpers/histogramEncoder.js';
import { promtoolDump, rangeQueryBody, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { hasPrometheus } from '../helpers/prometheus.js';
import { encodeXOR } from '../helpers/xorEncoder.js';

const XOR = 1; // chunk encodings
const HISTOGRAM = 2;

function floats(ts: number[], vs: number[]) {
  return { encoding: XOR, data: encodeXOR(ts, vs.map(bitsOf)), minTime: ts[0], maxTime: ts.at(-1)!, samples: ts.length };
}

function hist(t: number, count: number | bigint, zeroCount: number | bigint, positive: (number | bigint)[], negative: (number | bigint)[] = []): TestHistogram {
  return { t, count, zeroCount, sumBits: bitsOf(1.5), positive, negative };
}

function series(name: string, layout: TestLayout, samples: TestHistogram[]) {
  const data = encodeHistogram(layout, samples);
  return { labels: [['__name__', name]] as const, chunks: [{ encoding: HISTOGRAM, data, minTime: samples[0].t, maxTime: samples.at(-1)!.t, samples: samples.length }] };
}

let work: string;
let server: PrometheusServer;

const live = hasPrometheus();

beforeAll(async () => {
  if (!live) return;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hist-fidelity-'));
  const db = path.join(work, 'db');
  writeBlockDir(
    db,
    '01JF1DE1TY00000000000000AB',
    [
      // schema -4: bucket -1 is (2^-32, 2^-16], its lower bound inside the zero bucket of 1e-9.
      series('h_clamp_pos', { schema: -4, zeroThreshold: 1e-9, positiveSpans: [{ offset: -1, length: 2 }], negativeSpans: [] }, [hist(1000, 9, 0, [9, 0]), hist(2000, 12, 1, [9, 2])]),
      // schema -2: negative bucket -2 is [-2^-8, -2^-12), its upper bound inside the zero bucket of 0.001.
      series('h_clamp_neg', { schema: -2, zeroThreshold: 0.001, positiveSpans: [], negativeSpans: [{ offset: -2, length: 2 }] }, [hist(1000, 3, 1, [], [2, 0])]),
      // Counts beyond 2^53: uint64 count and zero count, int64 buckets, then back down.
      series('h_big', { schema: 0, zeroThreshold: 0, positiveSpans: [{ offset: 0, length: 2 }], negativeSpans: [] }, [
        hist(1000, 2n ** 62n + 1n, 2n ** 53n + 1n, [2n ** 62n, 2n ** 53n + 3n]),
        hist(2000, 2n ** 64n - 1n, 2n ** 53n + 3n, [2n ** 63n - 1n, 5n]),
        hist(3000, 7, 1, [3, 4]),
      ]),
      // Floats, then native histograms, then floats again in one series.
      {
        labels: [['__name__', 'mixed']] as const,
        chunks: [
          floats([1000, 2000], [1.5, 2.5]),
          series('', { schema: 0, zeroThreshold: 0, positiveSpans: [{ offset: 0, length: 1 }], negativeSpans: [] }, [hist(3000, 2, 0, [2]), hist(4000, 3, 0, [3])]).chunks[0],
          floats([5000, 6000], [3.5, 4.5]),
        ],
      },
      { labels: [['__name__', 'plain']] as const, chunks: [floats([1000, 2000, 3000], [1, 2, 3])] },
    ],
    0,
    7_200_000,
  );
  server = await startPrometheus(db);
}, 90_000);

afterAll(async () => {
  await server?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe.runIf(live)('native histograms beyond the fixtures agree with a Prometheus 2.42 server', () => {
  it.each(['h_clamp_pos', 'h_clamp_neg', 'h_big'])('dump --format json of %s equals GET /api/v1/query', async (name) => {
    const [mint, maxt] = [0, 10_000];
    const want = await rangeQueryBody(server.url, name, mint, maxt);
    const r = await runCli(['dump', path.join(work, 'db'), '--match', name, '--min-time', String(mint), '--max-time', String(maxt), '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(want + '\n');
  });
});

describe.runIf(live)('floats after a native histogram in one series', () => {
  it('dump --promtool-compat equals promtool 2.42 tsdb dump, which ends each series at its first histogram', async () => {
    const db = path.join(work, 'db');
    const want = await promtoolDump(db);
    const r = await runCli(['dump', db, '--promtool-compat']);
    expect(r.stderr).toBe('');
    expect(want).toContain('{__name__="mixed"} 2.5 2000\n');
    expect(r.stdout).toBe(want);
  });

  it('dump prints every sample, in order, by default', async () => {
    const r = await runCli(['dump', path.join(work, 'db'), '--match', 'mixed']);
    expect(r.stdout).toBe(
      [
        '{__name__="mixed"} 1.5 1000',
        '{__name__="mixed"} 2.5 2000',
        '{__name__="mixed"} {count:2, sum:1.5, (0.5,1]:2} 3000',
        '{__name__="mixed"} {count:3, sum:1.5, (0.5,1]:3} 4000',
        '{__name__="mixed"} 3.5 5000',
        '{__name__="mixed"} 4.5 6000',
        '',
      ].join('\n'),
    );
  });
});
