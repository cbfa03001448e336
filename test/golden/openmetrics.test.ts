// dump --format openmetrics: what newer promtool's `tsdb dump-openmetrics`
// writes (2.42 has no such command, so the reference is its code: float
// samples until a series' first histogram sample, `%g` values, `%.3f`
// seconds, Go-quoted label values, `# EOF`). Checked line by line against
// our promtool-identical text dump, and by a round trip through 2.42's
// `promtool tsdb create-blocks-from openmetrics` (the dump of the blocks it
// made is committed in fixtures/answers/, with the hash of the text it read).

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ROUNDTRIPS } from '../../fixtures/questions.mjs';
import { answer } from '../helpers/answers.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';

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
    for (const [fixture, match] of ROUNDTRIPS as [string, string | undefined][]) {
      const input = fixturePath(fixture);
      const args = match ? ['--match', match] : [];
      const om = await runCli(['dump', input, '--format', 'openmetrics', ...args]);
      const back = answer({ fixture, kind: 'roundtrip', match }) as { inputSha256: string; dump: string };
      // The committed answer is about this very text: when it changes, re-derive (fixtures/derive-answers.mjs).
      expect(createHash('sha256').update(om.stdout).digest('hex'), `${fixture}: the OpenMetrics text promtool read`).toBe(back.inputSha256);
      const orig = await runCli(['dump', input, ...args]);
      expect(back.dump.length).toBeGreaterThan(1000);
      expect(back.dump).toBe(orig.stdout);
    }
  });
});
