// meta.json: the block's identity, time range, stats and compaction
// history, read as Prometheus reads it (tsdb/block.go BlockMeta and
// readMetaFile): json.Unmarshal into the struct (gojson.ts keeps Go's rules),
// then version 1 (or 2, which repair.go rewrites to 1 on start).

import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { decodeGoJson, type GoType } from './gojson.js';
import { unmarshalULID, ZERO_ULID } from './ulid.js';

export interface BlockStats {
  numSamples: number;
  numFloatSamples: number;
  numHistogramSamples: number;
  numSeries: number;
  numChunks: number;
  numTombstones: number;
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
  /** The ULID as Prometheus decodes it, in canonical form (a lowercase one reads as the same ULID). */
  ulid: string;
  /** Inclusive start of the block's time range (ms). */
  minTime: number;
  /** Exclusive end of the block's time range (ms). */
  maxTime: number;
  stats: BlockStats;
  compaction: Compaction;
  /** Fields Prometheus does not read, as they are (e.g. Thanos's). */
  extra: Record<string, unknown>;
  /** Byte offset in meta.json of each field's value, by path (`stats.numSamples`), for fields given outside arrays. */
  offsets: Record<string, number>;
}

// ulid.ParseStrict (oklog/ulid/v2), which Prometheus's isBlockDir (tsdb/db.go) asks of a
// block dir name: 26 Crockford base32 characters, either case, no I L O U; the first is
// 0-7 or the 128-bit value overflows. (meta.json's ulid goes through the laxer
// UnmarshalText, which checks only the length and the first character.)
const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$/;

/** Whether `s` is a ULID in canonical form (as Prometheus names block dirs). */
export function isULID(s: string): boolean {
  return ULID_RE.test(s);
}

// The Go struct types, field for field (Prometheus main; 2.42 and 3.5 lack
// numFloatSamples and numHistogramSamples and skip them as unknown: reading
// them as the newest does holds a meta.json to what every version accepts).
const INT64: GoType = { kind: 'int64' };
const UINT64: GoType = { kind: 'uint64' };
const BOOL: GoType = { kind: 'bool' };
const ULID: GoType = { kind: 'text', name: 'ulid.ULID', zero: ZERO_ULID, unmarshal: unmarshalULID };
const BLOCK_META: GoType = {
  kind: 'struct',
  name: 'tsdb.BlockMeta',
  rest: 'extra',
  fields: {
    ulid: ULID,
    minTime: INT64,
    maxTime: INT64,
    stats: {
      kind: 'struct',
      name: 'tsdb.BlockStats',
      fields: { numSamples: UINT64, numFloatSamples: UINT64, numHistogramSamples: UINT64, numSeries: UINT64, numChunks: UINT64, numTombstones: UINT64 },
    },
    compaction: {
      kind: 'struct',
      name: 'tsdb.BlockMetaCompaction',
      fields: {
        level: INT64,
        sources: { kind: 'slice', elem: ULID },
        deletable: BOOL,
        parents: { kind: 'slice', elem: { kind: 'struct', name: 'tsdb.BlockDesc', fields: { ulid: ULID, minTime: INT64, maxTime: INT64 } } },
        failed: BOOL,
        hints: { kind: 'slice', elem: { kind: 'string' } },
      },
    },
    version: INT64,
  },
};

/**
 * meta.json as Prometheus reads it. Throws a TsdbError where Prometheus skips the block:
 * a JsonFieldError for a value of the wrong type or range, BadVersion for a version
 * other than 1 or 2, Corrupt (with the offset) for anything else.
 */
export function parseMeta(text: string | Uint8Array): BlockMeta {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const { value, offsets } = decodeGoJson<Omit<BlockMeta, 'offsets'>>(bytes, BLOCK_META, 'meta.json');
  // repair.go's repairBadIndexVersion takes version 2 too, rewriting it as 1 before the blocks open.
  if (value.version !== 1 && value.version !== 2) {
    const at = offsets.version;
    const where = at === undefined ? 'meta.json has no version' : `meta.json version ${value.version} at offset ${at}`;
    throw new TsdbError(ErrorCode.BadVersion, `${where}: Prometheus reads version 1 (and rewrites 2 as 1); it skips the block`, { file: 'meta.json', offset: at });
  }
  return { ...value, offsets };
}
