// The command line's conventions, as an operator meets them: help, exit
// codes, messages for bad numbers and times, --snapshot, verify --quiet and
// --strict, blocks -r, analyze's promtool arguments, tables that fit the
// terminal, TSV, and notes where an option does not apply.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';
import { buildTar, loadMembers } from '../fuzz/tarball.js';
import { reportError } from '../../src/cli/run.js';

const FULL = fixturePath('snapshot-full.tgz');
const OVERLAP = fixturePath('overlap.tgz');
const SNAP = '20261122T144025Z-2939a76ec4c5dbb6';
const LAST_BLOCK = '01M81V70BWRRN49VQ1VV6H21P4';

let work: string;
let twoSnapshots: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-inspect-cli-'));
  // The full snapshot, and a second snapshot holding only its last block.
  const members = loadMembers(FULL);
  const second = members
    .filter((m) => m.name === 'snapshots/' || m.name === `snapshots/${SNAP}/` || m.name.startsWith(`snapshots/${SNAP}/${LAST_BLOCK}`))
    .filter((m) => m.name !== 'snapshots/')
    .map((m) => ({ ...m, name: m.name.replace(SNAP, 'second') }));
  twoSnapshots = path.join(work, 'two.tar');
  fs.writeFileSync(twoSnapshots, buildTar([...members, ...second]).tar);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('help', () => {
  it('help, -h and help <command> print the help and exit 0', async () => {
    for (const args of [['help'], ['-h'], ['--help']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('tsdb-inspect verify <input>');
      expect(r.stderr).toBe('');
    }
    const dump = await runCli(['help', 'dump']);
    expect(dump.code).toBe(0);
    expect(dump.stdout).toContain('--min-time');
    expect((await runCli(['verify', '-h'])).stdout).toContain('--strict');
  });
});

describe('exit codes and messages', () => {
  it('an internal error says so and exits 2', () => {
    const writes: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (writes.push(s), true)) as typeof process.stderr.write;
    try {
      expect(reportError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(writes.join('')).toMatch(/^tsdb-inspect: internal error: Cannot read .* \(run with --debug for details; please report it\)\n$/);
  });

  it('bad numbers name the flag and the value', async () => {
    const limit = await runCli(['analyze', FULL, '--limit', 'abc']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toBe('tsdb-inspect: --limit must be a whole number of at least 0, not "abc"\n');
    const workers = await runCli(['verify', FULL, '--workers', '0']);
    expect(workers.code).toBe(2);
    expect(workers.stderr).toMatch(/--workers must be a whole number of at least 1, not "0"/);
  });

  it('dump --format json needs a selector', async () => {
    const r = await runCli(['dump', FULL, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/dump --format json needs a --match selector/);
  });
});

describe('times', () => {
  it('take relative times, also as `--start -1h`', async () => {
    // The fixture's samples lie in 2026: an hour before now holds none of them, a very long time back holds all.
    const none = await runCli(['series', FULL, '--match', 'node_load1', '--start', '-1h', '--format', 'json']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('{"status":"success","data":[]}\n');
    const all = await runCli(['series', FULL, '--match', 'node_load1', '--start', 'now-100000d', '--end', 'now+100000d', '--format', 'json']);
    expect(JSON.parse(all.stdout).data).toHaveLength(2);
  });

  it('warn when a seconds value looks like milliseconds', async () => {
    const r = await runCli(['series', FULL, '--match', 'node_load1', '--start', '1795356746936', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^tsdb-inspect: warning: --start 1795356746936 is read as seconds .*did you mean milliseconds/);
  });

  it('dump takes RFC 3339 and milliseconds alike', async () => {
    const ms = await runCli(['dump', FULL, '--match', 'node_load1', '--min-time', '1795300000000', '--max-time', '1795300800000']);
    const rfc = await runCli(['dump', FULL, '--match', 'node_load1', '--min-time', '2026-11-21T22:26:40Z', '--max-time', '2026-11-21T22:40:00Z']);
    expect(ms.code).toBe(0);
    expect(ms.stdout.split('\n').length).toBeGreaterThan(4);
    expect(rfc.stdout).toBe(ms.stdout);
  });
});

describe('--snapshot', () => {
  it('reads one snapshot of an archive holding several', async () => {
    const together = await runCli(['blocks', twoSnapshots, '--format', 'json']);
    expect(together.stderr).toBe(`tsdb-inspect: note: the input holds 2 snapshots (${SNAP}, second), read together; --snapshot NAME reads one\n`);
    const both = JSON.parse(together.stdout);
    expect(new Set(both.map((b: { snapshot: string }) => b.snapshot))).toEqual(new Set([SNAP, 'second']));
    const picked = await runCli(['blocks', twoSnapshots, '--snapshot', 'second', '--format', 'json']);
    expect(picked.stderr).toBe('');
    const one = JSON.parse(picked.stdout);
    expect(one.map((b: { ulid: string }) => b.ulid)).toEqual([LAST_BLOCK]);
    const v = JSON.parse((await runCli(['verify', twoSnapshots, '--snapshot', 'second', '--format', 'json'])).stdout);
    expect(v.snapshots.map((s: { name: string }) => s.name)).toEqual(['second']);
    const missing = await runCli(['series', twoSnapshots, '--snapshot', 'third', '--match', 'up']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no snapshot named "third"; the input holds: 20261122T144025Z-2939a76ec4c5dbb6, second/);
  });
});

describe('verify', () => {
  it('--quiet prints the summary line only; --strict fails on warnings', async () => {
    const quiet = await runCli(['verify', OVERLAP, '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/^OK: 1 snapshot\(s\), \d+ block\(s\), 0 error\(s\), [1-9]\d* warning\(s\)\n$/);
    const strict = await runCli(['verify', OVERLAP, '--quiet', '--strict']);
    expect(strict.code).toBe(1);
    // snapshot-full has a 2h1m hole before its head (a coverage-gap warning at the default 2h): a wider --max-gap passes.
    expect((await runCli(['verify', FULL, '--quiet', '--strict'])).code).toBe(1);
    expect((await runCli(['verify', FULL, '--quiet', '--strict', '--max-gap', '3h'])).code).toBe(0);
  });

  it('says --workers applies to directories only when given an archive', async () => {
    const r = await runCli(['verify', FULL, '--workers', '2', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--workers applies to directories only/);
  });

  it('fits its tables to the terminal width without cutting a ULID', async () => {
    const r = await runCli(['verify', OVERLAP], { env: { COLUMNS: '100' } });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Snapshot 20261122T144026Z-724801de16cc29e8');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(100);
    // Every ULID stands whole: the five blocks', and those the overlap findings name.
    for (const u of ['01M81V7126GNJN47MXNQDTN1RT', '01M81V714TB2P474VA9XK8H7JX', '01M81V712ZR9C7PD4KTWZZ7E1F', '01M81V715E3VS8HETX9WJ69T9A', '01M81V71630PEFBK26E23HHMW9']) {
      expect(r.stdout.split(u).length - 1, u).toBeGreaterThanOrEqual(1);
    }
    expect(r.stdout.split('01M81V7126GNJN47MXNQDTN1RT').length - 1).toBe(2);
    // Without a terminal or COLUMNS, rows are as wide as their cells.
    const wide = await runCli(['verify', OVERLAP]);
    expect(wide.stdout).toMatch(/│ blocks 01M81V7126GNJN47MXNQDTN1RT \[1699999200000, 1700006340001\) and 01M81V714TB2P474VA9XK8H7JX \[1700002800000, 1700006370001\) overlap in time │/);
  });
});

describe('blocks -r and analyze as promtool takes them', () => {
  it('blocks -r prints times and sizes as promtool tsdb list -r', async () => {
    const r = await runCli(['blocks', FULL, '-r', '--format', 'tsv']);
    expect(r.code).toBe(0);
    // promtool tsdb list -r on the fixture: 01M81V49BW04PDGEAVVMHW9HVW  2026-11-21 11:38:00 +0000 UTC  2026-11-21 17:59:00 +0000 UTC  6h21m0.001s  16044  168  42  66KiB342B
    expect(r.stdout.split('\n')[1]).toBe('01M81V49BW04PDGEAVVMHW9HVW\t2026-11-21 11:38:00 +0000 UTC\t2026-11-21 17:59:00 +0000 UTC\t6h21m0.001s\t16044\t168\t42\t66KiB342B');
    expect(r.stdout.split('\n')[0]).toBe('BLOCK ULID\tMIN TIME\tMAX TIME\tDURATION\tNUM SAMPLES\tNUM CHUNKS\tNUM SERIES\tSIZE');
  });

  it("analyze takes promtool's positional block id and --extended", async () => {
    const first = '01M81V49BW04PDGEAVVMHW9HVW';
    const pos = await runCli(['analyze', FULL, first, '--extended', '--format', 'text']);
    expect(pos.code).toBe(0);
    expect(pos.stdout).toMatch(new RegExp(`^Block ID: ${first}\n`));
    const flag = await runCli(['analyze', FULL, '--block', first, '--format', 'text']);
    expect(flag.stdout).toBe(pos.stdout);
  });
});

describe('series output', () => {
  it('streams the same JSON as the API, and TSV with a header', async () => {
    const json = await runCli(['series', FULL, '--match', 'node_load1', '--match', '{room=~".+"}', '--match', 'node_load1', '--format', 'json']);
    expect(json.stdout).toBe(
      '{"status":"success","data":[{"__name__":"node_load1","instance":"node-1:9100","job":"node"},{"__name__":"node_load1","instance":"node-2:9100","job":"node"},{"__name__":"room_temperature_celsius","room":"kitchen"}]}\n',
    );
    const tsv = await runCli(['series', FULL, '--match', 'node_load1', '--format', 'tsv']);
    expect(tsv.stdout).toBe('METRIC\tLABELS\nnode_load1\t{instance="node-1:9100", job="node"}\nnode_load1\t{instance="node-2:9100", job="node"}\n');
  });
});

describe('stdin on a terminal', () => {
  // script(1) gives the command a terminal; Ctrl-D (sent after the note) ends its input.
  const hasScript = (() => {
    try {
      return fs.statSync('/usr/bin/script').isFile();
    } catch {
      return false;
    }
  })();
  it.skipIf(!hasScript)('verify - says it is waiting for stdin', async () => {
    const { spawn } = await import('node:child_process');
    const bin = path.join(path.dirname(FULL), '..', 'bin', 'tsdb-inspect.js');
    const child = spawn('/usr/bin/script', ['-qec', `${process.execPath} ${bin} verify - --quiet`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('reading an archive from stdin')) child.stdin.write('\x04');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).toContain('tsdb-inspect: reading an archive from stdin (pipe one in, or press Ctrl-D to end)');
    expect(out).toMatch(/FAILED: 0 snapshot\(s\)/);
    expect(code).toBe(1);
  });
});
