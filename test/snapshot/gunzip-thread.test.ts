import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startGunzipEarly, THREAD_ABOVE } from '../../src/snapshot/gunzip-thread.js';
import { readArchive } from '../../src/snapshot/stream.js';
import { verify } from '../../src/verify/verify.js';
import { buildTar, loadMembers } from '../fuzz/tarball.js';
import { runCli } from '../helpers/cli.js';

const FIXTURE = new URL('../../fixtures/snapshot-full.tgz', import.meta.url);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gunzip-thread-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Everything readArchive reports about `bytes`: members with a hash of their data, findings. */
async function read(bytes: Buffer, inflateThread: boolean) {
  const file = path.join(dir, `a-${crypto.randomUUID()}.tgz`);
  fs.writeFileSync(file, bytes);
  const members: string[] = [];
  const r = await readArchive(
    fs.createReadStream(file),
    async (e) => {
      const h = crypto.createHash('sha256');
      for await (const c of e.stream) h.update(c as Buffer);
      members.push(`${e.type} ${e.name} ${e.size} ${h.digest('hex').slice(0, 16)}`);
    },
    { file: { path: file, size: bytes.length }, inflateThread, hardLinks: true },
  );
  fs.rmSync(file);
  // bytesIn (for progress) depends on how far each path reads ahead, so it is only bounded.
  expect(r.bytesIn).toBeLessThanOrEqual(bytes.length);
  return { members, findings: r.findings, gzip: r.gzip, tarMembers: r.members };
}

describe('gzip decompression in a worker thread', () => {
  it('reads the fixture archive exactly as the in-thread path does', async () => {
    const bytes = fs.readFileSync(FIXTURE);
    const a = await read(bytes, true);
    const b = await read(bytes, false);
    expect(a.members.length).toBeGreaterThan(10);
    expect(a.findings).toEqual([]);
    expect(a).toEqual(b);
  });

  it('reports damage (flips, cuts, trailing bytes, a second member) as the in-thread path does', async () => {
    const bytes = fs.readFileSync(FIXTURE);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
          fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
          fc.record({ kind: fc.constant('tail' as const), tail: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
          fc.record({ kind: fc.constant('second' as const), tail: fc.uint8Array({ maxLength: 600 }) }),
        ),
        async (m) => {
          let b = Buffer.from(bytes);
          if (m.kind === 'flip') b[m.at % b.length]! ^= 1 << m.bit;
          else if (m.kind === 'cut') b = b.subarray(0, m.at % b.length);
          else if (m.kind === 'tail') b = Buffer.concat([b, m.tail]);
          else b = Buffer.concat([zlib.gzipSync(b.subarray(0, 0)), b, zlib.gzipSync(m.tail)]);
          const a = await read(b, true);
          expect(a).toEqual(await read(b, false));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is what verify uses for a large file, with the same result as for a small one', async () => {
    const bytes = fs.readFileSync(FIXTURE);
    const file = path.join(dir, 'big.tgz');
    fs.writeFileSync(file, bytes);
    const threaded = await verify(file, { inflateThread: true });
    const inline = await verify(file, { inflateThread: false });
    expect(threaded.ok).toBe(true);
    expect(threaded).toEqual(inline);
  });

  it('turns a file the worker cannot read into an input-error finding, not a hang', async () => {
    const r = await readArchive(fs.createReadStream(FIXTURE), () => undefined, { file: { path: path.join(dir, 'gone.tgz'), size: 1 << 30 }, inflateThread: true });
    expect(r.findings.map((f) => f.code)).toEqual(['input-error']);
    expect(r.findings[0]!.message).toMatch(/ENOENT|no such file/);
  });
});

describe('a decompression thread started early (before the command has loaded)', () => {
  let big: string;
  beforeAll(() => {
    // The fixture snapshot plus 17 MiB that do not compress: an archive that gets a thread.
    const members = loadMembers(fileURLToPath(FIXTURE));
    members.push({ name: 'snapshots/padding.bin', data: crypto.randomBytes(17 << 20) });
    big = path.join(dir, 'early.tgz');
    fs.writeFileSync(big, zlib.gzipSync(buildTar(members).tar, { level: 1 }));
    expect(fs.statSync(big).size).toBeGreaterThanOrEqual(THREAD_ABOVE);
  });

  it('starts only for a gzip file that gets a thread', () => {
    const plain = path.join(dir, 'plain.bin');
    fs.writeFileSync(plain, Buffer.alloc(THREAD_ABOVE + 10, 7));
    expect(startGunzipEarly(fileURLToPath(FIXTURE))).toBe(false); // too small
    expect(startGunzipEarly(plain)).toBe(false); // not gzip
    expect(startGunzipEarly(dir)).toBe(false); // a directory
    expect(startGunzipEarly(path.join(dir, 'missing.tgz'))).toBe(false);
  });

  it('gives verify the result it gets without one, findings included', async () => {
    const inline = await verify(big, { inflateThread: false });
    expect(inline.findings.map((f) => f.code)).toContain('outside-snapshots');
    expect(startGunzipEarly(big)).toBe(true);
    expect(await verify(big)).toEqual(inline);
    // Taken once: the next verify starts its own thread, with the same result.
    expect(await verify(big)).toEqual(inline);
    // The worker's own findings (here, zeros after the last gzip member) come through too.
    const zeros = path.join(dir, 'early-zeros.tgz');
    fs.writeFileSync(zeros, Buffer.concat([fs.readFileSync(big), Buffer.alloc(1024)]));
    const want = await verify(zeros, { inflateThread: false });
    expect(want.findings.map((f) => f.code)).toContain('gzip-trailing-zeros');
    expect(startGunzipEarly(zeros)).toBe(true);
    expect(await verify(zeros)).toEqual(want);
  });

  it('is what the CLI does for `verify <archive>`, with the same output', async () => {
    const lib = await verify(big, { inflateThread: false });
    const cli = await runCli(['verify', big, '--format', 'json']);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toEqual(JSON.parse(JSON.stringify(lib)));
  });

  it('does not keep the process alive when nothing takes it', () => {
    const script = `import('${pathToFileURL(path.resolve('dist/snapshot/gunzip-thread.js')).href}').then((m) => { if (!m.startGunzipEarly(${JSON.stringify(big)})) process.exit(3); })`;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['-e', script], { timeout: 20_000 });
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
