// dump --format openmetrics: what newer promtool's `tsdb dump-openmetrics`
// writes (2.42 has no such command, so the reference is its code: float
// samples until a series' first histogram sample, `%g` values, `%.3f`
// seconds, Go-quoted label values, `# EOF`). Checked line by line against
// our promtool-identical text dump, and by a round trip through 2.42's
// `promtool tsdb create-blocks-from openmetrics`.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
});

/** `{a="1", b="2"}` (labels.String) → [name, rest as CondensedString]. */
function splitName(labels: string): [string, string] {
  const m = /^\{__name__="((?:[^"\\]|\\.)*)"(?:, )?/.exec(labels);
  const name = m ? m[1] : '';
  const rest = '{' + labels.slice(m ? m[0].length : 1, -1).replace(/", (?=[A-Za-z_][A-Za-z0-9_]*=")/g, '",') + '}';
  return [name, rest];
}

describe('dump --format openmetrics', () => {
  it('writes every float sample of the text dump, in the same order, and no histogram', async () => {
    const om = await runCli(['dump', fixturePath('snapshot-full.tgz'), '--format', 'openmetrics']);
    const text = await runCli(['dump', fixturePath('snapshot-full.tgz')]);
    expect(om.code).toBe(0);
    const lines = om.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.pop()).toBe('# EOF');
    const want: string[] = [];
    for (const l of text.stdout.split('\n')) {
      if (!l || l.includes('} {count:')) continue;
      const cut = l.lastIndexOf('} ') + 1;
      const [v, ts] = l.slice(cut + 1).split(' ');
      const [name, rest] = splitName(l.slice(0, cut));
      want.push(`${name}${rest} ${v} ${(Number(ts) / 1000).toFixed(3)}`);
    }
    expect(lines).toEqual(want);
    expect(lines.length).toBeGreaterThan(60000);
    expect(lines.some((l) => l.startsWith('test_request_duration_seconds'))).toBe(false);
    // The stale marker ending test_ephemeral_gauge is written as promtool writes it.
    const eph = lines.filter((l) => l.startsWith('test_ephemeral_gauge{'));
    expect(eph).toHaveLength(21);
    expect(eph[20]).toMatch(/^test_ephemeral_gauge\{instance="exporter:9101",job="exporter",phase="early"\} NaN \d+\.\d{3}$/);
    expect(lines).toContain('test_float_value{case="negative_zero",instance="exporter:9101",job="exporter"} -0 1795358336.148');
    expect(lines).toContain('test_float_value{case="big",instance="exporter:9101",job="exporter"} 1e+21 1795358336.148');
  });

  it('round-trips through promtool tsdb create-blocks-from openmetrics', async () => {
    for (const [input, match] of [
      [fixturePath('overlap.tgz'), undefined],
      [fixturePath('snapshot-full.tgz'), '{__name__=~"node_load1|backfill_weird_values|up"}'],
    ] as const) {
      const args = match ? ['--match', match] : [];
      const om = await runCli(['dump', input, '--format', 'openmetrics', ...args]);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-inspect-om-'));
      tmp.push(dir);
      fs.writeFileSync(path.join(dir, 'in.om'), om.stdout);
      const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', path.join(dir, 'in.om'), path.join(dir, 'db')], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const back = await runCli(['dump', path.join(dir, 'db')]);
      const orig = await runCli(['dump', input, ...args]);
      expect(back.stdout.length).toBeGreaterThan(1000);
      expect(back.stdout).toBe(orig.stdout);
    }
  });
});
