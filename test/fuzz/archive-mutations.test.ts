// Fuzz: mutate the real archives themselves (the .tgz bytes, the tar inside,
// member order, duplicates, garbage files) and verify in-process.
//
// A change to any checksummed or structural byte must give an error. The
// bytes exempt, each because no reader of the archive (gzip, tar, Prometheus)
// ever acts on it, so the restore is the same:
//   - gzip header MTIME, XFL and OS (bytes 4-9) and the FTEXT flag (byte 3,
//     bit 0): descriptive, and covered by no checksum unless FHCRC is set
//     (it is not in tar czf output); gzip -d ignores them.
//   - deflate bits that do not change the output (a Huffman table entry no
//     code uses, the last byte's fill bits): judged by zlib itself; if
//     zlib.gunzipSync gives the original tar back without complaint, nothing
//     changed.
//   - the tar header checksum field's terminator (the byte after the NUL that
//     ends the six octal digits, and that NUL when it becomes a space): GNU
//     tar stops reading the digits there too, so the stored value is the same.
//   - the zero padding after a member's data: tar never reads it. A non-zero
//     byte there is still reported, as a `tar-padding` warning.
//   - the zeros after the end-of-archive marker up to GNU tar's 10 KiB record
//     size: cutting them off changes nothing (flipping one is an error).
//   - the content of meta.json: it has no checksum, and verify checks what it
//     can (it parses, its version, ulid, time range against the chunks, and
//     the stats against the counted series, chunks, samples and tombstones);
//     compaction history, hints and whitespace are not checkable. For those
//     flips only "no crash, no hang, valid JSON" is asserted.

import fc from 'fast-check';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/prometheus.js';
import { buildTar, errorsOf, loadMembers, summarize, verifyBuffer, type Member, type Run } from './tarball.js';

let tgz: Buffer; // overlap.tgz, as made by tar czf
let plain: Buffer; // the tar inside it, as GNU tar wrote it
let regions: Region[];
let baseline: Run;

interface Region {
  kind: 'header' | 'data' | 'padding' | 'end';
  name: string;
  start: number;
  end: number;
}

beforeAll(async () => {
  tgz = fs.readFileSync(fixturePath('overlap.tgz'));
  plain = zlib.gunzipSync(tgz);
  regions = tarRegions(plain);
  baseline = await verifyBuffer(tgz);
  expect(errorsOf(baseline)).toEqual([]);
});

/** What each byte of a GNU tar is: a header, a member's data or padding, or the end. */
function tarRegions(t: Buffer): Region[] {
  const out: Region[] = [];
  let at = 0;
  while (at < t.length) {
    if (t.subarray(at, at + 512).every((x) => x === 0)) {
      out.push({ kind: 'end', name: '', start: at, end: t.length });
      break;
    }
    const name = t.toString('utf8', at, t.indexOf(0, at));
    const size = parseInt(t.toString('latin1', at + 124, at + 136), 8);
    out.push({ kind: 'header', name, start: at, end: at + 512 });
    out.push({ kind: 'data', name, start: at + 512, end: at + 512 + size });
    const next = at + 512 + Math.ceil(size / 512) * 512;
    out.push({ kind: 'padding', name, start: at + 512 + size, end: next });
    at = next;
  }
  return out;
}

function regionOf(at: number): Region {
  return regions.find((r) => at >= r.start && at < r.end)!;
}

function expectSane(r: Run, what: string): void {
  expect(r.json.findings.some((x) => x.code === 'internal-error'), `${what}: ${summarize(r)}`).toBe(false);
  expect(r.json.ok).toBe(errorsOf(r).length === 0);
}

function gunzipped(b: Buffer): Buffer | undefined {
  try {
    return zlib.gunzipSync(b);
  } catch {
    return undefined;
  }
}

