// TEST ONLY. Edits of the real fixture's first block for the chunks,
// tombstones and layout cases: one file changed, a chunk record appended,
// meta.json rewritten, or the members written out as a directory.

import fs from 'node:fs';
import path from 'node:path';
import type { Member } from '../fuzz/tarball.js';
import { writeSegment, type TestChunk } from '../helpers/segmentWriter.js';
import { realMembers, realPlace, type CaseInput } from './case.js';

export const SEG = 'chunks/000001';

/** The real members with the first block's file `rel` replaced by `edit(data)`. */
export function editFile(rel: string, edit: (data: Uint8Array) => Uint8Array, members: Member[] = realMembers()): Member[] {
  const name = realPlace(members).prefix + rel;
  const m = members.find((x) => x.name === name);
  if (!m?.data) throw new Error(`no member ${name}`);
  m.data = edit(Uint8Array.from(m.data));
  return members;
}

/** The first block's file `rel` as it is in the fixture. */
export function realFile(rel: string): Uint8Array {
  const ms = realMembers();
  return ms.find((x) => x.name === realPlace(ms).prefix + rel)!.data!;
}

/** One chunk record (length, encoding, data, CRC32C), as a segment holds it. */
export function chunkRecord(c: TestChunk): Uint8Array {
  return writeSegment([c]).bytes.subarray(8);
}

/** `tail` after the bytes of `data`. */
export function concat(data: Uint8Array, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + tail.length);
  out.set(data);
  out.set(tail, data.length);
  return out;
}

/** The real members with `tail` appended to the first block's chunks/000001; `at` is where it starts. */
export function appendToSegment(tail: Uint8Array): { members: Member[]; at: number } {
  const at = realFile(SEG).length;
  return { members: editFile(SEG, (d) => concat(d, tail)), at };
}

/** The real members with the first block's meta.json changed by `edit`. */
export function editMeta(edit: (meta: Record<string, any>) => void, members: Member[] = realMembers()): Member[] {
  return editFile('meta.json', (d) => {
    const meta = JSON.parse(Buffer.from(d).toString('utf8'));
    edit(meta);
    return Buffer.from(JSON.stringify(meta, null, '\t'));
  }, members);
}

/** `members` written under `work` (an extracted archive root) as case input. */
export function dirOf(members: readonly Member[], work: string): CaseInput {
  for (const m of members) {
    const p = path.join(work, m.name);
    if (m.name.endsWith('/')) fs.mkdirSync(p, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, m.data ?? new Uint8Array(0));
    }
  }
  return { dir: work };
}
