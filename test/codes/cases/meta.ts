// Cases for the meta.json codes: the first block's real meta.json (as
// Prometheus 2.42 wrote it, tab-indented) with one thing changed. Each was
// checked against real Prometheus 2.42 and 3.5.3 (see test/meta/gojson.test.ts).

import { expect } from 'vitest';
import type { Finding } from '../../../src/encoding/errors.js';
import { Code } from '../../../src/encoding/finding-codes.js';
import type { VerifyResult } from '../../../src/verify/verify.js';
import { archiveOf, realMembers, realPlace, type CaseInput, type CodeCase } from '../case.js';

const { snapshot, block, prefix } = realPlace();
const here = { snapshot, block, file: 'meta.json' };
const REAL = new TextDecoder().decode(realMembers().find((m) => m.name === prefix + 'meta.json')!.data);

/** The real snapshot with the first block's meta.json replaced by `text` (or bytes). */
function withMeta(text: string | Uint8Array): CaseInput {
  const data = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return archiveOf(realMembers().map((m) => (m.name === prefix + 'meta.json' ? { ...m, data } : m)));
}

/** REAL with `from` replaced by `to` (which must occur once), and the byte offset of `to` in it. */
function edit(from: string, to: string): { text: string; at: number } {
  const k = REAL.indexOf(from);
  if (k < 0 || REAL.indexOf(from, k + 1) >= 0) throw new Error(`${from} is not in the real meta.json once`);
  return { text: REAL.slice(0, k) + to + REAL.slice(k + from.length), at: Buffer.byteLength(REAL.slice(0, k)) };
}

/** The value after `"key": ` in `text` (the first), and where it starts. */
function valueAt(text: string, key: string): number {
  return text.indexOf(`"${key}": `) + key.length + 4;
}

const MAX_TIME = /"maxTime": (\d+)/.exec(REAL)![1]!;
const NUM_SAMPLES = /"numSamples": (\d+)/.exec(REAL)![1]!;

/** Prometheus skips the block: verify shows no time range for it and no stats taken from its meta.json. */
function skipped(r: VerifyResult, f: Finding): void {
  const b = r.snapshots.flatMap((s) => s.blocks).find((x) => x.ulid === f.block)!;
  expect(b.minTime).toBeNull();
  expect(b.maxTime).toBeNull();
  expect(b.numSamples).toBe(Number(NUM_SAMPLES)); // the recount, which the real stats agree with
}

const nested = edit('"version": 1', `"x": ${'['.repeat(20000)}${']'.repeat(20000)},\n\t"version": 1`);
const frac = edit(`"maxTime": ${MAX_TIME}`, `"maxTime": ${MAX_TIME}.5`);
const big = edit(`"maxTime": ${MAX_TIME}`, `"maxTime": 9223372036854775808`);
const float = edit(`"numSamples": ${NUM_SAMPLES}`, `"numSamples": ${NUM_SAMPLES}.0`);
const sources = edit(`"sources": [\n\t\t\t"${block}"\n\t\t]`, `"sources": "${block}"`);
const otherUlid = edit(`"ulid": "${block}"`, `"ulid": "01M81V437311AY8K10ZBCVFY89"`);

export const cases: CodeCase[] = [
  {
    code: Code.MetaParse,
    what: 'a UTF-8 BOM before meta.json\'s JSON (Go refuses it; JSON.parse after TextDecoder does not)',
    build: () => withMeta('\ufeff' + REAL),
    expect: { severity: 'error', ...here, offset: 0 },
    check: skipped,
  },
  {
    code: Code.MetaParse,
    what: 'arrays nested 20000 deep in an unknown field (Go stops at 10000)',
    build: () => withMeta(nested.text),
    // The top-level object is the first level: the 10000th '[' is the 10001st.
    expect: { severity: 'error', ...here, offset: nested.at + '"x": '.length + 9999 },
  },
  {
    code: Code.MetaField,
    what: 'maxTime with a fraction (1…1.5)',
    build: () => withMeta(frac.text),
    expect: { severity: 'error', ...here, offset: frac.at + '"maxTime": '.length },
    check: skipped,
  },
  {
    code: Code.MetaField,
    what: 'maxTime just past int64 (2^63)',
    build: () => withMeta(big.text),
    expect: { severity: 'error', ...here, offset: big.at + '"maxTime": '.length },
  },
  {
    code: Code.MetaField,
    what: 'stats.numSamples written as a float (….0)',
    build: () => withMeta(float.text),
    expect: { severity: 'error', ...here, offset: float.at + '"numSamples": '.length },
  },
  {
    code: Code.MetaField,
    what: 'compaction.sources a string, not an array of ULIDs',
    build: () => withMeta(sources.text),
    expect: { severity: 'error', ...here, offset: sources.at + '"sources": '.length },
  },
  {
    code: Code.MetaVersion,
    what: 'version 3',
    build: () => withMeta(REAL.replace('"version": 1', '"version": 3')),
    expect: { severity: 'error', ...here, offset: valueAt(REAL, 'version') },
    check: skipped,
  },
  {
    code: Code.MetaVersion,
    what: 'version 2 (Prometheus\'s repair rewrites it as 1 and loads the block)',
    build: () => withMeta(REAL.replace('"version": 1', '"version": 2')),
    expect: { severity: 'warning', ...here, offset: valueAt(REAL, 'version') },
    check: (r) => expect(r.ok).toBe(true),
  },
  {
    code: Code.MetaDeletable,
    what: 'compaction.deletable true (Prometheus deletes the block on start)',
    build: () => withMeta(REAL.replace('"level": 1,', '"level": 1,\n\t\t"deletable": true,')),
    expect: { severity: 'error', ...here, offset: valueAt(REAL.replace('"level": 1,', '"level": 1,\n\t\t"deletable": true,'), 'deletable') },
  },
  {
    code: Code.MetaUlid,
    what: 'a ulid that is not the block dir\'s name',
    build: () => withMeta(otherUlid.text),
    expect: { severity: 'error', ...here, offset: otherUlid.at + '"ulid": '.length },
  },
  {
    code: Code.MetaTimeRange,
    what: 'minTime equal to maxTime',
    build: () => withMeta(REAL.replace(/"minTime": \d+/, `"minTime": ${MAX_TIME}`)),
    expect: { severity: 'error', ...here, offset: valueAt(REAL, 'minTime') },
  },
  {
    code: Code.MetaStats,
    what: 'stats.numSamples one more than the block holds',
    build: () => withMeta(REAL.replace(`"numSamples": ${NUM_SAMPLES}`, `"numSamples": ${Number(NUM_SAMPLES) + 1}`)),
    expect: { severity: 'error', ...here, offset: valueAt(REAL, 'numSamples') },
    // The summary shows what the block holds, not the stated count.
    check: (r, f) => expect(r.snapshots.flatMap((s) => s.blocks).find((x) => x.ulid === f.block)!.numSamples).toBe(Number(NUM_SAMPLES)),
  },
];
