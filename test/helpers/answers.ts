// TEST ONLY. What Prometheus answered to the questions of fixtures/questions.mjs,
// as committed under fixtures/answers/<version>/ by fixtures/derive-answers.mjs.
// The tests compare tsdb-inspect with these, so they need no Prometheus;
// test/oracle.test.ts re-derives them from the live tools.

import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { canonical, questionId } from '../../fixtures/questions.mjs';
import { FIXTURES_DIR } from './prometheus.js';

/** The version whose answers tsdb-inspect must match. */
export const REFERENCE = '2.42.0';
export const ANSWERS_DIR = path.join(FIXTURES_DIR, 'answers');

type Params = Record<string, string | number | ReadonlyArray<string | number> | undefined>;
export interface Question {
  fixture: string;
  kind: string;
  [k: string]: unknown;
}

interface Index {
  version: string;
  questions: Record<string, { file: string }>;
}

const indexes = new Map<string, Index>();
const files = new Map<string, Record<string, unknown>>();

function readAnswerFile(version: string, file: string): Record<string, unknown> {
  const key = `${version}/${file}`;
  let f = files.get(key);
  if (!f) {
    const raw = fs.readFileSync(path.join(ANSWERS_DIR, key));
    f = JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as Record<string, unknown>;
    files.set(key, f);
  }
  return f;
}

/** The committed answer to a question; throws, naming the request, when it was never derived. */
export function answer(q: Question, version = REFERENCE): unknown {
  let index = indexes.get(version);
  if (!index) {
    index = JSON.parse(fs.readFileSync(path.join(ANSWERS_DIR, version, 'index.json'), 'utf8')) as Index;
    indexes.set(version, index);
  }
  const id = questionId(q) as string;
  const entry = index.questions[id];
  if (!entry) {
    throw new Error(`no committed ${version} answer for ${JSON.stringify(canonical(q))}: add it to fixtures/questions.mjs and run node fixtures/derive-answers.mjs`);
  }
  const a = readAnswerFile(version, entry.file)[id];
  if (a && typeof a === 'object' && 'error' in a) throw new Error(`Prometheus ${version} failed on ${JSON.stringify(canonical(q))}: ${JSON.stringify(a)}`);
  return a;
}

/** 3.5.3's answer to a question asked of 3.5.3 only (fixtures/questions.mjs, P35). */
export function answer35(q: Question): unknown {
  return answer({ ...q, only: '3.5.3' }, '3.5.3');
}

/** The body a server answered with HTTP 200 to GET path?params. */
export function apiBody(fixture: string, apiPath: string, params: Params): string {
  const a = answer({ fixture, kind: 'api', path: apiPath, params });
  if (typeof a !== 'string') throw new Error(`the server refused ${apiPath} ${JSON.stringify(params)}: ${JSON.stringify(a)}`);
  return a;
}

/** {status, body} of a request the server refuses. */
export function apiError(fixture: string, apiPath: string, params: Params): { status: number; body: string } {
  return answer({ fixture, kind: 'api-error', path: apiPath, params }) as { status: number; body: string };
}

export interface DumpOptions {
  match?: string;
  minTime?: string;
  maxTime?: string;
}

/** stdout of `promtool tsdb dump` (float samples only in 2.42). */
export function promtoolDump(fixture: string, opts: DumpOptions = {}): string {
  return answer({ fixture, kind: 'dump', ...opts }) as string;
}

/** stdout of `promtool tsdb analyze --extended <args> [block]`, its map-ordered sections normalised (fixtures/derive/map-order.mjs). */
export function promtoolAnalyze(fixture: string, args: readonly string[], block?: string): string {
  return answer({ fixture, kind: 'analyze', args, block }) as string;
}

export interface PromtoolBlock {
  ulid: string;
  minTime: number;
  maxTime: number;
  /** As printed by promtool, e.g. "1h59m0.001s". */
  duration: string;
  numSamples: number;
  numChunks: number;
  numSeries: number;
  /** Bytes. */
  size: number;
}

/** `promtool tsdb list`, parsed. */
export function promtoolList(fixture: string): PromtoolBlock[] {
  const text = answer({ fixture, kind: 'list' }) as string;
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0 || !lines[0].startsWith('BLOCK ULID')) throw new Error(`unexpected promtool tsdb list output:\n${text}`);
  return lines.slice(1).map((line) => {
    const f = line.trim().split(/\s+/);
    if (f.length !== 8) throw new Error(`unexpected promtool tsdb list line: ${JSON.stringify(line)}`);
    const [ulid, minTime, maxTime, duration, numSamples, numChunks, numSeries, size] = f;
    return { ulid, minTime: Number(minTime), maxTime: Number(maxTime), duration, numSamples: Number(numSamples), numChunks: Number(numChunks), numSeries: Number(numSeries), size: Number(size) };
  });
}
