// The oracle: the committed answers of Prometheus (fixtures/answers/) hold
// what the fixtures/README.md says the fixtures hold, and (with the live
// tools) each version's tools still give every committed answer.
//
// The live check runs in CI (CI=true; .ci/run installs both versions, and a
// missing tool fails it) or when TSDB_INSPECT_LIVE=1 asks and the tools are
// there; otherwise it is skipped, saying why. It re-derives every answer with
// fixtures/derive-answers.mjs into memory and names each file, and each
// question in it, whose answer differs from the committed one.

import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deriveVersion } from '../fixtures/derive-answers.mjs';
import { VERSIONS, missingTools } from '../fixtures/derive/tools.mjs';
import { SERVER_QUERIES } from '../fixtures/questions.mjs';
import { ANSWERS_DIR, apiBody, promtoolDump, promtoolList } from './helpers/answers.js';
import { extractArchive, fixturePath, snapshotDirs } from './helpers/prometheus.js';

const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const ASKED = process.env.TSDB_INSPECT_LIVE === '1';

describe('the committed answers describe the fixtures as fixtures/README.md does', () => {
  it('promtool tsdb list agrees with every meta.json, and overlap.tgz has overlapping blocks', async () => {
    for (const name of ['snapshot-full.tgz', 'overlap.tgz']) {
      const root = await extractArchive(fixturePath(name));
      try {
        const [snap] = snapshotDirs(root);
        const list = promtoolList(name);
        expect(list.map((b) => b.ulid).sort()).toEqual(fs.readdirSync(snap).sort());
        for (const b of list) {
          const meta = JSON.parse(fs.readFileSync(path.join(snap, b.ulid, 'meta.json'), 'utf8'));
          expect([b.minTime, b.maxTime, b.numSamples, b.numChunks, b.numSeries]).toEqual([meta.minTime, meta.maxTime, meta.stats.numSamples, meta.stats.numChunks, meta.stats.numSeries]);
        }
        const overlapping = list.filter((a) => list.some((b) => a !== b && a.minTime < b.maxTime && b.minTime < a.maxTime));
        expect(overlapping.length > 0).toBe(name === 'overlap.tgz');
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    }
    expect(promtoolList('index-format-v1')).toEqual([{ ulid: '01DXXFZDYD1MQW6079WK0K6EDQ', minTime: 0, maxTime: 7200000, duration: '2h0m0s', numSamples: 102, numChunks: 102, numSeries: 102, size: expect.any(Number) }]);
  });

  it('snapshot-full holds native histograms (with a counter reset), awkward floats and a staleness marker', () => {
    const [, , hist, floats] = SERVER_QUERIES['snapshot-full.tgz'];
    const result = JSON.parse(apiBody('snapshot-full.tgz', '/api/v1/query', hist)).data.result as { metric: Record<string, string>; histograms: [number, { count: string; buckets: [number, string, string, string][] }][] }[];
    expect(result.map((r) => r.metric.method).sort()).toEqual(['GET', 'POST']);
    for (const r of result) {
      expect(r.histograms.length).toBeGreaterThan(30);
      const bounds = r.histograms.at(-1)![1].buckets.map((b) => Number(b[1]));
      expect(bounds.some((lo) => lo < 0) && bounds.some((lo) => lo > 0)).toBe(true);
    }
    const counts = result.find((r) => r.metric.method === 'POST')!.histograms.map((h) => Number(h[1].count));
    expect(counts.filter((c, i) => i > 0 && c < counts[i - 1]).length).toBe(1);
    const fv = JSON.parse(apiBody('snapshot-full.tgz', '/api/v1/query', floats)).data.result as { metric: Record<string, string>; value: [number, string] }[];
    expect(Object.fromEntries(fv.map((r) => [r.metric.case, r.value[1]]))).toMatchObject({ nan: 'NaN', pos_inf: '+Inf', neg_inf: '-Inf', answer: '42' });
    const eph = promtoolDump('snapshot-full.tgz').split('\n').filter((l) => l.startsWith('{__name__="test_ephemeral_gauge"'));
    expect(eph).toHaveLength(21);
    expect(eph.map((l) => l.split(' ').at(-2)).indexOf('NaN')).toBe(20);
  });
});

/** Why the live check of a version does not run here, or '' when it runs (a missing tool in CI is a failure, not a skip). */
function skipReason(version: (typeof VERSIONS)[number]): string {
  if (IN_CI) return '';
  if (!ASKED) return 'set TSDB_INSPECT_LIVE=1 (or CI=true) to re-derive them from the live tools';
  const missing = missingTools(version);
  return missing ? `tools missing: ${missing}` : '';
}

function committedFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? committedFiles(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]));
}

const text = (rel: string, data: Buffer | string) => (rel.endsWith('.gz') ? gunzipSync(data as Buffer).toString('utf8') : data.toString());

/** Which files, and which question ids in them, differ. */
function differences(dir: string, derived: Record<string, Buffer | string>): string[] {
  const out: string[] = [];
  const names = new Set([...committedFiles(dir), ...Object.keys(derived)]);
  for (const rel of [...names].sort()) {
    const file = path.join(dir, rel);
    if (!fs.existsSync(file)) out.push(`${file}: not committed`);
    else if (!(rel in derived)) out.push(`${file}: no longer derived`);
    else {
      const was = text(rel, fs.readFileSync(file));
      const now = text(rel, derived[rel]);
      if (was === now) continue;
      if (rel === 'index.json') out.push(`${file}: the questions changed`);
      else {
        const [a, b] = [JSON.parse(was), JSON.parse(now)];
        const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')).questions;
        const ids = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((id) => JSON.stringify(a[id]) !== JSON.stringify(b[id]));
        out.push(`${file}: ${ids.map((id) => `${id} ${JSON.stringify(index[id] ?? 'new')}`).join(', ')} differ`);
      }
    }
  }
  return out;
}

describe.each(VERSIONS)('the live Prometheus $name', (version) => {
  const why = skipReason(version);
  it.skipIf(why !== '')(`gives every committed answer in fixtures/answers/${version.name}/${why ? ` (skipped: ${why})` : ''}`, { timeout: 600_000 }, async () => {
    expect(missingTools(version), 'the tools CI must have').toBe('');
    const v1Before = committedFiles(fixturePath('index-format-v1'));
    const derived = await deriveVersion(version);
    expect(differences(path.join(ANSWERS_DIR, version.name), derived), 'run node fixtures/derive-answers.mjs and look at git diff').toEqual([]);
    expect(committedFiles(fixturePath('index-format-v1')), 'the tools ran on copies').toEqual(v1Before);
  });
});
