// Untrusted counts never size an allocation beyond the bytes present: an
// index whose CRCs are resealed around a count of 2^31 (#symbols, #entries of
// every table and list), a series claiming 2^40 labels or chunks, uvarints
// that overflow 64 bits, a chunk record claiming 2^62 bytes. Each must be an
// error finding on its file, found in milliseconds, with no internal error
// (a RangeError from a giant allocation would show up as one) and no memory
// growth to speak of.

import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/encoding/crc32c.js';
import { ByteWriter, crcUvarintSection, writeBe32 } from '../helpers/bytes.js';
import { writeIndex, resealIndex } from '../helpers/indexWriter.js';
import { SMALL_SERIES } from '../helpers/indexArbitraries.js';
import { writeSegment } from '../helpers/segmentWriter.js';
import { writeTombstones } from '../helpers/tombstonesWriter.js';
import { buildTar, summarize, verifyBuffer } from '../fuzz/tarball.js';

const SNAP = 'snapshots/20261122T144025Z-2939a76ec4c5dbb6';
const ULID = '01M81V437311AY8K10ZBCVFY88';
const META = JSON.stringify({ ulid: ULID, minTime: -100, maxTime: 10_000, version: 1, stats: {} });
const OVERFLOW = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];

async function check(files: { index?: Uint8Array; chunks?: Uint8Array; tombstones?: Uint8Array }, file: string, message: RegExp): Promise<void> {
  const w = writeIndex(SMALL_SERIES);
  const tar = buildTar([
    { name: `${SNAP}/${ULID}/meta.json`, data: Buffer.from(META) },
    { name: `${SNAP}/${ULID}/index`, data: files.index ?? w.bytes },
    { name: `${SNAP}/${ULID}/chunks/000001`, data: files.chunks ?? writeSegment([]).bytes },
    { name: `${SNAP}/${ULID}/tombstones`, data: files.tombstones ?? writeTombstones([]) },
  ]).tar;
  const before = process.memoryUsage();
  const r = await verifyBuffer(tar);
  const after = process.memoryUsage();
  expect(r.cpuMs).toBeLessThan(2000);
  expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 << 20);
  expect(r.json.findings.some((f) => f.code === 'internal-error'), summarize(r)).toBe(false);
  const hit = r.json.findings.find((f) => f.severity === 'error' && f.block === ULID && f.file === file && message.test(f.message));
  expect(hit, `${file} ${message}: ${summarize(r)}`).toBeDefined();
}

/** The index with a be32 count at `at` replaced, CRCs resealed. */
function withCount(at: (w: ReturnType<typeof writeIndex>) => number, v = 2 ** 31): Uint8Array {
  const w = writeIndex(SMALL_SERIES);
  const b = w.bytes.slice();
  writeBe32(b, at(w), v);
  return resealIndex(b, w.sections);
}

/** The index with its first series entry replaced by `content` (zero-filled to the old length). */
function withSeries(content: ByteWriter): Uint8Array {
  const w = writeIndex(SMALL_SERIES);
  const b = w.bytes.slice();
  const off = w.series[0]!.offset;
  const next = w.series[1]!.offset;
  const entry = crcUvarintSection(content);
  expect(entry.length).toBeLessThanOrEqual(next - off);
  b.fill(0, off, next);
  b.set(entry, off);
  return b;
}

describe('index counts', () => {
  it('#symbols of 2^31', () => check({ index: withCount((w) => w.toc.symbols + 4) }, 'index', /#symbols 2147483648 exceeds/));
  it('#entries of 2^31 in the postings offset table', () => check({ index: withCount((w) => w.toc.postingsTable + 4) }, 'index', /#entries 2147483648 exceeds/));
  it('#entries of 2^31 in the label offset table', () => check({ index: withCount((w) => w.toc.labelIndicesTable + 4) }, 'index', /#entries 2147483648 exceeds/));
  it('#entries of 2^31 in a postings list', () =>
    check({ index: withCount((w) => w.sections.find((s) => s.kind === 'postings')!.contentStart) }, 'index', /#entries 2147483648 does not match/));
  it('#entries of 2^31 in a label index', () =>
    check({ index: withCount((w) => w.sections.find((s) => s.kind === 'labelIndex')!.contentStart + 4) }, 'index', /#entries 2147483648 does not match/));
  it('a series with 2^40 labels', () => check({ index: withSeries(new ByteWriter().uvarint(2 ** 40).uvarint(0).uvarint(1)) }, 'index', /labels count 1099511627776 exceeds/));
  it('a series with 2^40 chunks', () => check({ index: withSeries(new ByteWriter().uvarint(1).uvarint(0).uvarint(1).uvarint(2 ** 40)) }, 'index', /chunks count 1099511627776 exceeds/));
  it('a series whose label count overflows 64 bits', () => check({ index: withSeries(new ByteWriter().raw(OVERFLOW)) }, 'index', /overflows 64 bits/));
});

describe('chunk segment lengths', () => {
  const segment = (len: number[] | ByteWriter) => {
    const w = new ByteWriter().be32(0x85bd40dd).byte(1).raw([0, 0, 0]);
    return (Array.isArray(len) ? w.raw(len) : w.raw(len.bytes())).raw(new Array(64).fill(7)).bytes();
  };
  it('a record claiming 2^62 bytes', () => check({ chunks: segment(new ByteWriter().uvarint(2n ** 62n)) }, 'chunks/000001', /data length \d+ exceeds 16777216 bytes/));
  it('a record just over the 16 MiB a chunk can be', () => check({ chunks: segment(new ByteWriter().uvarint(16 * 2 ** 20 + 1)) }, 'chunks/000001', /exceeds 16777216 bytes/));
  it('a record length that overflows 64 bits', () => check({ chunks: segment(OVERFLOW) }, 'chunks/000001', /longer than 10 bytes|exceeds/));
  it('a histogram chunk claiming 2^31 spans', () => {
    // Encoding 2 (histogram): count 1, flags, zero threshold 0, schema 0, then a varbit_uint of 2^31 spans.
    const data = Uint8Array.of(0, 1, 0, 0, 0b1111_1110, 0x80, 0, 0, 0, 0, 0, 0, 0);
    const body = Uint8Array.of(2, ...data);
    const w = new ByteWriter().be32(0x85bd40dd).byte(1).raw([0, 0, 0]).uvarint(data.length).raw(body).be32(crc32c(body));
    return check({ chunks: w.bytes() }, 'chunks/000001', /samples do not decode/);
  });
});

describe('tombstones', () => {
  it('a series ref that overflows 64 bits', () => {
    const body = Uint8Array.from([...OVERFLOW, 0, 0]);
    const t = new ByteWriter().be32(0x0130ba30).byte(1).raw(body).be32(crc32c(body)).bytes();
    return check({ tombstones: t }, 'tombstones', /overflows 64 bits/);
  });
});
