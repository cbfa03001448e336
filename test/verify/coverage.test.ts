// What a snapshot covers (src/verify/check/coverage.ts) on the real fixtures:
// a block taken out with tar, --expect-range either side of the snapshot's
// length, --expect-head on snapshots with and without their head.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verify, type VerifyResult } from '../../src/verify/verify.js';
import type { CoverageOptions } from '../../src/verify/check/coverage.js';
import { fixturePath } from '../helpers/prometheus.js';

const SNAP = '20261122T144025Z-2939a76ec4c5dbb6';
const MIDDLE = '01M81V49973SAKH6H329SWWYDN';
const HEAD = '01M81V70BWRRN49VQ1VV6H21P4';

/** snapshot-full.tgz re-packed by tar without `block` (as an operator would cut it). */
function withoutBlock(block: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coverage-'));
  execFileSync('tar', ['xzf', fixturePath('snapshot-full.tgz'), '-C', dir]);
  fs.rmSync(path.join(dir, 'snapshots', SNAP, block), { recursive: true });
  const out = path.join(dir, 'cut.tgz');
  execFileSync('tar', ['czf', out, '-C', dir, 'snapshots']);
  return out;
}

const gaps = (r: VerifyResult) => r.findings.filter((f) => f.code === 'coverage-gap');
const run = (input: string, coverage: CoverageOptions = {}) => verify(input, { coverage, workers: 1 });

describe('coverage', () => {
  it('a block removed with tar: one more coverage-gap, from the block before it to the block after it', async () => {
    const whole = await run(fixturePath('snapshot-full.tgz'));
    // The fixture itself has a hole of 2h0m56.147s before its head block (the server was not running then).
    expect(gaps(whole).map((f) => f.message)).toEqual([expect.stringContaining('no block covers 2h0m56.147s from 1795347480001 ')]);
    const removed = whole.snapshots[0]!.blocks.find((b) => b.ulid === MIDDLE)!;
    const cut = await run(withoutBlock(MIDDLE));
    const added = gaps(cut).filter((f) => !gaps(whole).some((g) => g.message === f.message));
    expect(added).toHaveLength(1);
    const [, from, to] = /from (\d+) .* to (\d+) /.exec(added[0]!.message)!.map(Number);
    // Blocks end one ms after their last sample and the next starts at its first: the hole is the removed block's
    // range widened by less than one scrape interval (60s) at each end, up to its neighbours.
    expect(from).toBeLessThanOrEqual(removed.minTime!);
    expect(removed.minTime! - from!).toBeLessThan(60_000);
    expect(to).toBeGreaterThanOrEqual(removed.maxTime!);
    expect(to! - removed.maxTime!).toBeLessThan(60_000);
    expect(cut.ok).toBe(true); // a warning
  });

  it('--max-gap: a hole up to it is not reported', async () => {
    expect(gaps(await run(fixturePath('snapshot-full.tgz'), { maxGap: 3 * 3600e3 }))).toEqual([]);
    expect(gaps(await run(withoutBlock(MIDDLE), { maxGap: 7 * 3600e3 }))).toEqual([]);
    expect(gaps(await run(withoutBlock(MIDDLE), { maxGap: 6 * 3600e3 }))).toHaveLength(1);
  });

  it('--expect-range fails on a snapshot shorter than asked and passes on one long enough', async () => {
    // 1795261080000 to the newest sample at 1795358425148: 27h2m25.148s.
    const short = await run(fixturePath('snapshot-full.tgz'), { expectRange: 27 * 3600e3 + 2 * 60e3 + 25_149 });
    expect(short.ok).toBe(false);
    expect(short.findings.filter((f) => f.code === 'coverage-short')).toHaveLength(1);
    const enough = await run(fixturePath('snapshot-full.tgz'), { expectRange: 27 * 3600e3 + 2 * 60e3 + 25_148 });
    expect(enough.findings.filter((f) => f.code === 'coverage-short')).toEqual([]);
    expect(enough.ok).toBe(true);
  });

  it('--expect-head passes where the snapshot API wrote the head, or a data dir has a WAL head, and fails without', async () => {
    for (const f of ['snapshot-full.tgz', 'p35-snapshot.tgz', 'datadir-live.tgz', 'p35-datadir.tgz']) {
      const r = await run(fixturePath(f), { expectHead: true });
      expect(r.findings.filter((x) => x.code === 'coverage-no-head'), f).toEqual([]);
    }
    const skip = await run(withoutBlock(HEAD), { expectHead: true });
    expect(skip.findings.filter((x) => x.code === 'coverage-no-head')).toHaveLength(1);
    expect(skip.ok).toBe(false);
  });
});