describe('the .tgz bytes', () => {
  it('a flipped byte anywhere is an error, unless gzip itself reads the same tar from it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(tgz.length - 1), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const b = Buffer.from(tgz);
        b[at]! ^= xor;
        const r = await verifyBuffer(b);
        expectSane(r, `flip ${xor} at ${at}`);
        const exempt = (at >= 4 && at <= 9) || (at === 3 && xor === 1) || gunzipped(b)?.equals(plain);
        if (!exempt) expect(errorsOf(r).length, `flip ${xor} at ${at} passed: ${summarize(r)}`).toBeGreaterThan(0);
        else expect(errorsOf(r), `exempt flip ${xor} at ${at}`).toEqual([]);
      }),
      { seed: 1952, numRuns: 150 },
    );
  });

  it('a byte inserted, deleted or cut anywhere is an error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(tgz.length - 1), fc.constantFrom('insert', 'delete', 'cut'), fc.integer({ min: 0, max: 255 }), async (at, op, byte) => {
        const b =
          op === 'insert' ? Buffer.concat([tgz.subarray(0, at), Buffer.of(byte), tgz.subarray(at)]) : op === 'delete' ? Buffer.concat([tgz.subarray(0, at), tgz.subarray(at + 1)]) : tgz.subarray(0, at);
        const r = await verifyBuffer(b);
        expectSane(r, `${op} at ${at}`);
        const exempt = op !== 'cut' && at >= 4 && at <= 9 && gunzipped(b)?.equals(plain); // MTIME etc. shifted, same data
        if (!exempt) expect(errorsOf(r).length, `${op} ${byte} at ${at} passed: ${summarize(r)}`).toBeGreaterThan(0);
      }),
      { seed: 1953, numRuns: 120 },
    );
  });
});

describe('the tar inside', () => {
  it('a bit flip in a header or a block file is an error; in member padding a warning; exemptions as argued above', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(plain.length - 1), fc.nat(7), async (at, bit) => {
        const b = Buffer.from(plain);
        b[at]! ^= 1 << bit;
        const r = await verifyBuffer(b);
        const what = `bit ${bit} at ${at}`;
        expectSane(r, what);
        const reg = regionOf(at);
        const inHeader = at - reg.start;
        if (reg.kind === 'header' && (inHeader === 155 || (inHeader === 154 && (b[at] === 0x20 || b[at] === 0)))) {
          expect(errorsOf(r), `${what}: checksum terminator`).toEqual([]);
        } else if (reg.kind === 'padding') {
          expect(errorsOf(r), what).toEqual([]);
          expect(r.json.findings.map((f) => f.code)).toContain('tar-padding');
        } else if (reg.kind === 'data' && reg.name.endsWith('/meta.json')) {
          // No checksum: only what verify can check is caught (see the file comment).
        } else {
          expect(errorsOf(r).length, `${what} in the ${reg.kind} of ${reg.name || 'the end'} passed: ${summarize(r)}`).toBeGreaterThan(0);
        }
      }),
      { seed: 1979, numRuns: 300 },
    );
  });

  it('cutting the tar at any member boundary or inside the end marker is an error; only the record padding after it may go', async () => {
    const end = regions.find((r) => r.kind === 'end')!;
    const cuts = [...regions.filter((r) => r.kind === 'header').map((r) => r.start), end.start, end.start + 512, end.start + 1023];
    for (const cut of cuts) {
      const r = await verifyBuffer(plain.subarray(0, cut));
      expectSane(r, `cut at ${cut}`);
      expect(errorsOf(r).length, `cut at ${cut} passed`).toBeGreaterThan(0);
    }
    for (const cut of [end.start + 1024, end.start + 5000, plain.length - 1]) {
      expect(errorsOf(await verifyBuffer(plain.subarray(0, cut))), `cut at ${cut}, in the record padding`).toEqual([]);
    }
  });
});

