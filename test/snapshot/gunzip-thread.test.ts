import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as zlib from 'node:zlib';
import { readArchive } from '../../src/snapshot/stream.js';
import { verify } from '../../src/verify/verify.js';

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
