// The API-shaped commands as a user runs them: tables for people, exit
// code 2 and one line naming the position for bad selectors and times.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { promtoolDump } from '../helpers/answers.js';
import { fixturePath } from '../helpers/prometheus.js';

const FULL = fixturePath('snapshot-full.tgz');

describe('usage errors exit 2 with one line', () => {
  const cases: [string, string[], RegExp][] = [
    ['a bad selector', ['series', FULL, '--match', '{job=}'], /invalid selector "\{job=\}": 1:6: parse error: unexpected "\}"/],
    ['a bad regex', ['labels', FULL, '--match', '{job=~"("}'], /1:2: parse error: invalid regular expression/],
    ['an empty selector', ['series', FULL, '--match', '{job=""}'], /at least one non-empty matcher/],
    ['no --match for series', ['series', FULL], /at least one --match/],
    ['a bad --start', ['series', FULL, '--match', 'up', '--start', 'yesterday'], /invalid time value for 'start'/],
    ['a bad --end', ['labels', FULL, '--end', '2026-02-30T00:00:00Z'], /invalid time value for 'end'/],
    ['a bad label name', ['label-values', FULL, 'not-a-label'], /invalid label name/],
    ['two selectors for dump', ['dump', FULL, '--match', 'up', '--match', 'node_load1'], /one --match/],
    ['an empty selector for dump --format json', ['dump', FULL, '--match', '{a=""}', '--format', 'json'], /non-empty matcher/],
    ['an unknown block', ['analyze', FULL, '--block', '01ZZZZZZZZZZZZZZZZZZZZZZZZ'], /block 01Z+ not found/],
  ];
  it.each(cases)('%s', async (_, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});

describe('tables', () => {
  it('series lists metric and labels', async () => {
    const r = await runCli(['series', FULL, '--match', 'node_load1', '--match', '{room=~".+"}']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('│') && !l.includes('METRIC'));
    expect(rows.map((l) => l.split('│').map((c) => c.trim()).filter(Boolean))).toEqual([
      ['node_load1', '{instance="node-1:9100", job="node"}'],
      ['node_load1', '{instance="node-2:9100", job="node"}'],
      ['room_temperature_celsius', '{room="kitchen"}'],
    ]);
  });

  it('labels and label-values list one per row', async () => {
    const l = await runCli(['labels', FULL, '--match', '{room=~".+"}']);
    expect(l.stdout).toMatch(/LABEL NAME/);
    expect(l.stdout.split('\n').filter((x) => x.startsWith('│ ')).map((x) => x.slice(1, -1).trim())).toEqual(['LABEL NAME', '__name__', 'room']);
    const v = await runCli(['label-values', FULL, 'room']);
    expect(v.stdout.split('\n').filter((x) => x.startsWith('│ ')).map((x) => x.slice(1, -1).trim())).toEqual(['room', 'kitchen', 'lab']);
  });
});

describe('dump reads --match as promtool does', () => {
  it('a selector of empty matchers only selects the series that lack the label (promtool accepts it)', async () => {
    const opts = { match: '{nonexistent=""}', minTime: '1795358400000' };
    const want = promtoolDump('snapshot-full.tgz', opts);
    const r = await runCli(['dump', FULL, '--match', opts.match, '--min-time', opts.minTime]);
    expect(r.code).toBe(0);
    const floats = r.stdout
      .split('\n')
      .filter((x) => !x.includes('} {count:'))
      .join('\n');
    expect(want.length).toBeGreaterThan(100);
    expect(floats).toBe(want);
  });

  it('{} selects nothing, as in promtool', async () => {
    expect(promtoolDump('snapshot-full.tgz', { match: '{}' })).toBe('');
    const r = await runCli(['dump', FULL, '--match', '{}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });
});
