// Push the samples of blocks (and a replayed head) to a remote write
// receiver: the series the selectors match, merged across blocks with
// tombstones applied exactly as the query commands read them (query/merge.ts),
// cut into batches (batch.ts), encoded (encode.ts) and sent `concurrency` at a
// time with retries (send.ts). A batch the receiver rejects is reported and
// the push goes on; the summary says what was and was not accepted.

import type { Block } from '../block/block.js';
import type { Head } from '../wal/head.js';
import { compareLabels } from '../encoding/compare.js';
import { serverBlockOrder } from '../query/block-order.js';
import { GoHeap } from '../query/goheap.js';
import type { Matcher } from '../query/matchers.js';
import { MergeScratch, mergedSamples, mergedSeries, type MergedSeries } from '../query/merge.js';
import { batches, type Batch, type SeriesSamples } from './batch.js';
import { writeRequestBody } from './encode.js';
import { sendWithRetry, type RetryOptions, type Target } from './send.js';

export interface PushOptions extends RetryOptions {
  /** Matcher sets, as repeated match[]: a series is pushed when one of them selects it. */
  matcherSets: readonly (readonly Matcher[])[];
  /** Inclusive bounds in ms (default: everything). */
  minTime?: number;
  maxTime?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Samples per request at most (default 2000, Prometheus's max_samples_per_send). */
  batchSamples?: number;
  /** Count and encode, send nothing. */
  dryRun?: boolean;
  /** After each batch is done (sent or not), with the totals so far. */
  onProgress?(s: PushSummary): void;
  /** When the receiver rejects a batch, or it is given up. */
  onRejected?(r: RejectedBatch): void;
}

export interface RejectedBatch {
  index: number;
  /** The HTTP status, absent when the last attempt got no answer. */
  status?: number;
  /** The receiver's reason (its response body), or why no answer came. */
  message: string;
  series: string[][];
  samples: number;
}

export interface PushSummary {
  /** Series with at least one sample to send. */
  series: number;
  floats: number;
  histograms: number;
  batches: number;
  /** Compressed request bytes (those of every batch, sent or not). */
  bytes: number;
  /** Batches and samples the receiver accepted (all of them on a dry run: what would be sent). */
  acceptedBatches: number;
  acceptedSamples: number;
  rejected: RejectedBatch[];
  rejectedSamples: number;
  /** Wall time in ms so far. */
  elapsedMs: number;
}

/** Matching series of the union of the matcher sets, in label order, each once. */
function* unionSeries(blocks: readonly (Block | Head)[], sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Generator<MergedSeries> {
  if (sets.length === 1) return yield* mergedSeries(blocks, sets[0]!, mint, maxt);
  type Cursor = { it: Iterator<MergedSeries>; cur: MergedSeries };
  const heap = new GoHeap<Cursor>((a, b) => compareLabels(a.cur.labels, b.cur.labels) < 0);
  for (const ms of sets) {
    const it = mergedSeries(blocks, ms, mint, maxt);
    const r = it.next();
    if (!r.done) heap.push({ it, cur: r.value });
  }
  let last: string[] | undefined;
  while (heap.length > 0) {
    const c = heap.pop();
    if (!last || compareLabels(last, c.cur.labels) !== 0) {
      last = c.cur.labels;
      yield c.cur;
    }
    const r = c.it.next();
    if (!r.done) heap.push({ it: c.it, cur: r.value });
  }
}

/**
 * The samples of each matching series, merged as the server merges blocks
 * (empty series left out): what push sends. Each list is valid until the next.
 */
export function* seriesSamples(blocks: readonly (Block | Head)[], opts: Pick<PushOptions, 'matcherSets' | 'minTime' | 'maxTime'>, summary?: PushSummary): Generator<SeriesSamples> {
  const mint = opts.minTime ?? -Infinity;
  const maxt = opts.maxTime ?? Infinity;
  const scratch = new MergeScratch();
  for (const m of unionSeries(serverBlockOrder(blocks), opts.matcherSets, mint, maxt)) {
    const samples = mergedSamples(m, mint, maxt, scratch);
    if (samples.n === 0) continue;
    if (summary) summary.series++;
    yield { labels: m.labels, samples };
  }
}

/** Push, or on a dry run count what would be pushed. Resolves with the summary once every batch is done. */
export async function push(blocks: readonly (Block | Head)[], target: Target, opts: PushOptions): Promise<PushSummary> {
  const started = Date.now();
  const concurrency = opts.concurrency ?? 4;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`concurrency must be a whole number of at least 1, not ${concurrency}`);
  const summary: PushSummary = { series: 0, floats: 0, histograms: 0, batches: 0, bytes: 0, acceptedBatches: 0, acceptedSamples: 0, rejected: [], rejectedSamples: 0, elapsedMs: 0 };
  const done = (b: Batch, rejected?: Omit<RejectedBatch, 'index' | 'series' | 'samples'>) => {
    const samples = b.floats + b.histograms;
    if (rejected) {
      const r = { index: b.index, ...rejected, series: b.series, samples };
      summary.rejected.push(r);
      summary.rejectedSamples += samples;
      opts.onRejected?.(r);
    } else {
      summary.acceptedBatches++;
      summary.acceptedSamples += samples;
    }
    summary.elapsedMs = Date.now() - started;
    opts.onProgress?.(summary);
  };
  const inFlight = new Set<Promise<void>>();
  let previous: Promise<void> = Promise.resolve();
  for (const b of batches(seriesSamples(blocks, opts, summary), opts.batchSamples ?? 2000)) {
    const body = writeRequestBody(b.timeseries);
    summary.batches++;
    summary.floats += b.floats;
    summary.histograms += b.histograms;
    summary.bytes += body.length;
    if (opts.dryRun) {
      done(b);
      continue;
    }
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    // A series that goes on from the previous batch is sent after it, so the receiver gets it in time order.
    const after = b.continues ? previous : undefined;
    const p = (async () => {
      await after;
      const r = await sendWithRetry(target, body, opts);
      done(b, r.ok ? undefined : { status: r.status, message: r.message });
    })();
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    previous = p;
  }
  await Promise.all(inFlight);
  summary.elapsedMs = Date.now() - started;
  return summary;
}
