// Times on the command line: RFC 3339, unix seconds or milliseconds, and
// relative to now; a warning when the unit looks wrong; `--start -1h`.

import { describe, expect, it } from 'vitest';
import { durationMs, joinTimeValues, parseTimeArg } from '../../src/cli/time-args.js';
import { parseApiTime } from '../../src/query/api-time.js';

const NOW = 1_800_000_000_000;

describe('parseTimeArg', () => {
  it('reads times relative to now', () => {
    expect(parseTimeArg('start', 'now', 's', NOW)).toEqual({ ms: NOW });
    expect(parseTimeArg('start', 'now-1h', 's', NOW)).toEqual({ ms: NOW - 3_600_000 });
    expect(parseTimeArg('start', '-24h', 's', NOW)).toEqual({ ms: NOW - 86_400_000 });
    expect(parseTimeArg('end', 'now+1h30m', 'ms', NOW)).toEqual({ ms: NOW + 5_400_000 });
    expect(parseTimeArg('min-time', '-90s', 'ms', NOW)).toEqual({ ms: NOW - 90_000 });
    expect(durationMs('1w2d100ms')).toBe(9 * 86_400_000 + 100);
  });

  it('reads seconds as the API does, and milliseconds as promtool does', () => {
    for (const v of ['1700000000', '1700000000.5', '2023-11-14T22:13:20Z', '2023-11-14T23:13:20.123+01:00']) {
      expect(parseTimeArg('start', v, 's', NOW).ms, v).toBe(parseApiTime(v));
    }
    expect(parseTimeArg('min-time', '1700000000123', 'ms', NOW)).toEqual({ ms: 1700000000123 });
    expect(parseTimeArg('min-time', '-5', 'ms', NOW)).toEqual({ ms: -5 });
    expect(parseTimeArg('min-time', '2023-11-14T22:13:20Z', 'ms', NOW).ms).toBe(1_700_000_000_000);
  });

  it('warns when seconds look like milliseconds and the reverse', () => {
    expect(parseTimeArg('start', '1795356746936', 's', NOW).warning).toMatch(/--start 1795356746936 is read as seconds .*did you mean milliseconds \(2026-11-22T14:12:26\.936Z\)/);
    expect(parseTimeArg('max-time', '1795356746', 'ms', NOW).warning).toMatch(/read as milliseconds .*did you mean seconds \(2026-11-22T14:12:26\.000Z\)/);
    expect(parseTimeArg('start', '1795356746', 's', NOW).warning).toBeUndefined();
    expect(parseTimeArg('min-time', '1795356746936', 'ms', NOW).warning).toBeUndefined();
  });

  it('says what it takes when it cannot read a time', () => {
    for (const [v, unit] of [['yesterday', 's'], ['1h', 's'], ['+1h', 'ms'], ['1.5', 'ms'], ['2026-02-30T00:00:00Z', 'ms']] as const) {
      expect(() => parseTimeArg('start', v, unit, NOW), v).toThrow(/invalid time value for 'start': cannot parse .* \(give RFC 3339 .*relative to now like now-1h or -24h\)/);
    }
  });
});

describe('joinTimeValues', () => {
  it('keeps a time option and a value starting with - together', () => {
    expect(joinTimeValues(['series', 'x', '--start', '-1h', '--end', 'now', '--min-time', '-5'])).toEqual(['series', 'x', '--start=-1h', '--end', 'now', '--min-time=-5']);
    expect(joinTimeValues(['dump', 'x', '--match', '-1h'])).toEqual(['dump', 'x', '--match', '-1h']);
    expect(joinTimeValues(['series', 'x', '--start', '--debug'])).toEqual(['series', 'x', '--start', '--debug']);
  });
});
