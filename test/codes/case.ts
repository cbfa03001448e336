// TEST ONLY. One case per finding code: the smallest input that makes verify
// report that code, and where the finding must point. Cases live in
// test/codes/cases/<area>.ts (each exports `cases: CodeCase[]`); codes.test.ts
// runs them all and fails when a code in the catalog has no case.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '../../src/encoding/errors.js';
import type { FindingCode, Severity } from '../../src/encoding/finding-codes.js';
import type { Readable } from 'node:stream';
import { verify, verifyStream, type VerifyOptions, type VerifyResult } from '../../src/verify/verify.js';
import { buildTar, loadMembers, verifyBuffer, type Member } from '../fuzz/tarball.js';
import { fixturePath } from '../helpers/prometheus.js';

/**
 * What verify is given: archive bytes (tar or gzip, with verify options such as a lower
 * member limit), a stream (one that fails), or a directory the case builds under `work`.
 */
export type CaseInput = { archive: Uint8Array; name?: string; options?: VerifyOptions } | { stream: Readable } | { dir: string };

export interface CodeCase {
  code: FindingCode;
  /** What is broken, in a few words (the test's name). */
  what: string;
  /** Builds the input; `work` is an empty temp dir the case may write into. */
  build(work: string): CaseInput | Promise<CaseInput>;
  /** The finding must carry exactly these fields (a field left out is not checked; `null` means absent). */
  expect: { severity: Severity; snapshot?: string | null; block?: string | null; file?: string | null; offset?: number | null };
  /** Run before verify; returns what undoes it (e.g. a spy that makes a reader fail as a bug would). */
  setup?(): () => void;
  /** Extra checks on the whole result (e.g. the block is not ok). */
  check?(r: VerifyResult, f: Finding): void;
}

export interface CaseRun {
  result: VerifyResult;
  /** The findings with the case's code. */
  matching: Finding[];
}

export async function runCase(c: CodeCase): Promise<CaseRun> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `code-${c.code}-`));
  const undo = c.setup?.();
  try {
    const input = await c.build(work);
    const result =
      'archive' in input
        ? (await verifyBuffer(input.archive, { ...input.options, name: input.name })).result
        : 'stream' in input
          ? await verifyStream(input.stream, undefined)
          : await verify(input.dir, { workers: 1 });
    return { result, matching: result.findings.filter((f) => f.code === c.code) };
  } finally {
    undo?.();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Whether finding `f` is at the place and of the severity the case expects. */
export function matches(c: CodeCase, f: Finding): boolean {
  if (f.severity !== c.expect.severity) return false;
  for (const k of ['snapshot', 'block', 'file', 'offset'] as const) {
    const want = c.expect[k];
    if (want === undefined) continue;
    if ((f[k] ?? null) !== want) return false;
  }
  return true;
}

let fixture: Member[] | undefined;

/** The members of fixtures/snapshot-full.tgz (a real 2.42 snapshot), read once; copy before changing. */
export function realMembers(): Member[] {
  fixture ??= loadMembers(fixturePath('snapshot-full.tgz'));
  return fixture.map((m) => ({ ...m }));
}

/** The real snapshot's name and its first block's ULID, and `snapshots/<snap>/<block>/` as the member prefix. */
export function realPlace(members: Member[] = realMembers()): { snapshot: string; block: string; prefix: string } {
  const m = members.find((x) => /^snapshots\/[^/]+\/[0-9A-Z]{26}\/index$/.test(x.name))!;
  const [, snapshot, block] = m.name.split('/') as [string, string, string];
  return { snapshot, block, prefix: `snapshots/${snapshot}/${block}/` };
}

/** A tar of `members` (see buildTar) as case input. */
export function archiveOf(members: readonly Member[]): CaseInput {
  return { archive: buildTar(members).tar };
}
