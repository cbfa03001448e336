// The installed command runs bin/tsdb-inspect.js as a program: /bin/sh reads
// its second line and runs it with node and a flag. That must work, and give
// what `node bin/tsdb-inspect.js` gives.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'tsdb-inspect.js');
const FIXTURE = path.join(ROOT, 'fixtures', 'snapshot-full.tgz');

describe('bin/tsdb-inspect.js run as a program', () => {
  it('is started by node with a 2 MB young generation', () => {
    // The bin's own first two lines (the launcher), then a line that prints what node was given.
    const launcher = fs.readFileSync(BIN, 'utf8').split('\n').slice(0, 2).join('\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-inspect-bin-'));
    try {
      const probe = path.join(dir, 'probe.mjs');
      fs.writeFileSync(probe, `${launcher}\nconsole.log(JSON.stringify(process.execArgv));\n`, { mode: 0o755 });
      const env = { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` };
      for (const r of [spawnSync(probe, [], { encoding: 'utf8', env }), spawnSync('sh', [probe], { encoding: 'utf8', env })]) {
        expect(r.stderr).toBe('');
        expect(JSON.parse(r.stdout)).toEqual(['--max-semi-space-size=2']);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('verifies an archive with the same output and exit code as under node', async () => {
    // The launcher finds node on PATH: put this test's node first.
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` };
    const direct = spawnSync(BIN, ['verify', FIXTURE, '--format', 'json'], { encoding: 'utf8', env });
    const viaNode = await runCli(['verify', FIXTURE, '--format', 'json']);
    expect(direct.stderr).toBe('');
    expect(direct.status).toBe(viaNode.code);
    expect(direct.status).toBe(0);
    expect(JSON.parse(direct.stdout)).toEqual(JSON.parse(viaNode.stdout));
  });

  it('maps a usage error to exit 2 run as a program too', () => {
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` };
    const r = spawnSync(BIN, ['verify', path.join(ROOT, 'no-such-archive.tgz')], { encoding: 'utf8', env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no-such-archive\.tgz/);
  });
});
