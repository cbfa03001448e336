// Every finding code in the catalog has a case that makes verify report it at
// the right place; removing a check makes its case fail. The README's table
// of codes is the catalog.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Code, FINDING_CODES, type FindingCode } from '../../src/encoding/finding-codes.js';
import { matches, runCase, type CodeCase } from './case.js';

const modules = import.meta.glob<{ cases: CodeCase[] }>('./cases/*.ts', { eager: true });
const all: CodeCase[] = Object.values(modules).flatMap((m) => m.cases);

describe('finding code cases', () => {
  it.each(all.map((c) => [`${c.code}: ${c.what}`, c] as const))('%s', async (_, c) => {
    const { result, matching } = await runCase(c);
    const hit = matching.find((f) => matches(c, f));
    expect(hit, `no ${c.code} finding at ${JSON.stringify(c.expect)}; got ${JSON.stringify(result.findings.map((f) => [f.severity, f.code, f.block, f.file, f.offset]))}`).toBeDefined();
    // An error that names a block makes that block not ok.
    if (hit!.severity === 'error' && hit!.block) {
      for (const s of result.snapshots) for (const b of s.blocks) if (b.ulid === hit!.block && (!hit!.snapshot || s.name === hit!.snapshot)) expect(b.ok, `block ${b.ulid} named by an error is shown ok`).toBe(false);
    }
    if (hit!.severity === 'error') expect(result.ok).toBe(false);
    c.check?.(result, hit!);
  });
});

describe('the catalog', () => {
  it('has a case for every code', () => {
    const covered = new Set(all.map((c) => c.code));
    const missing = (Object.keys(FINDING_CODES) as FindingCode[]).filter((c) => !covered.has(c));
    expect(missing).toEqual([]);
  });

  it('has a case for every severity a code is reported with', () => {
    const seen = new Set(all.map((c) => `${c.code}/${c.expect.severity}`));
    const missing = Object.entries(FINDING_CODES).flatMap(([code, info]) => info.severity.filter((s) => !seen.has(`${code}/${s}`)).map((s) => `${code}/${s}`));
    expect(missing).toEqual([]);
  });

  it('names every code once in Code', () => {
    expect(Object.values(Code).sort()).toEqual(Object.keys(FINDING_CODES).sort());
  });

  it('is the README\'s table of finding codes', () => {
    const readme = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([a-z0-9-]+)` \| (error|warning|error, warning) \|/gm)].map((m) => `${m[1]} ${m[2]}`);
    const want = Object.entries(FINDING_CODES).map(([code, info]) => `${code} ${info.severity.join(', ')}`);
    expect(rows.sort()).toEqual(want.sort());
  });
});
