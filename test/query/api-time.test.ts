// --start/--end as Prometheus's API reads `start` and `end` (api.go parseTime).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatApiTimestamp } from '../../src/query/api-json.js';
import { API_MAX_TIME, API_MIN_TIME, parseApiTime } from '../../src/query/api-time.js';

describe('parseApiTime', () => {
  it('reads unix seconds, rounding to milliseconds as Go does', () => {
    expect(parseApiTime('1795300000')).toBe(1795300000000);
    expect(parseApiTime('1795300000.5')).toBe(1795300000500);
    expect(parseApiTime('1795300740.001')).toBe(1795300740001);
    expect(parseApiTime('1795300740.0004')).toBe(1795300740000);
    expect(parseApiTime('0.0005')).toBe(1); // math.Round: half away from zero
    expect(parseApiTime('-0.0005')).toBe(-1);
    expect(parseApiTime('-1.5')).toBe(-1500);
    expect(parseApiTime('1e9')).toBe(1e12);
    expect(parseApiTime('.25')).toBe(250);
    expect(parseApiTime('+3.')).toBe(3000);
    expect(parseApiTime('0.9999')).toBe(1000);
  });

  it('reads RFC 3339 with optional fractions and offsets', () => {
    expect(parseApiTime('2026-11-21T17:43:20Z')).toBe(1795283000000);
    expect(parseApiTime('2026-11-21T23:26:40.250+01:00')).toBe(1795300000250);
    expect(parseApiTime('2026-11-21T17:43:20.123456789Z')).toBe(1795283000123);
    expect(parseApiTime('2026-11-21T17:43:20,5Z')).toBe(1795283000500);
    expect(parseApiTime('1970-01-01T00:00:00-00:30')).toBe(1800000);
    expect(parseApiTime('1969-12-31T23:59:59.999Z')).toBe(-1);
    expect(parseApiTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseApiTime('0001-01-01T00:00:00Z')).toBe(-62135596800000);
  });

  it('reads back the API default boundaries', () => {
    expect(parseApiTime('-292273086-05-16T16:47:06Z')).toBe(API_MIN_TIME);
    expect(parseApiTime('292277025-08-18T07:12:54.999999999Z')).toBe(API_MAX_TIME);
    expect(API_MIN_TIME).toBeLessThan(-9e18);
    expect(API_MAX_TIME).toBeGreaterThan(9e18);
  });

  it('rejects what Go rejects', () => {
    for (const s of ['', 'now', '2026-13-01T00:00:00Z', '2023-02-29T00:00:00Z', '2026-11-21 17:43:20Z', '2026-11-21T17:43:20', '2026-11-21t17:43:20z', '2026-11-21T24:00:00Z', '2026-11-21T17:43:60Z', '1_000', ' 1', 'NaN', 'Inf', '5m']) {
      expect(() => parseApiTime(s, 'start'), s).toThrow(/invalid time value for 'start'/);
    }
  });

  it('round-trips what the API writes, and what Date writes', () => {
    fc.assert(fc.property(fc.integer({ min: -1e13, max: 1e13 }), (t) => parseApiTime(formatApiTimestamp(t)) === t));
    fc.assert(fc.property(fc.integer({ min: -6e13, max: 2.5e14 }), (t) => parseApiTime(new Date(t).toISOString()) === t));
  });
});
