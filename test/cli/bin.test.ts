// The installed command runs bin/tsdb-inspect.js through its shebang, which
// passes node a flag (`env -S`): that line must work, and give what
// `node bin/tsdb-inspect.js` gives.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'tsdb-inspect.js');
const FIXTURE = path.join(ROOT, 'fixtures', 'snapshot-full.tgz');

describe('bin/tsdb-inspect.js run as a program', () => {
  it('verifies an archive with the same output and exit code as under node', async () => {
    // The shebang's `env` finds node on PATH: put this test's node first.
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` };
    const direct = spawnSync(BIN, ['verify', FIXTURE, '--format', 'json'], { encoding: 'utf8', env });
    const viaNode = await runCli(['verify', FIXTURE, '--format', 'json']);
    expect(direct.stderr).toBe('');
    expect(direct.status).toBe(viaNode.code);
    expect(direct.status).toBe(0);
    expect(JSON.parse(direct.stdout)).toEqual(JSON.parse(viaNode.stdout));
  });

  it('maps a usage error to exit 2 through the shebang too', () => {
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` };
    const r = spawnSync(BIN, ['verify', path.join(ROOT, 'no-such-archive.tgz')], { encoding: 'utf8', env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no-such-archive\.tgz/);
  });
});
