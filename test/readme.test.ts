// Every `$ npx tsdb-inspect …` example in the README runs on the committed
// fixtures and prints what the README shows (a line `…` stands for any
// number of lines), so the README cannot drift from the commands.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'tsdb-inspect.js');

interface Example {
  command: string;
  output: string[];
}

/** The `$ ` lines of the README's console blocks, each with the lines it shows. */
export function readmeExamples(readme: string): Example[] {
  const out: Example[] = [];
  for (const block of readme.matchAll(/^```console\n([\s\S]*?)^```$/gm)) {
    let cur: Example | undefined;
    for (const line of block[1].replace(/\n$/, '').split('\n')) {
      if (line.startsWith('$ ')) out.push((cur = { command: line.slice(2).replace(/\s+#.*$/, ''), output: [] }));
      else if (cur) cur.output.push(line);
    }
  }
  for (const e of out) while (e.output.length && e.output[e.output.length - 1] === '') e.output.pop();
  return out;
}

/** Whether `got` is `shown` with each `…` line standing for any run of lines. */
export function matchesShown(shown: readonly string[], got: readonly string[]): boolean {
  const at = (i: number, j: number): boolean => {
    if (i === shown.length) return j === got.length;
    if (shown[i] === '…') {
      for (let k = j; k <= got.length; k++) if (at(i + 1, k)) return true;
      return false;
    }
    return j < got.length && shown[i] === got[j] && at(i + 1, j + 1);
  };
  return at(0, 0);
}

const examples = readmeExamples(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

describe('the README examples', () => {
  it('are there, and each runs tsdb-inspect', () => {
    expect(examples.length).toBeGreaterThan(15);
    for (const e of examples) expect(e.command).toContain('npx tsdb-inspect ');
    expect(matchesShown(['a', '…', 'd'], ['a', 'b', 'c', 'd'])).toBe(true);
    expect(matchesShown(['a', '…', 'd'], ['a', 'd'])).toBe(true);
    expect(matchesShown(['a', 'd'], ['a', 'b', 'd'])).toBe(false);
  });

  it.each(examples.map((e) => [e.command, e] as const))('%s', (_, e) => {
    const command = e.command.replaceAll('npx tsdb-inspect', `"${process.execPath}" "${BIN}"`);
    const env = { ...process.env };
    delete env.COLUMNS;
    const r = spawnSync('sh', ['-c', command], { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 1 << 26 });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status, r.stderr).toBe(0);
    const got = r.stdout.replace(/\n$/, '').split('\n');
    if (!matchesShown(e.output, got)) expect(got.join('\n')).toBe(e.output.join('\n'));
  });
});
