// Cases for the chunk codes: the first block's chunks/000001 changed in place,
// or a chunk record appended after its last chunk (so that every chunk the
// index refers to stays where it is), and blocks-overlap from two metas.

import { decodeChunk } from '../../../src/chunkenc/chunk.js';
import { readChunkRecord } from '../../../src/chunks/segment.js';
import { Code } from '../../../src/encoding/finding-codes.js';
import { encodeXOR } from '../../helpers/xorEncoder.js';
import { appendToSegment, chunkRecord, editFile, editMeta, realFile, SEG } from '../block-edit.js';
import { archiveOf, realMembers, realPlace, type CodeCase } from '../case.js';
import { BLOCK, SNAPSHOT, segmentedBlock } from '../segments.js';

const { snapshot, block } = realPlace();
const at = realFile(SEG).length;
const here = { snapshot, block, file: SEG };
const XOR = 1;
/** A valid XOR chunk of two samples. */
const twoSamples = () => chunkRecord({ encoding: XOR, data: encodeXOR([1000, 2000], [0n, 0n]) });

/** Three series in segments 000001-000003 with 000002 lost: Prometheus reads 000003 as the second. */
const lost = () => segmentedBlock(3, ['000001', null, '000003']);
const lostHere = { snapshot: SNAPSHOT, block: BLOCK };

/** Offsets of the segment's chunk records, in order. */
function recordOffsets(seg: Uint8Array): number[] {
  const out: number[] = [];
  for (let off = 8; off < seg.length; off = readChunkRecord(seg, off).end) out.push(off);
  return out;
}

export const cases: CodeCase[] = [
  {
    code: Code.ChunkSegmentMagic,
    what: 'a segment whose magic is wrong',
    build: () => archiveOf(editFile(SEG, (d) => ((d[0] ^= 0xff), d))),
    expect: { severity: 'error', ...here, offset: 0 },
  },
  {
    code: Code.ChunkSegmentVersion,
    what: 'a segment of format version 2',
    build: () => archiveOf(editFile(SEG, (d) => ((d[4] = 2), d))),
    expect: { severity: 'error', ...here, offset: 4 },
  },
  {
    code: Code.ChunkSegmentTruncated,
    what: 'a segment that ends inside its last chunk record',
    build: () => archiveOf(appendToSegment(twoSamples().subarray(0, 6)).members),
    expect: { severity: 'error', ...here, offset: at },
  },
  {
    code: Code.ChunkSegmentPadding,
    what: 'non-zero bytes in the segment header\'s padding (Prometheus never reads them)',
    build: () => archiveOf(editFile(SEG, (d) => ((d[6] = 1), d))),
    expect: { severity: 'warning', ...here, offset: 5 },
  },
  {
    code: Code.ChunkSegmentPadding,
    what: 'a non-zero byte after zero padding past the last chunk',
    build: () => archiveOf(appendToSegment(Uint8Array.of(0, 0, 0, 7)).members),
    expect: { severity: 'warning', ...here, offset: at },
  },
  {
    code: Code.ChunkLength,
    what: 'a chunk length of 1 GiB, more than any chunk',
    build: () => archiveOf(appendToSegment(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x04, XOR, 0, 0, 0, 0)).members),
    expect: { severity: 'error', ...here, offset: at },
  },
  {
    code: Code.ChunkCrc,
    what: 'a chunk whose stored CRC32C is wrong',
    build: () => {
      const r = twoSamples();
      r[r.length - 1] ^= 1;
      return archiveOf(appendToSegment(r).members);
    },
    expect: { severity: 'error', ...here, offset: at },
  },
  {
    code: Code.ChunkEncoding,
    what: 'a chunk of encoding 127',
    build: () => archiveOf(appendToSegment(chunkRecord({ encoding: 127, data: encodeXOR([1000], [0n]) })).members),
    expect: { severity: 'error', ...here, offset: at },
  },
  {
    code: Code.ChunkDecode,
    what: 'an XOR chunk that says 5 samples and holds none',
    build: () => archiveOf(appendToSegment(chunkRecord({ encoding: XOR, data: Uint8Array.of(0, 5) })).members),
    expect: { severity: 'error', ...here, offset: at },
  },
  {
    code: Code.ChunkEmpty,
    what: 'an XOR chunk of 0 samples',
    build: () => archiveOf(appendToSegment(chunkRecord({ encoding: XOR, data: Uint8Array.of(0, 0) })).members),
    expect: { severity: 'error', ...here, offset: at },
  },
  {
    code: Code.ChunkTimestamps,
    what: 'an XOR chunk with two samples at one timestamp',
    build: () => archiveOf(appendToSegment(chunkRecord({ encoding: XOR, data: encodeXOR([1000, 1000], [0n, 0n]) })).members),
    expect: { severity: 'error', ...here, offset: at },
  },
  {
    code: Code.ChunkOutsideBlock,
    what: 'meta.json\'s minTime after the first sample of the chunk at offset 8',
    build: () => {
      const r = readChunkRecord(realFile(SEG), 8);
      const d = decodeChunk(r.encoding, r.data);
      const first = d.kind === 'float' ? d.t[0]! : d.samples[0]!.t;
      return archiveOf(editMeta((m) => (m.minTime = first + 1)));
    },
    expect: { severity: 'error', ...here, offset: 8 },
  },
  {
    code: Code.ChunkMissing,
    what: 'a segment cut at the start of its last chunk record (the index still refers to it)',
    build: () => {
      const last = recordOffsets(realFile(SEG)).pop()!;
      return archiveOf(editFile(SEG, (d) => d.subarray(0, last)));
    },
    expect: { severity: 'error', ...here, offset: recordOffsets(realFile(SEG)).pop()! - 1 },
  },
  {
    code: Code.ChunkTimeMismatch,
    what: 'a lost middle segment: the refs into it land on the next file, which Prometheus reads in its place (2.42 and 3.5 serve the third series\' samples as the second\'s)',
    build: () => archiveOf(lost().members),
    expect: { severity: 'error', ...lostHere, file: 'chunks/000003', offset: 8 },
  },
  {
    code: Code.IndexChunkRef,
    what: 'a lost middle segment: the refs into the last position point past the segment files (Prometheus: "segment index 2 out of range")',
    build: () => archiveOf(lost().members),
    expect: { severity: 'error', ...lostHere, file: 'index', offset: lost().seriesAt[2]! },
  },
  {
    code: Code.ChunkUnreferenced,
    what: 'a valid chunk after the last one, which no series refers to',
    build: () => archiveOf(appendToSegment(twoSamples()).members),
    expect: { severity: 'warning', ...here, offset: at },
  },
  {
    code: Code.BlocksOverlap,
    what: 'a block whose minTime goes back into the block before it',
    build: () => {
      const ms = realMembers();
      const metas = ms.filter((m) => m.name.endsWith('/meta.json')).map((m) => ({ m, meta: JSON.parse(Buffer.from(m.data!).toString('utf8')) }));
      metas.sort((a, b) => a.meta.minTime - b.meta.minTime);
      const [a, b] = metas as [(typeof metas)[0], (typeof metas)[0]];
      b.meta.minTime = a.meta.maxTime - 1;
      b.m.data = Buffer.from(JSON.stringify(b.meta));
      return archiveOf(ms);
    },
    expect: { severity: 'warning', snapshot, block: null, file: null, offset: null },
  },
];
