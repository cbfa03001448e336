// One remote write request, retried as Prometheus's queue manager retries
// (storage/remote/queue_manager.go sendWriteRequestWithBackoff, client.go):
// network errors, 5xx and 429 are recoverable and retried with exponential
// backoff, a Retry-After header giving the wait where there is one; any other
// status is final, and its body is the receiver's reason.

export interface RetryOptions {
  /** First wait in ms (default 500), doubled each retry up to maxBackoffMs (default 30 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Retries after the first attempt before the batch is given up (default 10). */
  maxRetries?: number;
  /** The longest Retry-After honoured, in ms (default 5 min); a longer one waits this long. */
  maxRetryAfterMs?: number;
  /** Per attempt, in ms (default 60 s). */
  timeoutMs?: number;
}

export interface Target {
  url: string;
  /** All request headers (auth included); their values are never put in a message. */
  headers: Record<string, string>;
}

export type SendResult = { ok: true; attempts: number } | { ok: false; attempts: number; status?: number; message: string };

/** The headers of a remote write 1.0 request (docs/specs/remote_write_spec.md). */
export const REMOTE_WRITE_HEADERS = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
} as const;

/** Receiver messages are kept to this many characters. */
const MAX_MESSAGE = 512;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retry-After as ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(v: string | null, now = Date.now()): number | undefined {
  if (v === null) return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Replace every secret found in `text` (a receiver's body, an error) by ***. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

/** POST `body`, retrying what is recoverable; resolves (never rejects) with the outcome. */
export async function sendWithRetry(target: Target, body: Buffer, opts: RetryOptions = {}): Promise<SendResult> {
  const minBackoff = opts.minBackoffMs ?? 500;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const maxRetries = opts.maxRetries ?? 10;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 300_000;
  const secrets = Object.values(target.headers);
  const headers = { ...target.headers, ...REMOTE_WRITE_HEADERS };
  let backoff = minBackoff;
  for (let attempt = 1; ; attempt++) {
    let status: number | undefined;
    let message: string;
    let wait: number | undefined;
    try {
      const res = await fetch(target.url, { method: 'POST', headers, body: body as Uint8Array<ArrayBuffer>, signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000) });
      const text = (await res.text()).trim();
      if (res.ok) return { ok: true, attempts: attempt };
      status = res.status;
      message = text.slice(0, MAX_MESSAGE) || res.statusText;
      if (status !== 429 && status < 500) return { ok: false, attempts: attempt, status, message: redact(message, secrets) };
      wait = retryAfterMs(res.headers.get('retry-after'));
    } catch (e) {
      // A network error or a timeout: the request may not have arrived; retried like a 5xx.
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      message = [(e as Error).message, cause].filter(Boolean).join(': ');
    }
    if (attempt > maxRetries) return { ok: false, attempts: attempt, status, message: redact(`gave up after ${attempt} attempts: ${message}`, secrets) };
    await sleep(wait !== undefined ? Math.min(wait, maxRetryAfter) : backoff);
    backoff = Math.min(backoff * 2, maxBackoff);
  }
}
