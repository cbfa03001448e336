// The out-of-order head: OOO chunks of chunks_head/ and the WBL (wbl/),
// replayed as Prometheus's loadMmappedChunks / loadWBL do (src/wal/ooo-head.ts).

import { describe, expect, it } from 'vitest';
import { replayHead, type DataDirFiles } from '../../src/wal/head.js';
import { OOO_CAP_MAX } from '../../src/wal/ooo-head.js';
import { bitsOf } from '../helpers/histogramEncoder.js';
import { encodeMmapMarkers, encodeSamples, encodeSeries, encodeTombstones, WalWriter, writeHeadChunkFile } from '../helpers/walWriter.js';
import { encodeXOR } from '../helpers/xorEncoder.js';

const A = ['__name__', 'a'];
const xor = (ts: number[], vs: number[]) => encodeXOR(ts, vs.map(bitsOf));

function segs(dir: string, recs: Uint8Array[]): Record<string, Uint8Array> {
  const w = new WalWriter({ dir, snappy: false });
  for (const r of recs) w.log(r);
  return Object.fromEntries(w.segments().map((s) => [s.name, s.bytes]));
}

function replay(map: Record<string, Uint8Array>, minValidTime?: number) {
  const f: DataDirFiles = { paths: Object.keys(map).sort(), read: (p) => map[p] };
  return replayHead(f, minValidTime === undefined ? {} : { minValidTime });
}

function samples(head: ReturnType<typeof replayHead>): [number, number][] {
  const s = [...head.series()][0]!.samples;
  return Array.from({ length: s.n }, (_, i) => [s.t[i]!, s.v[i]!]);
}

describe('out-of-order head', () => {
  const series = encodeSeries([{ ref: 1, labels: A }]);
  const inOrder = segs('wal', [series, encodeSamples([100, 110, 120].map((t) => ({ ref: 1, t, v: t })))]);

  it('merges WBL samples with the in-order ones by time, whatever minValidTime says', () => {
    const wbl = segs('wbl', [encodeSamples([{ ref: 1, t: 50, v: -1 }, { ref: 1, t: 105, v: -2 }]), encodeSamples([{ ref: 1, t: 5, v: -3 }])]);
    const head = replay({ ...inOrder, ...wbl }, 90);
    expect(head.findings).toEqual([]);
    expect(samples(head)).toEqual([[5, -3], [50, -1], [100, 100], [105, -2], [110, 110], [120, 120]]);
    expect(head.stats()).toMatchObject({ numSamples: 3, numOutOfOrderSamples: 3, records: { 'wbl samples': 2 } });
  });

  it('keeps the first of equal timestamps: in-order before OOO, and the OOO head chunk refuses one it holds', () => {
    const wbl = segs('wbl', [encodeSamples([{ ref: 1, t: 110, v: -1 }, { ref: 1, t: 7, v: -2 }, { ref: 1, t: 7, v: -3 }])]);
    expect(samples(replay({ ...inOrder, ...wbl }))).toEqual([[7, -2], [100, 100], [110, 110], [120, 120]]);
  });

  it('an m-map marker for a chunk chunks_head/ holds drops the OOO head chunk; one past its last chunk is ignored', () => {
    const ooo = writeHeadChunkFile([{ seriesRef: 1, minTime: 1, maxTime: 2, encoding: 0x81, data: xor([1, 2], [1, 2]) }]);
    const ref = 2 ** 32 + ooo.offsets[0]!; // file 000001
    const before = encodeSamples([{ ref: 1, t: 1, v: 1 }, { ref: 1, t: 2, v: 2 }]);
    const after = encodeSamples([{ ref: 1, t: 3, v: 3 }]);
    const files = (marker: number) => ({ ...inOrder, 'chunks_head/000001': ooo.bytes, ...segs('wbl', [before, encodeMmapMarkers([{ ref: 1, mmapRef: marker }]), after]) });
    expect(samples(replay(files(ref))).slice(0, 3)).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(replay(files(ref)).stats().numOutOfOrderSamples).toBe(3);
    // A marker for a chunk written after chunks_head/ was copied: the samples stay in the head chunk too.
    expect(replay(files(ref + 1)).stats().numOutOfOrderSamples).toBe(5);
  });

  it('cuts the OOO head chunk when full, so an m-map marker drops only what came after the cut', () => {
    const n = OOO_CAP_MAX + 2;
    const wbl = segs('wbl', [encodeSamples(Array.from({ length: n }, (_, i) => ({ ref: 1, t: i, v: i }))), encodeMmapMarkers([{ ref: 1, mmapRef: 0 }])]);
    const head = replay({ ...inOrder, ...wbl });
    expect(samples(head).map(([t]) => t)).toEqual([...Array.from({ length: OOO_CAP_MAX }, (_, i) => i), 100, 110, 120]);
  });

  it('a series with out-of-order samples only is live; tombstones hide OOO samples too', () => {
    const w = segs('wal', [series, encodeTombstones([{ ref: 1, minTime: 10, maxTime: 20 }])]);
    const wbl = segs('wbl', [encodeSamples([5, 15, 25].map((t) => ({ ref: 1, t, v: t })))]);
    const head = replay({ ...w, ...wbl });
    expect(head.stats()).toMatchObject({ numSeries: 1, numSamples: 0 });
    expect(samples(head)).toEqual([[5, 5], [25, 25]]);
  });

  it('WBL records for unknown series are counted with the WAL unknown refs', () => {
    const wbl = segs('wbl', [encodeSamples([{ ref: 9, t: 5, v: 1 }]), encodeMmapMarkers([{ ref: 8, mmapRef: 0 }])]);
    const f = replay({ ...inOrder, ...wbl }).findings;
    expect(f.map((x) => [x.code, x.file, x.offset])).toEqual([['wal-unknown-ref', 'wbl/00000000', 0]]);
    expect(f[0]!.message).toMatch(/samples=1 mmap_markers=1/);
  });

  it('a corrupt WBL record stops the WBL replay with an error naming the WBL segment', () => {
    const wbl = segs('wbl', [encodeSamples([{ ref: 1, t: 5, v: 1 }]), Uint8Array.of(2, 0, 0)]);
    const head = replay({ ...inOrder, ...wbl });
    expect(head.findings.map((x) => [x.severity, x.code, x.file])).toEqual([['error', 'wal-corrupt', 'wbl/00000000']]);
    expect(head.findings[0]!.message).toMatch(/repairs the WBL/);
    expect(samples(head)[0]).toEqual([5, 1]);
  });
});
