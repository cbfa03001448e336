// Cases for the head codes: the WAL, its checkpoint and chunks_head/ of a
// data dir. Each input is a tar of a data dir `data/` holding only what the
// case needs (no blocks: a fresh server's data dir is just its head), built
// with the WAL and head chunk writers. The snapshot is the data dir's name.

import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Member } from '../../fuzz/tarball.js';
import { encodeExemplars, encodeSamples, encodeSeries, f64bits, WalWriter, writeHeadChunkFile, writeWal, type TestHeadChunk } from '../../helpers/walWriter.js';
import { encodeXOR } from '../../helpers/xorEncoder.js';
import { archiveOf, type CaseInput, type CodeCase } from '../case.js';

const DIR = 'data';
type File = { name: string; bytes: Uint8Array };

/** A tar of `data/` holding `files` (paths relative to the data dir), with its dirs. */
function dataDir(files: readonly File[]): CaseInput {
  const dirs = new Set<string>([`${DIR}/`]);
  for (const f of files) {
    const parts = f.name.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${DIR}/${parts.slice(0, i).join('/')}/`);
  }
  const members: Member[] = [...[...dirs].sort().map((name) => ({ name })), ...files.map((f) => ({ name: `${DIR}/${f.name}`, data: f.bytes }))];
  return archiveOf(members);
}

const T0 = 1_700_000_000_000;
const SERIES = encodeSeries([{ ref: 1, labels: ['__name__', 'up'] }]);
const sample = (t: number, ref = 1) => encodeSamples([{ ref, t: T0 + t, v: 1 }]);
/** Ref 1 named `up`, then `down`. */
const reused = () => writeWal([SERIES, sample(0), encodeSeries([{ ref: 1, labels: ['__name__', 'down'] }]), sample(1000)]);
/** One series and two samples: the smallest WAL with data. */
const wal = () => writeWal([SERIES, sample(0), sample(1000)]);

const xor = (...ts: number[]) => encodeXOR(ts.map((t) => T0 + t), ts.map(() => f64bits(1)));
const chunk = (minTime: number, maxTime: number, o: Partial<TestHeadChunk> = {}): TestHeadChunk => ({ seriesRef: 1, minTime: T0 + minTime, maxTime: T0 + maxTime, encoding: 1, data: xor(minTime, maxTime), ...o });
const headFile = (name: string, chunks: TestHeadChunk[]) => ({ name: `chunks_head/${name}`, ...writeHeadChunkFile(chunks, { preallocate: 1024 }) });

/** Errors in the head make the data dir's head not ok. */
const headNotOk: CodeCase['check'] = (r) => expect(r.snapshots.find((s) => s.name === DIR)?.head?.ok).toBe(false);

const corruptAt = (bytes: Uint8Array, at: number) => {
  const b = Uint8Array.from(bytes);
  b[at]! ^= 0xff;
  return b;
};

export const cases: CodeCase[] = [
  {
    code: 'wal-unreadable',
    what: 'wal is a file, not a directory',
    build: () => dataDir([{ name: 'wal', bytes: new Uint8Array([1]) }]),
    expect: { severity: 'error', snapshot: DIR, block: null, file: 'wal', offset: null },
    check: headNotOk,
  },
  {
    code: 'wal-unreadable',
    what: 'wal is a file in a data dir on disk',
    build: (work) => {
      const dir = path.join(work, DIR);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'wal'), 'x');
      return { dir };
    },
    expect: { severity: 'error', snapshot: DIR, file: 'wal', offset: null },
  },
  {
    code: 'wal-segment-missing',
    what: 'segments 00000000 and 00000002, no 00000001',
    build: () => {
      const w = new WalWriter();
      w.log(SERIES);
      w.nextSegment();
      w.log(sample(0));
      w.nextSegment();
      w.log(sample(1000));
      const [s0, , s2] = w.segments();
      return dataDir([s0!, s2!]);
    },
    expect: { severity: 'error', snapshot: DIR, file: 'wal/00000002', offset: null },
    check: headNotOk,
  },
  {
    code: 'wal-segment-missing',
    what: 'a checkpoint with segments 00000000 and 00000002',
    build: () => {
      const w = new WalWriter({ dir: 'wal/checkpoint.00000003' });
      w.log(SERIES);
      w.nextSegment();
      w.log(sample(0));
      w.nextSegment();
      w.log(sample(1000));
      const [c0, , c2] = w.segments();
      return dataDir([c0!, c2!, ...writeWal([sample(2000)], { firstIndex: 4 }).segments]);
    },
    expect: { severity: 'error', snapshot: DIR, file: 'wal/checkpoint.00000003/00000002', offset: null },
  },
  {
    code: 'wal-corrupt',
    what: 'a CRC32C mismatch in a record that more records follow',
    build: () => {
      const { segments, written } = wal();
      const at = written[1]!.offset;
      return dataDir([{ name: segments[0]!.name, bytes: corruptAt(segments[0]!.bytes, at + 7) }]);
    },
    expect: { severity: 'error', snapshot: DIR, file: 'wal/00000000', offset: wal().written[1]!.offset },
    check: headNotOk,
  },
  {
    code: 'wal-torn-tail',
    what: 'the last segment ends inside its last record',
    build: () => {
      const { segments } = wal();
      const s = segments[0]!;
      return dataDir([{ name: s.name, bytes: s.bytes.subarray(0, s.bytes.length - 3) }]);
    },
    expect: { severity: 'warning', snapshot: DIR, file: 'wal/00000000', offset: wal().written[2]!.offset },
  },
  {
    code: 'wal-series-ref-reused',
    what: 'a second series record gives ref 1 to other labels',
    build: () => dataDir(reused().segments),
    expect: { severity: 'error', snapshot: DIR, file: 'wal/00000000', offset: reused().written[2]!.offset },
    check: (r) => expect(r.snapshots.find((s) => s.name === DIR)?.head?.numSeries).toBe(0),
  },
  {
    code: 'wal-unknown-ref',
    what: 'samples and exemplars for ref 7, which no series record defines',
    build: () => dataDir(writeWal([SERIES, sample(0), sample(1000, 7), encodeExemplars([{ ref: 7, t: T0, v: 1, labels: ['trace_id', 'a'] }])]).segments),
    expect: { severity: 'warning', snapshot: DIR, file: 'wal/00000000', offset: wal().written[2]!.offset },
    check: (_, f) => expect(f.message).toContain('samples=1 exemplars=1'),
  },
  {
    code: 'checkpoint-corrupt',
    what: 'a CRC32C mismatch in the checkpoint',
    build: () => {
      const cp = writeWal([SERIES], { dir: 'wal/checkpoint.00000000' }).segments[0]!;
      return dataDir([{ name: cp.name, bytes: corruptAt(cp.bytes, 7) }, ...writeWal([sample(0)], { firstIndex: 1 }).segments]);
    },
    expect: { severity: 'error', snapshot: DIR, file: 'wal/checkpoint.00000000/00000000', offset: 0 },
    check: headNotOk,
  },
  {
    code: 'head-chunks-missing',
    what: 'chunks_head/000001 and 000003, no 000002',
    build: () => dataDir([headFile('000001', [chunk(0, 1000)]), headFile('000003', [chunk(2000, 3000)]), ...wal().segments]),
    expect: { severity: 'error', snapshot: DIR, file: 'chunks_head/000003', offset: null },
    check: headNotOk,
  },
  {
    code: 'head-chunks-out-of-sequence',
    what: 'a chunk that overlaps the previous chunk of its series',
    build: () => dataDir([headFile('000001', [chunk(0, 2000), chunk(1000, 3000)]), ...wal().segments]),
    expect: { severity: 'error', snapshot: DIR, file: 'chunks_head/000001', offset: headFile('000001', [chunk(0, 2000), chunk(1000, 3000)]).offsets[1]! },
    check: headNotOk,
  },
  {
    code: 'head-chunks-unreadable',
    what: 'chunks_head is a file, not a directory',
    build: () => dataDir([{ name: 'chunks_head', bytes: new Uint8Array([1]) }, ...wal().segments]),
    expect: { severity: 'error', snapshot: DIR, file: 'chunks_head', offset: null },
    check: headNotOk,
  },
  {
    code: 'head-chunks-corrupt',
    what: 'a CRC32C mismatch in a chunk of a file that another follows',
    build: () => {
      const f1 = headFile('000001', [chunk(0, 1000)]);
      return dataDir([{ name: f1.name, bytes: corruptAt(f1.bytes, f1.offsets[0]! + 30) }, headFile('000002', [chunk(2000, 3000)]), ...wal().segments]);
    },
    expect: { severity: 'error', snapshot: DIR, file: 'chunks_head/000001', offset: 8 },
    check: headNotOk,
  },
  {
    code: 'head-chunks-torn-tail',
    what: 'the last file ends inside its last chunk',
    build: () => {
      const f = writeHeadChunkFile([chunk(0, 1000), chunk(2000, 3000)]);
      return dataDir([{ name: 'chunks_head/000001', bytes: f.bytes.subarray(0, f.bytes.length - 5) }, ...wal().segments]);
    },
    expect: { severity: 'warning', snapshot: DIR, file: 'chunks_head/000001', offset: writeHeadChunkFile([chunk(0, 1000), chunk(2000, 3000)]).offsets[1]! },
  },
  {
    code: 'head-chunks-encoding',
    what: 'a chunk with encoding 9',
    build: () => dataDir([headFile('000001', [chunk(0, 1000), chunk(2000, 3000, { encoding: 9 })]), ...wal().segments]),
    expect: { severity: 'warning', snapshot: DIR, file: 'chunks_head/000001', offset: headFile('000001', [chunk(0, 1000), chunk(2000, 3000, { encoding: 9 })]).offsets[1]! },
  },
];
