// TEST ONLY. A remote write receiver on 127.0.0.1: it answers each request
// as `respond` says, keeps what it accepted (decoded), and turns that back
// into promtool dump lines, to compare with what dump prints.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { uncompressSync } from '@napi-rs/snappy';
import { compareLabels } from '../../src/encoding/compare.js';
import type { HistogramSample } from '../../src/chunkenc/histogrammeta.js';
import { formatG, labelsString } from '../../src/query/goformat.js';
import { histogramString } from '../../src/query/histogram-string.js';
import { WriteRequest } from '../../src/remote/prompb.js';

export interface Received {
  headers: http.IncomingHttpHeaders;
  /** The decoded WriteRequest. */
  body: { timeseries: Msg[] };
}

/** A decoded TimeSeries (protobufjs' plain object shape, numbers for int64). */
export type Msg = { labels: { name: string; value: string }[]; samples?: { value: number; timestamp: number }[]; histograms?: Record<string, any>[] };

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface Receiver {
  url: string;
  /** Every request, in arrival order, with the status it got. */
  requests: (Received & { status: number; at: number })[];
  /** The requests answered 2xx. */
  accepted(): Received[];
  close(): Promise<void>;
}

/** Start a receiver; `respond` gets each request (numbered from 0) and says what to answer (default 204). */
export async function startReceiver(respond: (req: Received, n: number) => Reply | undefined = () => undefined): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = uncompressSync(Buffer.concat(chunks));
      const body = WriteRequest.toObject(WriteRequest.decode(raw), { longs: Number, arrays: true }) as Received['body'];
      const got: Received = { headers: req.headers, body };
      const reply = respond(got, requests.length) ?? { status: 204 };
      requests.push({ ...got, status: reply.status, at: Date.now() });
      res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** The high and low words of a float64, as hex (tells NaN payloads apart). */
export function bitsOf(v: number): string {
  f64[0] = v;
  return u32[1]!.toString(16) + ':' + u32[0]!.toString(16);
}

export const labelsOf = (m: Msg) => m.labels.flatMap((l) => [l.name, l.value]);

/** A received Histogram as the decoder's HistogramSample (absolute bucket counts), and whether it is a float one. */
function histogramSample(h: Record<string, any>): [HistogramSample, boolean] {
  const float = h.countFloat !== undefined;
  // Fields at their default (0) may be absent on the wire.
  const spans = (ss: { offset?: number; length?: number }[] = []) => ss.map((x) => ({ offset: x.offset ?? 0, length: x.length ?? 0 }));
  const abs = (d: number[] = []) => d.reduce<number[]>((a, x) => (a.push((a[a.length - 1] ?? 0) + x), a), []);
  const hs: HistogramSample = {
    t: h.timestamp ?? 0,
    counterResetHint: h.resetHint ?? 0,
    schema: h.schema ?? 0,
    zeroThreshold: h.zeroThreshold ?? 0,
    zeroCount: (float ? h.zeroCountFloat : h.zeroCountInt) ?? 0,
    count: (float ? h.countFloat : h.countInt) ?? 0,
    sum: h.sum ?? 0,
    positiveSpans: spans(h.positiveSpans),
    negativeSpans: spans(h.negativeSpans),
    positiveBuckets: float ? (h.positiveCounts ?? []) : abs(h.positiveDeltas),
    negativeBuckets: float ? (h.negativeCounts ?? []) : abs(h.negativeDeltas),
    ...(h.customValues?.length ? { customValues: h.customValues } : {}),
  };
  return [hs, float];
}

/** What was received, as `promtool tsdb dump` lines: series in label order, samples in time order. */
export function dumpLines(received: Received[]): string {
  const bySeries = new Map<string, { labels: string[]; lines: [number, string][] }>();
  for (const r of received) {
    for (const ts of r.body.timeseries) {
      const labels = labelsOf(ts);
      const key = JSON.stringify(labels);
      const e = bySeries.get(key) ?? bySeries.set(key, { labels, lines: [] }).get(key)!;
      const prefix = labelsString(labels) + ' ';
      for (const s of ts.samples ?? []) e.lines.push([s.timestamp ?? 0, `${prefix}${formatG(s.value ?? 0)} ${s.timestamp ?? 0}\n`]);
      for (const h of ts.histograms ?? []) {
        const [hs, float] = histogramSample(h);
        e.lines.push([hs.t, `${prefix}${histogramString(hs, float)} ${hs.t}\n`]);
      }
    }
  }
  const series = [...bySeries.values()].sort((a, b) => compareLabels(a.labels, b.labels));
  return series.map((s) => s.lines.sort((a, b) => a[0] - b[0]).map((l) => l[1]).join('')).join('');
}
