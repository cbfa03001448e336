// `tsdb-inspect push`: send the samples of an archive or directory to a
// Prometheus remote write (1.0) receiver. The work is src/remote's; here are
// the flags, the credentials (flags or environment, never printed), the
// progress line and the summary.

import { querySources } from '../snapshot/open.js';
import { MATCH_ALL, type Matcher } from '../query/matchers.js';
import { labelsString } from '../query/goformat.js';
import { parseSeriesSelector } from '../query/promql.js';
import { push, seriesSamples, type PushSummary, type RejectedBatch } from '../remote/push.js';
import { redact, type Target } from '../remote/send.js';
import { matchList } from './api-args.js';
import { EXIT_OK, EXIT_PROBLEMS, UsageError, withInput } from './run.js';

export interface PushArgs {
  input: string;
  url: string;
  match?: string | string[];
  minTime?: string;
  maxTime?: string;
  header?: string | string[];
  username?: string;
  password?: string;
  bearerToken?: string;
  concurrency?: number;
  batchSamples?: number;
  dryRun?: boolean;
}

/** Where credentials may come from instead of flags (a flag shows in `ps`; the environment does not). */
export const PUSH_ENV = { username: 'TSDB_INSPECT_PUSH_USERNAME', password: 'TSDB_INSPECT_PUSH_PASSWORD', bearerToken: 'TSDB_INSPECT_PUSH_BEARER_TOKEN' } as const;

function parseMs(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} takes a timestamp in milliseconds, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** The receiver and the headers to send it: --header, then basic auth (flags, environment or the URL's user:password) or a bearer token. */
export function pushTarget(a: PushArgs, env: NodeJS.ProcessEnv = process.env): { target: Target; secrets: string[] } {
  let url: URL;
  try {
    url = new URL(a.url);
  } catch {
    throw new UsageError('--url is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https, not ${url.protocol}`);
  const headers: Record<string, string> = {};
  for (const h of matchList(a.header)) {
    const colon = h.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header takes Name:Value, got a header without a name or colon`);
    headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
  }
  const username = a.username ?? env[PUSH_ENV.username] ?? decodeURIComponent(url.username);
  const password = a.password ?? env[PUSH_ENV.password] ?? decodeURIComponent(url.password);
  const token = a.bearerToken ?? env[PUSH_ENV.bearerToken];
  // fetch refuses a URL with credentials in it: they move to the Authorization header.
  url.username = '';
  url.password = '';
  const secrets = [password, token ?? ''].filter((s) => s.length > 0);
  if (token && (username || password)) throw new UsageError('give basic auth (username/password) or a bearer token, not both');
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (username || password) headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  // Every header value may be a secret (an API key in --header): none is ever printed.
  for (const v of Object.values(headers)) secrets.push(v);
  return { target: { url: url.href, headers }, secrets };
}

const mib = (n: number) => (n / 1048576).toFixed(1);
const rate = (s: PushSummary) => Math.round(s.acceptedSamples / Math.max(s.elapsedMs / 1000, 0.001));

function rejectedLine(r: RejectedBatch, secrets: string[]): string {
  const shown = r.series.slice(0, 5).map(labelsString).join(', ');
  const more = r.series.length > 5 ? ` and ${r.series.length - 5} more` : '';
  const status = r.status !== undefined ? ` with ${r.status}` : '';
  return redact(`tsdb-inspect: request ${r.index + 1} (${r.samples} samples) was rejected${status}: ${r.message.replace(/\s*[\r\n]+\s*/g, ' ')}; its series: ${shown}${more}\n`, secrets);
}

function summaryLine(s: PushSummary, dryRun: boolean): string {
  const total = s.floats + s.histograms;
  const what = `${total} samples (${s.floats} floats, ${s.histograms} histograms) of ${s.series} series in ${s.batches} request${s.batches === 1 ? '' : 's'}, ${mib(s.bytes)} MiB`;
  if (dryRun) return `would push ${what}\n`;
  let line = `pushed ${s.acceptedSamples} of ${what}, in ${(s.elapsedMs / 1000).toFixed(1)} s (${rate(s)} samples/s)`;
  if (s.rejected.length > 0) {
    const series = new Set(s.rejected.flatMap((r) => r.series.map(labelsString))).size;
    line += `; not accepted: ${s.rejectedSamples} samples in ${s.rejected.length} requests, of ${series} series`;
  }
  return line + '\n';
}

export async function pushCommand(a: PushArgs): Promise<number> {
  const { target, secrets } = pushTarget(a);
  const sets: Matcher[][] = a.match === undefined ? [MATCH_ALL] : matchList(a.match).map(parseSeriesSelector);
  // `{}` parses to no matchers, which select nothing (as in dump).
  const matcherSets = sets.filter((s) => s.length > 0);
  const minTime = parseMs('min-time', a.minTime);
  const maxTime = parseMs('max-time', a.maxTime);
  const tty = process.stderr.isTTY === true;
  let drawn = 0;
  const opts = {
    matcherSets,
    minTime,
    maxTime,
    concurrency: a.concurrency,
    batchSamples: a.batchSamples,
    dryRun: a.dryRun,
    onRejected: (r: RejectedBatch) => process.stderr.write((drawn ? '\r\x1b[K' : '') + rejectedLine(r, secrets)),
    onProgress: (s: PushSummary) => {
      if (!tty || a.dryRun || Date.now() - drawn < 200) return;
      drawn = Date.now();
      process.stderr.write(`\rpushed ${s.acceptedSamples} samples, ${rate(s)} samples/s, ${mib(s.bytes)} MiB\x1b[K`);
    },
  };
  return withInput(a.input, 'chunks', async (opened, out) => {
    const blocks = matcherSets.length === 0 ? [] : querySources(opened);
    // The first run of an archive is withInput's dry run, which only notes the chunks read (its `out` goes nowhere): it sends nothing.
    if (out !== process.stdout) {
      for (const _ of seriesSamples(blocks, opts));
      return EXIT_OK;
    }
    const s = await push(blocks, target, opts);
    if (drawn) process.stderr.write('\r\x1b[K');
    if (a.dryRun) out.write(summaryLine(s, true));
    else process.stderr.write(redact(summaryLine(s, false), secrets));
    return s.rejected.length > 0 ? EXIT_PROBLEMS : EXIT_OK;
  });
}
