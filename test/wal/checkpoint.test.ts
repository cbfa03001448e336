import { describe, expect, it } from 'vitest';
import { checkpointIndex, planWalReplay } from '../../src/wal/checkpoint.js';

const seg = (i: number) => `wal/${String(i).padStart(8, '0')}`;

describe('WAL replay plan', () => {
  it('parses checkpoint names as Go does, ignoring .tmp dirs', () => {
    expect(checkpointIndex('checkpoint.00000012')).toBe(12);
    expect(checkpointIndex('checkpoint.00000012.tmp')).toBeUndefined();
    expect(checkpointIndex('checkpoint.')).toBeUndefined();
    expect(checkpointIndex('00000012')).toBeUndefined();
  });

  it('without a checkpoint replays every segment in order', () => {
    const plan = planWalReplay([seg(2), seg(0), seg(1), 'lock', 'queries.active', 'chunks_head/000001', 'wal/junk']);
    expect(plan.checkpoint).toBeUndefined();
    expect(plan.runs).toEqual([[{ path: seg(0), index: 0 }, { path: seg(1), index: 1 }, { path: seg(2), index: 2 }]]);
    expect(plan.findings).toEqual([]);
    // Replay may start at any segment when there is no checkpoint.
    expect(planWalReplay([seg(5), seg(6)]).findings).toEqual([]);
  });

  it('takes the last checkpoint and the segments after it', () => {
    const plan = planWalReplay([
      'wal/checkpoint.00000001/00000000',
      'wal/checkpoint.00000004/00000001',
      'wal/checkpoint.00000004/00000000',
      'wal/checkpoint.00000007.tmp/00000000',
      seg(3),
      seg(4),
      seg(5),
      seg(6),
    ]);
    expect(plan.checkpoint).toEqual({
      dir: 'wal/checkpoint.00000004',
      index: 4,
      segments: [
        { path: 'wal/checkpoint.00000004/00000000', index: 0 },
        { path: 'wal/checkpoint.00000004/00000001', index: 1 },
      ],
    });
    expect(plan.skipped.map((s) => s.path)).toEqual([seg(3), seg(4)]);
    expect(plan.runs.map((r) => r.map((s) => s.path))).toEqual([[seg(5), seg(6)]]);
    expect(plan.findings).toEqual([]);
  });

  it('reports missing segments and splits the runs there', () => {
    const plan = planWalReplay(['wal/checkpoint.00000002/00000000', seg(4), seg(5), seg(8)]);
    expect(plan.runs.map((r) => r.map((s) => s.index))).toEqual([[4, 5], [8]]);
    expect(plan.findings.map((f) => [f.severity, f.code, f.file])).toEqual([
      ['error', 'wal-segment-missing', seg(4)],
      ['error', 'wal-segment-missing', seg(8)],
    ]);
    expect(plan.findings[1]!.message).toContain('00000006 … 00000007');
    const cp = planWalReplay(['wal/checkpoint.00000002/00000001']);
    expect(cp.findings.map((f) => f.code)).toEqual([]);
    const cpGap = planWalReplay(['wal/checkpoint.00000002/00000000', 'wal/checkpoint.00000002/00000002']);
    expect(cpGap.findings.map((f) => f.message)).toEqual([expect.stringContaining('checkpoint wal/checkpoint.00000002: segment 00000001 is missing')]);
  });

  it('honours another WAL dir name', () => {
    expect(planWalReplay(['data/wal/00000000'], 'data/wal').runs).toHaveLength(1);
  });
});
