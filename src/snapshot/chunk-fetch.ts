// Fetch the chunk records a query reads (the dry run's `wanted`) into their
// segments: from bytes held on the way (stdin), or by reading the archive
// file again, member by member, until every wanted record is cut. A gzip
// file is inflated again from its start (gzip has no random access); the
// pass stops after the last member it needs.

import * as fs from 'node:fs';
import { RecordCutter } from './chunk-cut.js';
import type { ArchiveBlockSource, SegmentMember } from './archive-source.js';
import { heldChunks, type Holder } from './hold.js';
import { readArchive } from './stream.js';

export async function fetchRecords(
  sources: readonly ArchiveBlockSource[],
  file: { path: string; size: number } | undefined,
  holder: Holder,
  onProgress?: (bytesIn: number, total: number | undefined) => void,
): Promise<void> {
  const again = new Map<number, SegmentMember>();
  const seen = new Set<SegmentMember>();
  for (const src of sources) {
    for (const s of src.segments()) {
      if (seen.has(s)) continue; // a hard link shares its target's segment
      seen.add(s);
      if (s.cut || !s.wanted?.size) {
        if (s.held) holder.release(s.held);
        s.held = undefined;
        continue;
      }
      if (s.held) {
        const cutter = new RecordCutter(s.wanted, s.size);
        for (const b of heldChunks(s.held)) {
          cutter.push(b);
          if (cutter.done) break;
        }
        s.cut = cutter.finish();
        holder.release(s.held);
        s.held = undefined;
      } else again.set(s.ordinal, s);
    }
  }
  if (again.size === 0 || !file) return;
  let ordinal = 0;
  await readArchive(
    fs.createReadStream(file.path, { highWaterMark: 1 << 20 }),
    async (e) => {
      const s = again.get(++ordinal);
      if (!s) return;
      const cutter = new RecordCutter(s.wanted!, s.size);
      for await (const b of e.stream) {
        cutter.push(b as Buffer);
        if (cutter.done) break;
      }
      s.cut = cutter.finish();
      again.delete(ordinal);
    },
    { hardLinks: true, file, onProgress: onProgress ? (n) => onProgress(n, file.size) : undefined, stop: () => again.size === 0 },
  );
}
