// The done-criterion run: 150 seeded single-bit flips in the chunk, index and
// tombstones files of a real snapshot that verify was not developed against
// (fixtures/overlap.tgz, held out: the hardening was worked out on
// snapshot-full.tgz and index-format-v1). Every flip must be reported: a
// failing result with an error finding on that block and file, no crash, no
// hang. A seeded sample goes through the real CLI: exit code 1, stdout JSON.

import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';
import { blockFiles, buildTar, errorsOf, flipBit, loadMembers, RUN_BOUND_MS, summarize, verifyBuffer, type Member } from './tarball.js';

const SEED = 150150;
const FLIPS = 150;
const CLI_FLIPS = 12;

let members: Member[];
let files: ReturnType<typeof blockFiles>;
let work: string;

beforeAll(() => {
  members = loadMembers(fixturePath('overlap.tgz'));
  files = blockFiles(members, ['index', 'chunks/000001', 'tombstones']);
  expect(files.length).toBe(5 * 3);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-held-out-'));
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A flip: which file (index, chunks or tombstones of which block), which byte, which bit. */
const flip = fc.record({
  file: fc.nat(14),
  where: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  bit: fc.nat(7),
});

function mutated(f: { file: number; where: number; bit: number }) {
  const target = files[f.file]!;
  const at = Math.floor(f.where * target.data.length);
  const tar = buildTar(members.map((m) => (m.name === target.name ? { ...m, data: flipBit(target.data, at, f.bit) } : m))).tar;
  return { target, at, tar, what: `bit ${f.bit} of byte ${at} of ${target.block}/${target.rel} (seed ${SEED})` };
}

describe('held-out snapshot (overlap.tgz): 150 single-bit flips', () => {
  it('the unmutated archive passes', async () => {
    const r = await verifyBuffer(buildTar(members).tar);
    expect(errorsOf(r)).toEqual([]);
  });

  it(`every one of ${FLIPS} flips is reported on its block and file`, async () => {
    const samples = fc.sample(flip, { seed: SEED, numRuns: FLIPS });
    let detected = 0;
    let slowest = 0;
    const perFile: Record<string, number> = {};
    for (const s of samples) {
      const { target, tar, what } = mutated(s);
      const r = await verifyBuffer(tar);
      slowest = Math.max(slowest, r.cpuMs);
      const named = errorsOf(r).some((e) => e.snapshot === target.snapshot && e.block === target.block && e.file === target.rel);
      expect(named, `${what} passed silently: ${summarize(r)}`).toBe(true);
      expect(r.json.ok, what).toBe(false);
      expect(r.json.findings.some((x) => x.code === 'internal-error'), what).toBe(false);
      detected++;
      perFile[target.rel] = (perFile[target.rel] ?? 0) + 1;
    }
    expect(detected).toBe(FLIPS);
    expect(Object.keys(perFile).sort()).toEqual(['chunks/000001', 'index', 'tombstones']);
    expect(slowest).toBeLessThan(RUN_BOUND_MS);
    console.log(`held-out flips: ${detected}/${FLIPS} detected (per file ${JSON.stringify(perFile)}), slowest run ${slowest.toFixed(0)} ms of CPU, seed ${SEED}`);
  });

  it(`${CLI_FLIPS} of them through the CLI: exit 1, stdout JSON with the error`, async () => {
    const samples = fc.sample(flip, { seed: SEED, numRuns: CLI_FLIPS });
    for (const [i, s] of samples.entries()) {
      const { target, tar, what } = mutated(s);
      const file = path.join(work, `flip-${i}.tgz`);
      fs.writeFileSync(file, zlib.gzipSync(tar));
      const t0 = Date.now();
      const r = await runCli(['verify', file, '--format', 'json'], { timeoutMs: 30_000 });
      expect(Date.now() - t0, what).toBeLessThan(30_000);
      expect(r.code, `${what}: ${r.stderr}`).toBe(1);
      const json = JSON.parse(r.stdout);
      expect(json.findings.some((e: any) => e.severity === 'error' && e.block === target.block && e.file === target.rel), what).toBe(true);
      expect(r.stderr).toBe('');
    }
  });
});
