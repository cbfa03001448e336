// Indexes Prometheus writes that the index checks must pass without a finding:
// label values that are not valid UTF-8, ordered by their bytes as Go orders
// strings; and the layout of Prometheus 3.7 and later, which writes no label
// indices and points the TOC's label offset table at the postings offset table.

import { describe, expect, it } from 'vitest';
import { writeIndex, resealIndex, type TestSeries, type WrittenIndex } from '../helpers/indexWriter.js';
import { writeSegment } from '../helpers/segmentWriter.js';
import { writeTombstones } from '../helpers/tombstonesWriter.js';
import { buildTar, verifyBuffer } from '../fuzz/tarball.js';

const SNAP = 'snapshots/20261122T144025Z-2939a76ec4c5dbb6';
const ULID = '01M81V437311AY8K10ZBCVFY88';

async function indexFindings(index: Uint8Array, numSeries: number): Promise<unknown[]> {
  const meta = JSON.stringify({ ulid: ULID, minTime: 0, maxTime: 1000, version: 1, stats: { numSeries } });
  const r = await verifyBuffer(
    buildTar([
      { name: `${SNAP}/${ULID}/meta.json`, data: Buffer.from(meta) },
      { name: `${SNAP}/${ULID}/index`, data: index },
      { name: `${SNAP}/${ULID}/chunks/000001`, data: writeSegment([]).bytes },
      { name: `${SNAP}/${ULID}/tombstones`, data: writeTombstones([]) },
    ]).tar,
  );
  return r.json.findings.filter((f) => f.file === 'index').map((f) => [f.code, f.offset, f.message]);
}

/** Every occurrence of the UTF-8 bytes of U+FFFF (EF BF BF) made FF 41 41: not UTF-8, and still after EF BF BE, as the writer sorted it. */
function notUtf8(w: WrittenIndex): Uint8Array {
  const b = w.bytes.slice();
  let n = 0;
  for (let i = 0; i + 2 < b.length; i++) {
    if (b[i] === 0xef && b[i + 1] === 0xbf && b[i + 2] === 0xbf) {
      b.set([0xff, 0x41, 0x41], i);
      n++;
    }
  }
  expect(n).toBeGreaterThan(3); // symbol table, postings offset table, label offset table
  return resealIndex(b, w.sections);
}

describe('index checks pass what Prometheus writes', () => {
  it('orders label names and values that are not UTF-8 by their bytes, not after decoding to U+FFFD', async () => {
    // Decoded, FF 41 41 is "\uFFFDAA", which sorts before "\uFFFE" (EF BF BE); its bytes sort after.
    const series: TestSeries[] = [
      { labels: [['a', '\uFFFE']], chunks: [] },
      { labels: [['a', '\uFFFF'], ['\uFFFE', '1'], ['\uFFFF', '1']], chunks: [] },
    ];
    const w = writeIndex(series);
    expect(await indexFindings(w.bytes, 2)).toEqual([]);
    expect(await indexFindings(notUtf8(w), 2)).toEqual([]);
  });

  it('reads an index without label indices (Prometheus 3.7 and later)', async () => {
    const w = writeIndex([{ labels: [['a', '1']], chunks: [] }, { labels: [['a', '2']], chunks: [] }], { labelIndices: false });
    expect(w.toc.labelIndicesTable).toBe(w.toc.postingsTable);
    expect(await indexFindings(w.bytes, 2)).toEqual([]);
  });
});
