// meta.json: the block's identity, time range, stats and compaction
// history. Prometheus writes version 1.

import { ErrorCode, TsdbError } from '../encoding/errors.js';

export interface BlockStats {
  numSamples: number;
  numSeries: number;
  numChunks: number;
  numTombstones: number;
  numFloatSamples?: number;
  numHistogramSamples?: number;
  numBytes?: number;
}

export interface BlockDesc {
  ulid: string;
  minTime: number;
  maxTime: number;
}

export interface Compaction {
  level: number;
  sources: string[];
  parents: BlockDesc[];
  deletable: boolean;
  failed: boolean;
  hints: string[];
}

export interface BlockMeta {
  version: number;
  ulid: string;
  /** Inclusive start of the block's time range (ms). */
  minTime: number;
  /** Exclusive end of the block's time range (ms). */
  maxTime: number;
  stats: BlockStats;
  compaction: Compaction;
  /** Fields we keep as they are (e.g. Thanos's). */
  extra: Record<string, unknown>;
}

// ulid.ParseStrict (oklog/ulid/v2), which Prometheus's isBlockDir (tsdb/db.go) asks of a
// block dir name: 26 Crockford base32 characters, either case, no I L O U; the first is
// 0-7 or the 128-bit value overflows. (meta.json's ulid goes through the laxer
// UnmarshalText, which checks only the length and the first character.)
const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$/;

export function isULID(s: string): boolean {
  return ULID_RE.test(s);
}

function fail(msg: string): never {
  throw new TsdbError(ErrorCode.Corrupt, `meta.json: ${msg}`, { file: 'meta.json' });
}

function num(o: Record<string, unknown>, k: string, where: string, required = true): number {
  const v = o[k];
  if (v === undefined && !required) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${where}${k} is ${JSON.stringify(v)}, want a number`);
  return v;
}

export function parseMeta(text: string | Uint8Array): BlockMeta {
  const s = typeof text === 'string' ? text : new TextDecoder().decode(text);
  let j: unknown;
  try {
    j = JSON.parse(s);
  } catch (e) {
    throw new TsdbError(ErrorCode.Corrupt, `meta.json does not parse: ${(e as Error).message}`, { file: 'meta.json' }, { cause: e });
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) fail('is not a JSON object');
  const o = j as Record<string, unknown>;
  const version = num(o, 'version', '');
  if (version !== 1) throw new TsdbError(ErrorCode.BadVersion, `meta.json version ${version} is not known (1 is)`, { file: 'meta.json' });
  const ulid = o.ulid;
  if (typeof ulid !== 'string') fail(`ulid is ${JSON.stringify(ulid)}, want a string`);
  const st = (o.stats ?? {}) as Record<string, unknown>;
  if (typeof st !== 'object' || st === null) fail('stats is not an object');
  const stats: BlockStats = {
    numSamples: num(st, 'numSamples', 'stats.', false),
    numSeries: num(st, 'numSeries', 'stats.', false),
    numChunks: num(st, 'numChunks', 'stats.', false),
    numTombstones: num(st, 'numTombstones', 'stats.', false),
  };
  for (const k of ['numFloatSamples', 'numHistogramSamples', 'numBytes'] as const) if (k in st) stats[k] = num(st, k, 'stats.');
  const c = (o.compaction ?? {}) as Record<string, unknown>;
  const compaction: Compaction = {
    level: num(c, 'level', 'compaction.', false),
    sources: Array.isArray(c.sources) ? c.sources.map(String) : [],
    parents: Array.isArray(c.parents)
      ? c.parents.map((p: Record<string, unknown>) => ({ ulid: String(p?.ulid), minTime: Number(p?.minTime), maxTime: Number(p?.maxTime) }))
      : [],
    deletable: c.deletable === true,
    failed: c.failed === true,
    hints: Array.isArray(c.hints) ? c.hints.map(String) : [],
  };
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!['version', 'ulid', 'minTime', 'maxTime', 'stats', 'compaction'].includes(k)) extra[k] = v;
  return { version, ulid, minTime: num(o, 'minTime', ''), maxTime: num(o, 'maxTime', ''), stats, compaction, extra };
}