describe('members reordered, duplicated, and garbage files', () => {
  let members: Member[];
  let blocks: unknown;
  let findings: unknown;
  beforeAll(async () => {
    members = loadMembers(fixturePath('snapshot-full.tgz'));
    const r = (await verifyBuffer(buildTar(members).tar)).json;
    blocks = r.snapshots;
    // The fixture's one finding: the 2h1m hole before its head (coverage-gap), whatever the order.
    findings = r.findings;
    expect(r.findings.map((f) => `${f.severity} ${f.code}`)).toEqual(['warning coverage-gap']);
  });

  it('any member order verifies the same', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ noNaN: true }), { minLength: 200, maxLength: 200 }), async (keys) => {
        const order = members.map((m, i) => [keys[i % keys.length]! + i * 1e-9, m] as const).sort((a, b) => a[0] - b[0]);
        const r = await verifyBuffer(buildTar(order.map(([, m]) => m)).tar);
        expect(r.json.findings).toEqual(findings);
        expect(r.json.snapshots).toEqual(blocks);
      }),
      { seed: 5, numRuns: 15 },
    );
  });

  it('a duplicated member is a warning (tar keeps the last copy); a different later copy is checked', async () => {
    const files = members.filter((m) => m.data);
    await fc.assert(
      fc.asyncProperty(fc.nat(files.length - 1), fc.nat(members.length), fc.boolean(), async (fi, pos, damage) => {
        const f = files[fi]!;
        const at = Math.max(pos, members.indexOf(f) + 1);
        const copy = damage && !f.name.endsWith('meta.json') ? { ...f, data: Buffer.from(f.data!).fill(0x55, 8, 9) } : f;
        const list = [...members.slice(0, at), copy, ...members.slice(at)];
        const r = await verifyBuffer(buildTar(list).tar);
        expectSane(r, `${f.name} duplicated at ${at}`);
        expect(r.json.findings.some((x) => x.code === 'duplicate-member' && x.severity === 'warning')).toBe(true);
        if (copy === f) expect(errorsOf(r)).toEqual([]);
        else expect(errorsOf(r).some((x) => `snapshots/${x.snapshot}/${x.block}/${x.file}` === f.name), summarize(r)).toBe(true);
      }),
      { seed: 6, numRuns: 25 },
    );
  });

  it('a garbage file anywhere is reported where it is', async () => {
    const snap = members.find((m) => m.name.split('/').length === 3)!.name.split('/')[1]!;
    const block = members.find((m) => m.name.split('/').length === 4)!.name.split('/')[2]!;
    const places = [
      ['', 'outside-snapshots', 'error'],
      ['snapshots/', 'outside-snapshots', 'error'],
      [`snapshots/${snap}/`, 'unexpected-file', 'warning'],
      [`snapshots/${snap}/${block}/`, 'unexpected-file', 'warning'],
      [`snapshots/${snap}/${block}/chunks/`, 'unexpected-file', 'warning'],
    ] as const;
    await fc.assert(
      fc.asyncProperty(fc.nat(places.length - 1), fc.stringMatching(/^[a-z][a-z_.]{0,20}$/), fc.uint8Array({ maxLength: 3000 }), fc.nat(members.length), async (pi, name, data, pos) => {
        const [dir, code, severity] = places[pi]!;
        const list = [...members.slice(0, pos), { name: `${dir}${name}`, data }, ...members.slice(pos)];
        const r = await verifyBuffer(buildTar(list).tar);
        expectSane(r, `${dir}${name}`);
        expect(r.json.findings.some((f) => f.code === code && f.severity === severity), `${dir}${name}: ${JSON.stringify(r.json.findings).slice(0, 400)}`).toBe(true);
      }),
      { seed: 7, numRuns: 30 },
    );
    // Garbage under a block file's own name is that file, damaged.
    for (const name of [`snapshots/${snap}/${block}/chunks/000002`, `snapshots/${snap}/${block}/index`, `snapshots/${snap}/${block}/tombstones`]) {
      const list = [...members.filter((m) => m.name !== name), { name, data: Buffer.from('garbage, not a TSDB file\n'.repeat(40)) }];
      const r = await verifyBuffer(buildTar(list).tar);
      expect(errorsOf(r).some((f) => f.block === block && f.file === name.split('/').slice(3).join('/')), summarize(r)).toBe(true);
    }
  });
});
