// yargs without its help layout must read every command line as yargs'
// own entry does: the same arguments, the same usage errors, the same
// version; and any --help goes to yargs' own entry.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { cliParser, verifyInputGuess } from '../../src/cli/main.js';
import { loadWithoutLayout, loadYargs, mayPrintHelp, type YargsFn } from '../../src/cli/yargs.js';
import { runCli } from '../helpers/cli.js';

/** What a parser makes of argv: the parsed arguments, or the usage error. */
async function outcome(y: YargsFn, argv: string[]): Promise<{ args?: unknown; error?: string }> {
  class Failed extends Error {}
  let error: string | undefined;
  const parser = cliParser(y, argv, (msg) => {
    error = msg;
    throw new Failed();
  });
  try {
    const args = await parser.parseAsync();
    return { args };
  } catch (e) {
    if (e instanceof Failed) return { error };
    throw e;
  }
}

const LINES: string[][] = [
  ['dump', 'snap.tgz'],
  ['dump', 'snap', '--match', '{job="api"}', '--min-time', '-5', '--max-time', '10', '--format', 'json'],
  ['dump', 'snap', '--match', 'up', '--match', 'down'],
  ['dump', 'snap', '--format', 'xml'],
  ['dump'],
  ['dump', 'a', 'b'],
  ['dump', 'snap', '--bogus'],
  ['bogus'],
  [],
  ['--debug', 'verify', '\0stdin', '--format', 'json'],
  ['blocks', 'x', '--format', 'table'],
  ['series', 'x', '--match', 'up', '--match', '{a="b"}', '--start', '2020-01-01T00:00:00Z', '--end', '5'],
  ['labels', 'x'],
  ['label-values', 'x', 'job', '--format', 'json'],
  ['label-values', 'x'],
  ['analyze', 'x', '--block', '01ABC', '--limit', '3', '--all'],
  ['analyze', 'x', '--limit', 'many'],
  ['analyze', 'x', '--format', 'text', '--', '--weird'],
  ['--version'],
];

describe('yargs without its help layout', () => {
  it('reads every command line as yargs does', async () => {
    const lean = await loadWithoutLayout();
    for (const argv of LINES) {
      const got = await outcome(lean, argv);
      expect(got, argv.join(' ')).toEqual(await outcome(yargs, argv));
      expect(got.args ?? got.error, argv.join(' ')).toBeDefined();
    }
  });

  it('is used unless an argument may ask for help', async () => {
    expect(mayPrintHelp(['dump', 'x', '--match', 'up'])).toBe(false);
    for (const a of [['--help'], ['dump', '--help'], ['dump', 'x', '--help=true']]) expect(mayPrintHelp(a), a.join(' ')).toBe(true);
    expect(await loadYargs(['--help'])).toBe(yargs);
    expect(await loadYargs(['dump', 'x'])).not.toBe(yargs);
  });

  it('help and version come out of the CLI in full', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['verify', 'blocks', 'dump', 'series', 'labels', 'label-values', 'analyze']) expect(help.stdout).toContain(`tsdb-inspect ${c} <input>`);
    const dumpHelp = await runCli(['dump', '--help']);
    expect(dumpHelp.stdout).toMatch(/--match +series selector, e\.g\. \{job="api"\}/);
    const version = await runCli(['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('the verify input read before yargs loads (verifyInputGuess)', () => {
  it('is the input yargs parses, for verify command lines with options in any order', async () => {
    const lean = await loadWithoutLayout();
    const name = fc.stringMatching(/^[a-z][a-z0-9_./]{0,11}$/);
    const option = fc.oneof(
      fc.constantFrom(['--format', 'json'], ['--format', 'table'], ['--format=json'], ['--workers', '2'], ['--workers=3'], ['--debug']),
    );
    await fc.assert(
      fc.asyncProperty(name, fc.uniqueArray(option, { maxLength: 3, selector: (o) => o[0]!.split('=')[0] }), fc.nat(3), async (input, opts, at) => {
        const k = Math.min(at, opts.length);
        const argv = ['verify', ...opts.slice(0, k).flat(), input, ...opts.slice(k).flat()];
        const parsed = await outcome(lean, argv);
        expect(parsed.error).toBeUndefined();
        expect(verifyInputGuess(argv)).toBe((parsed.args as { input: string }).input);
      }),
      { numRuns: 200 },
    );
  });

  it('is nothing for other commands and for stdin', () => {
    expect(verifyInputGuess(['dump', 'a.tgz'])).toBeUndefined();
    expect(verifyInputGuess(['verify', '-'])).toBeUndefined();
    expect(verifyInputGuess(['verify'])).toBeUndefined();
    expect(verifyInputGuess(['verify', '--', 'a.tgz'])).toBe('a.tgz');
  });
});

describe('the yargs version', () => {
  it('is pinned exactly, to the one installed: loadWithoutLayout reaches into its files', async () => {
    const { readFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, { version?: string; dependencies?: Record<string, string> }> };
    const installed = (createRequire(import.meta.url)('yargs/package.json') as { version: string }).version;
    expect(pkg.dependencies.yargs).toMatch(/^\d+\.\d+\.\d+$/);
    expect(lock.packages['']!.dependencies!.yargs).toBe(pkg.dependencies.yargs);
    expect(lock.packages['node_modules/yargs']!.version).toBe(pkg.dependencies.yargs);
    expect(installed).toBe(pkg.dependencies.yargs);
  });
});
