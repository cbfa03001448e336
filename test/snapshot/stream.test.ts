import fc from 'fast-check';
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/encoding/errors.js';
import { readArchive, type ArchiveEntry, type ArchiveResult } from '../../src/snapshot/stream.js';

const FULL = fs.readFileSync(new URL('../../fixtures/snapshot-full.tgz', import.meta.url));
const OVERLAP = fs.readFileSync(new URL('../../fixtures/overlap.tgz', import.meta.url));

const SNAP = 'snapshots/20250820T165101Z-0eb533ff8d43ed64';
const BLOCK = '01K3BZ5YJ0W5N0C7Y1Y8S0E8XN';

interface Entry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  data?: string | Buffer;
  linkname?: string;
}

/** A tar made by tar-stream's pack (pax headers for long names, two zero blocks at the end). */
async function pack(entries: Entry[]): Promise<Buffer> {
  const p = tar.pack();
  const out: Buffer[] = [];
  p.on('data', (c) => out.push(c as Buffer));
  const done = new Promise<void>((r) => p.on('end', () => r()));
  for (const e of entries) {
    const type = e.type ?? (e.name.endsWith('/') ? 'directory' : 'file');
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') p.entry({ name: e.name, type, mtime: new Date(0) }, Buffer.from(e.data ?? ''), cb);
      else p.entry({ name: e.name, type, linkname: e.linkname, mtime: new Date(0) }, cb);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(out);
}

/** A block's files with recognisable contents. */
function blockEntries(snap = SNAP, block = BLOCK): Entry[] {
  return [
    { name: `${snap}/${block}/` },
    { name: `${snap}/${block}/chunks/` },
    { name: `${snap}/${block}/chunks/000001`, data: 'chunks-'.repeat(300) },
    { name: `${snap}/${block}/index`, data: 'index-'.repeat(500) },
    { name: `${snap}/${block}/meta.json`, data: JSON.stringify({ ulid: block, version: 1 }) },
    { name: `${snap}/${block}/tombstones`, data: 'tomb' },
  ];
}

const SMALL: Entry[] = [{ name: 'snapshots/' }, { name: `${SNAP}/` }, ...blockEntries()];

interface Seen {
  name: string;
  type: string;
  size: number;
  data: Buffer;
  error?: string;
}

/** Read an archive, consuming every member; `chunks` splits the input. */
async function read(input: Buffer | Readable, opts: { chunk?: number; visit?: (e: ArchiveEntry) => Promise<void> | void } = {}): Promise<ArchiveResult & { seen: Seen[] }> {
  const seen: Seen[] = [];
  let src: Readable;
  if (Buffer.isBuffer(input)) {
    const step = opts.chunk ?? 65536;
    const parts: Buffer[] = [];
    for (let i = 0; i < input.length; i += step) parts.push(input.subarray(i, i + step));
    src = Readable.from(parts);
  } else src = input;
  const visit =
    opts.visit ??
    (async (e: ArchiveEntry) => {
      const s: Seen = { name: e.name, type: e.type, size: e.size, data: Buffer.alloc(0) };
      seen.push(s);
      const parts: Buffer[] = [];
      try {
        for await (const c of e.stream) parts.push(c as Buffer);
      } catch (err) {
        s.error = (err as Error).message;
      }
      s.data = Buffer.concat(parts);
    });
  const r = await withTimeout(readArchive(src, visit), 20_000);
  return { ...r, seen };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

const errors = (f: Finding[]) => f.filter((x) => x.severity === 'error').map((x) => x.code);
const codes = (f: Finding[]) => f.map((x) => x.code);

/** A hand-written ustar header block with a correct checksum. */
function header(o: { name: string; size: number; type?: string; linkname?: string; base256?: boolean; prefix?: string }): Buffer {
  const b = Buffer.alloc(512);
  b.write(o.name, 0, 100, 'utf8');
  b.write('0000644\0', 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  if (o.base256) {
    b[124] = 0x80;
    let v = o.size;
    for (let i = 135; i > 124; i--) {
      b[i] = v % 256;
      v = Math.floor(v / 256);
    }
  } else b.write(o.size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  b.write('00000000000\0', 136, 'latin1');
  b[156] = (o.type ?? '0').charCodeAt(0);
  if (o.linkname) b.write(o.linkname, 157, 100, 'utf8');
  b.write('ustar\0' + '00', 257, 'latin1');
  if (o.prefix) b.write(o.prefix, 345, 155, 'utf8');
  return checksum(b);
}

function checksum(b: Buffer): Buffer {
  b.fill(32, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return b;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

const END = Buffer.alloc(1024);

describe('readArchive on the real fixtures', () => {
  for (const [file, buf, members, blocks] of [
    ['snapshot-full.tgz', FULL, 44, 7],
    ['overlap.tgz', OVERLAP, 32, 5],
  ] as const) {
    it(`${file}: no findings, every member and byte delivered`, async () => {
      const progress: number[] = [];
      const seen: Seen[] = [];
      const r = await readArchive(Readable.from([buf.subarray(0, 1000), buf.subarray(1000)]), async (e) => {
        const parts: Buffer[] = [];
        for await (const c of e.stream) parts.push(c as Buffer);
        seen.push({ name: e.name, type: e.type, size: e.size, data: Buffer.concat(parts) });
      }, { onProgress: (n) => progress.push(n) });
      expect(r.findings).toEqual([]);
      expect(r.gzip).toBe(true);
      expect(r.members).toBe(members);
      expect(r.bytesIn).toBe(buf.length);
      expect(progress.at(-1)).toBe(buf.length);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      // Every member is handed over, the top-level snapshots/ dir too (classify.ts places them).
      expect(seen.length).toBe(members);
      const files = seen.filter((s) => s.type === 'file');
      expect(files.length).toBe(blocks * 4);
      for (const f of files) expect(f.data.length).toBe(f.size);
      for (const f of files.filter((s) => s.name.endsWith('/meta.json'))) {
        expect(JSON.parse(f.data.toString()).ulid).toBe(f.name.split('/')[2]);
      }
      for (const f of files.filter((s) => s.name.endsWith('/index'))) expect(f.data.readUInt32BE(0)).toBe(0xbaaad700);
      for (const f of files.filter((s) => s.name.endsWith('/chunks/000001'))) expect(f.data.readUInt32BE(0)).toBe(0x85bd40dd);
      for (const s of seen) expect(s.name).toMatch(/^snapshots(\/\d{8}T\d{6}Z-[0-9a-f]{16}(\/[0-9A-Z]{26}(\/(index|meta\.json|tombstones|chunks(\/000001)?))?)?)?$/);
    });
  }

  it('reads the same members from the plain tar', async () => {
    const plain = zlib.gunzipSync(FULL);
    const a = await read(FULL);
    const b = await read(plain, { chunk: 4096 });
    expect(b.gzip).toBe(false);
    expect(b.findings).toEqual([]);
    expect(b.bytesIn).toBe(plain.length);
    expect(b.seen.map((s) => [s.name, s.size, s.data.toString('base64')])).toEqual(a.seen.map((s) => [s.name, s.size, s.data.toString('base64')]));
  });

  it('reads concatenated gzip members as one stream', async () => {
    const plain = zlib.gunzipSync(FULL);
    const cuts = [0, 1000, 77777, 150000, plain.length];
    const multi = Buffer.concat(cuts.slice(1).map((c, i) => zlib.gzipSync(plain.subarray(cuts[i], c))));
    const a = await read(FULL);
    const b = await read(multi, { chunk: 3000 });
    expect(b.findings).toEqual([]);
    expect(b.seen.map((s) => s.data.toString('base64'))).toEqual(a.seen.map((s) => s.data.toString('base64')));
  });
});

describe('readArchive on built archives', () => {
  it('gives the same result however the input is chunked (deflate ends on a chunk edge, too)', async () => {
    const t = await pack(SMALL);
    const two = Buffer.concat([zlib.gzipSync(t.subarray(0, 2000)), zlib.gzipSync(t.subarray(2000))]);
    const want = await read(two);
    expect(want.findings).toEqual([]);
    expect(want.seen.length).toBe(8);
    for (let cut = 1; cut < two.length; cut++) {
      const src = Readable.from([two.subarray(0, cut), two.subarray(cut)]);
      const got = await read(src);
      expect(got.findings, `cut at ${cut}`).toEqual([]);
      expect(got.seen.map((s) => s.data.toString())).toEqual(want.seen.map((s) => s.data.toString()));
    }
    for (const chunk of [1, 2, 7, 512]) {
      const got = await read(two, { chunk });
      expect(got.findings).toEqual([]);
      expect(got.seen.map((s) => s.data.toString())).toEqual(want.seen.map((s) => s.data.toString()));
    }
  });

  it('detects gzip by magic bytes, not by name: plain tar and .tgz', async () => {
    const t = await pack(SMALL);
    const plain = await read(t);
    const gz = await read(zlib.gzipSync(t));
    expect([plain.gzip, gz.gzip]).toEqual([false, true]);
    expect(plain.findings).toEqual([]);
    expect(gz.findings).toEqual([]);
    expect(plain.seen.find((s) => s.name.endsWith('/index'))!.data.toString()).toBe('index-'.repeat(500));
  });

  it('passes node Readable streams and directories with empty streams', async () => {
    const t = await pack(SMALL);
    const kinds: [string, boolean][] = [];
    await read(t, {
      visit: async (e) => {
        kinds.push([e.type, e.stream instanceof Readable]);
        e.stream.resume();
      },
    });
    expect(kinds).toEqual([['directory', true], ['directory', true], ['directory', true], ['directory', true], ['file', true], ['file', true], ['file', true], ['file', true]]);
  });
});

describe('gzip damage', () => {
  it('reports a .tgz cut short at several points as gzip-truncated, and ends the member stream', async () => {
    const tgz = zlib.gzipSync(await pack(SMALL));
    for (const cut of [3, 9, 12, Math.floor(tgz.length / 2), tgz.length - 9, tgz.length - 4, tgz.length - 1]) {
      const r = await read(tgz.subarray(0, cut));
      expect(errors(r.findings), `cut at ${cut}`).toEqual(['gzip-truncated']);
      expect(r.findings[0]!.message).toMatch(/cut short/);
      for (const s of r.seen) if (s.data.length < s.size) expect(s.error, s.name).toBeDefined();
    }
  });

  it('names the member that a truncation cuts through', async () => {
    const big = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
    const tgz = zlib.gzipSync(await pack([{ name: `${SNAP}/${BLOCK}/index`, data: big }]));
    const r = await read(tgz.subarray(0, Math.floor(tgz.length / 2)));
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ code: 'gzip-truncated', severity: 'error', snapshot: SNAP.slice(10), block: BLOCK, file: 'index' });
    expect(f.offset).toBeGreaterThan(0);
    expect(f.offset).toBeLessThan(big.length);
    expect(f.message).toContain(`reading member \`${SNAP}/${BLOCK}/index\``);
    expect(r.seen[0]!.error).toMatch(/unreadable inside/);
  });

  it('reports a flipped byte in the deflate data as gzip-corrupt', async () => {
    const tgz = zlib.gzipSync(await pack(SMALL));
    for (const at of [20, Math.floor(tgz.length / 2), tgz.length - 20]) {
      const bad = Buffer.from(tgz);
      bad[at]! ^= 0x10;
      const r = await read(bad);
      // Corrupt tar data may stop tar reading first; the gzip stream is still checked to its end.
      expect(errors(r.findings), `flip at ${at}`).toContain('gzip-corrupt');
    }
  });

  it('checks the CRC32 and ISIZE trailer', async () => {
    const tgz = zlib.gzipSync(await pack(SMALL));
    const crc = Buffer.from(tgz);
    crc[crc.length - 8]! ^= 1;
    const r1 = await read(crc);
    expect(errors(r1.findings)).toEqual(['gzip-corrupt']);
    expect(r1.findings[0]!.message).toMatch(/CRC32/);
    const isize = Buffer.from(tgz);
    isize[isize.length - 1]! ^= 1;
    const r2 = await read(isize);
    expect(errors(r2.findings)).toEqual(['gzip-corrupt']);
    expect(r2.findings[0]!.message).toMatch(/trailer says/);
  });

  it('does not blame the member being read for a CRC mismatch of an earlier gzip member', async () => {
    const t = await pack(SMALL);
    const first = zlib.gzipSync(t.subarray(0, 1024));
    first[first.length - 8]! ^= 1;
    const r = await read(Buffer.concat([first, zlib.gzipSync(t.subarray(1024))]));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toEqual({ severity: 'error', code: 'gzip-corrupt', message: expect.stringMatching(/^gzip member 1 .*CRC32/) });
  });

  it('reports garbage after the last gzip member, and still delivers every member whole', async () => {
    const t = await pack(SMALL);
    const good = await read(zlib.gzipSync(t));
    for (const junk of [Buffer.from('garbage!'), Buffer.from([0x1f, 0x41, 0x42]), Buffer.from([0, 0, 7])]) {
      const r = await read(Buffer.concat([zlib.gzipSync(t), junk]));
      expect(codes(r.findings)).toEqual(['gzip-trailing-garbage']);
      expect(r.findings[0]!.message).toContain(`${junk.length} bytes`);
      expect(r.seen.map((s) => s.data.toString())).toEqual(good.seen.map((s) => s.data.toString()));
    }
  });

  it('warns about zero padding after the last gzip member', async () => {
    const r = await read(Buffer.concat([zlib.gzipSync(await pack(SMALL)), Buffer.alloc(700)]));
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['gzip-trailing-zeros', 'warning']]);
  });

  it('checks gzip header fields: method, reserved flags, FNAME, FHCRC', async () => {
    const tgz = zlib.gzipSync(await pack(SMALL));
    const method = Buffer.from(tgz);
    method[2] = 7;
    expect(errors((await read(method)).findings)).toEqual(['gzip-corrupt']);
    const reserved = Buffer.from(tgz);
    reserved[3] = 0x20;
    expect(errors((await read(reserved)).findings)).toEqual(['gzip-corrupt']);
    // A header with a file name and a header CRC, as `gzip -N` writes.
    const h = Buffer.concat([tgz.subarray(0, 10), Buffer.from('snapshots.tar\0')]);
    h[3] = 8 | 2;
    const hcrc = Buffer.alloc(2);
    hcrc.writeUInt16LE(zlib.crc32(h) & 0xffff);
    const named = Buffer.concat([h, hcrc, tgz.subarray(10)]);
    expect((await read(named, { chunk: 5 })).findings).toEqual([]);
    named[h.length]! ^= 1;
    expect(errors((await read(named)).findings)).toEqual(['gzip-corrupt']);
  });
});

describe('tar damage', () => {
  it('reports a header checksum mismatch with its offset, after delivering the members before it', async () => {
    const t = await pack(SMALL);
    const at = 512 * 2; // the block dir's header (after snapshots/ and the snapshot dir)
    expect(t.toString('latin1', at, at + 9)).toBe('snapshots');
    t[at + 20]! ^= 0x01;
    for (const input of [t, zlib.gzipSync(t)]) {
      const r = await read(input);
      expect(codes(r.findings)).toEqual(['tar-bad-header']);
      expect(r.findings[0]!.message).toContain(`byte ${at} of the`);
      expect(r.seen.map((s) => s.name)).toEqual(['snapshots', SNAP]);
    }
  });

  it('reports a size field that is not a number', async () => {
    const h = header({ name: `${SNAP}/${BLOCK}/index`, size: 0 });
    h.write('12x', 124, 'latin1');
    const r = await read(Buffer.concat([checksum(h), END]));
    expect(codes(r.findings)).toEqual(['tar-bad-header']);
    expect(r.findings[0]!.message).toMatch(/size/);
  });

  it('reports data after the end-of-archive marker, and an appended tar by its first member', async () => {
    const t = await pack(SMALL);
    const junk = await read(Buffer.concat([t, Buffer.from('oops')]));
    expect(codes(junk.findings)).toEqual(['tar-trailing-garbage']);
    expect(junk.findings[0]!.message).toContain(`first non-zero byte at ${t.length}`);
    const two = Buffer.concat([t, await pack([{ name: `${SNAP}/extra`, data: 'x' }])]);
    const r = await read(zlib.gzipSync(two));
    expect(codes(r.findings)).toEqual(['tar-trailing-garbage']);
    expect(r.findings[0]!.message).toContain(`member \`${SNAP}/extra\``);
    expect(r.seen.some((s) => s.name.endsWith('/extra'))).toBe(false);
  });

  it('accepts zero padding after the marker (tar pads to 10 KiB records)', async () => {
    const t = await pack(SMALL);
    const r = await read(Buffer.concat([t, Buffer.alloc(10240 - (t.length % 10240))]));
    expect(r.findings).toEqual([]);
  });

  it('reports a missing or half end-of-archive marker as an error (a tar cut at a member boundary looks complete otherwise)', async () => {
    const t = await pack(SMALL);
    const none = await read(t.subarray(0, t.length - 1024));
    expect(none.findings.map((f) => [f.code, f.severity])).toEqual([['tar-no-end-marker', 'error']]);
    expect(none.seen.length).toBe(8);
    const one = await read(t.subarray(0, t.length - 512));
    expect(one.findings.map((f) => [f.code, f.severity])).toEqual([['tar-no-end-marker', 'error']]);
  });

  it('treats a lone zero block followed by members as the end, like GNU tar', async () => {
    const data = padded(Buffer.from('hello'));
    const t = Buffer.concat([header({ name: `${SNAP}/${BLOCK}/index`, size: 5 }), data, Buffer.alloc(512), header({ name: `${SNAP}/${BLOCK}/meta.json`, size: 5 }), data, END]);
    const r = await read(t);
    expect(codes(r.findings)).toEqual(['tar-trailing-garbage']);
    expect(r.seen.map((s) => s.name)).toEqual([`${SNAP}/${BLOCK}/index`]);
  });

  it('reports a tar cut inside a header or inside a member as tar-truncated', async () => {
    const t = await pack(SMALL);
    const inHeader = await read(t.subarray(0, 512 * 3 + 100));
    expect(codes(inHeader.findings)).toEqual(['tar-truncated']);
    expect(inHeader.findings[0]!.message).toMatch(/inside the tar header at byte 1536/);
    const idx = t.indexOf('index-index-');
    const inData = await read(t.subarray(0, idx + 1000));
    expect(codes(inData.findings)).toEqual(['tar-truncated']);
    expect(inData.findings[0]).toMatchObject({ block: BLOCK, file: 'index', offset: 1000 });
    const s = inData.seen.find((x) => x.name.endsWith('/index'))!;
    expect(s.data.length).toBe(1000);
    expect(s.error).toMatch(/ends inside/);
    // Cut in the padding after the data: GNU tar calls this an unexpected EOF too.
    const inPad = await read(t.subarray(0, idx + 3000 + 10));
    expect(codes(inPad.findings)).toEqual(['tar-truncated']);
  });

  it('streams a member that declares 1 TB but is cut short, without allocating it', async () => {
    const before = process.memoryUsage().rss;
    for (const base256 of [true, false]) {
      const size = base256 ? 2 ** 40 : 8 * 2 ** 30 - 1; // octal tops out at 8 GiB - 1
      const t = Buffer.concat([header({ name: `${SNAP}/${BLOCK}/chunks/000001`, size, base256 }), Buffer.alloc(1000, 7)]);
      for (const input of [t, zlib.gzipSync(t)]) {
        const r = await read(input);
        expect(codes(r.findings)).toEqual(['tar-truncated']);
        expect(r.findings[0]).toMatchObject({ file: 'chunks/000001', offset: 1000 });
        expect(r.findings[0]!.message).toContain(`1000 of its ${size} bytes`);
        expect(r.seen[0]!.size).toBe(size);
        expect(r.seen[0]!.data.length).toBe(1000);
        expect(r.seen[0]!.error).toBeDefined();
      }
    }
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20);
  });

  it('refuses a pax header too large to be real, without reading it', async () => {
    const t = Buffer.concat([header({ name: 'PaxHeader', size: 64 * 2 ** 20, type: 'x' }), Buffer.alloc(512)]);
    const r = await read(t);
    expect(codes(r.findings)).toEqual(['tar-bad-header']);
    expect(r.bytesIn).toBe(1024);
  });

  it('reports a text file, an empty file and other formats as not-an-archive', async () => {
    const text = await read(Buffer.from('this is not a tarball\n'.repeat(100)));
    expect(codes(text.findings)).toEqual(['not-an-archive']);
    expect(text.findings[0]!.message).toMatch(/neither gzip nor tar/);
    const empty = await read(Buffer.alloc(0));
    expect(codes(empty.findings)).toEqual(['not-an-archive']);
    expect(empty.findings[0]!.message).toMatch(/empty/);
    const gzText = await read(zlib.gzipSync('hello\n'.repeat(200)));
    expect(codes(gzText.findings)).toEqual(['not-an-archive']);
    expect(gzText.findings[0]!.message).toMatch(/gzip data does not hold a tar archive/);
    const gzEmpty = await read(zlib.gzipSync(Buffer.alloc(0)));
    expect(gzEmpty.findings[0]!.message).toMatch(/decompresses to 0 bytes/);
    const xz = await read(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 1, 2, 3]));
    expect(xz.findings[0]!.message).toMatch(/xz/);
  });

  it('reports an input stream error as input-error', async () => {
    const tgz = zlib.gzipSync(await pack(SMALL));
    const src = new Readable({ read() {} });
    src.push(tgz.subarray(0, 200));
    setTimeout(() => src.destroy(new Error('EIO: i/o error')), 10);
    const r = await read(src);
    expect(codes(r.findings)).toEqual(['input-error']);
    expect(r.findings[0]!.message).toMatch(/EIO/);
  });
});

describe('member names and types', () => {
  it('reports ../ and absolute members as unsafe-member and never visits them', async () => {
    const t = await pack([{ name: 'snapshots/../../etc/passwd', data: 'x' }, { name: '/etc/shadow', data: 'y' }, { name: `${SNAP}/${BLOCK}/index`, data: 'ok' }]);
    const r = await read(t);
    expect(codes(r.findings)).toEqual(['unsafe-member', 'unsafe-member']);
    expect(r.findings[0]!.message).toContain('`snapshots/../../etc/passwd` has a `..` path component');
    expect(r.findings[1]!.message).toContain('`/etc/shadow` has an absolute path');
    expect(r.seen.map((s) => s.name)).toEqual([`${SNAP}/${BLOCK}/index`]);
  });

  it('reports links, devices and FIFOs as unsafe-member, skipping them', async () => {
    const t = await pack([
      { name: `${SNAP}/${BLOCK}/index`, type: 'symlink', linkname: '/etc/passwd' },
      { name: `${SNAP}/${BLOCK}/meta.json`, type: 'link', linkname: 'snapshots/x/meta.json' },
      { name: `${SNAP}/${BLOCK}/tombstones`, type: 'character-device' },
      { name: `${SNAP}/${BLOCK}/chunks/000001`, type: 'block-device' },
      { name: `${SNAP}/${BLOCK}/fifo`, type: 'fifo' },
      { name: `${SNAP}/${BLOCK}/chunks/000002`, data: 'real' },
    ]);
    const r = await read(t);
    expect(r.findings.map((f) => [f.code, f.severity, f.file])).toEqual([
      ['unsafe-member', 'error', 'index'],
      ['unsafe-member', 'error', 'meta.json'],
      ['unsafe-member', 'error', 'tombstones'],
      ['unsafe-member', 'error', 'chunks/000001'],
      ['unsafe-member', 'error', 'fifo'],
    ]);
    expect(r.findings.map((f) => f.message.match(/ (is a [a-zA-Z ]+)/)![1]!.trim())).toEqual(['is a symbolic link to', 'is a hard link to', 'is a character device', 'is a block device', 'is a FIFO']);
    expect(r.findings[0]!.message).toContain('`/etc/passwd`');
    expect(r.seen.map((s) => [s.name, s.data.toString()])).toEqual([[`${SNAP}/${BLOCK}/chunks/000002`, 'real']]);
  });

  it('hands over every safe member wherever it is, names normalized (classify.ts says where it belongs)', async () => {
    const bare = SNAP.slice('snapshots/'.length);
    const t = await pack([{ name: './' }, { name: './snapshots/' }, { name: 'README', data: 'x' }, { name: 'data/wal/000001', data: 'y' }, { name: `./${bare}/${BLOCK}/index`, data: 'i' }, { name: `${SNAP}//${BLOCK}/./index`, data: 'ok' }]);
    const r = await read(t);
    expect(r.findings).toEqual([]);
    expect(r.seen.map((s) => s.name)).toEqual(['snapshots', 'README', 'data/wal/000001', `${bare}/${BLOCK}/index`, `${SNAP}/${BLOCK}/index`]);
  });

  it('reads pax long names (tar-stream) and GNU long names', async () => {
    const longDir = `${SNAP}/${BLOCK}/` + 'x'.repeat(150);
    const longFile = `${SNAP}/${BLOCK}/chunks/` + 'y'.repeat(120);
    const viaPax = await pack([{ name: longFile, data: 'pax' }, { name: longDir + '/', type: 'directory' }]);
    expect(viaPax.includes('path=')).toBe(true);
    const gnuName = Buffer.from(`${SNAP}/${BLOCK}/` + 'g'.repeat(200) + '\0');
    const viaGnu = Buffer.concat([header({ name: '././@LongLink', size: gnuName.length, type: 'L' }), padded(gnuName), header({ name: 'truncated-name', size: 3 }), padded(Buffer.from('gnu')), END]);
    // ustar's own split: 155-byte prefix + 100-byte name.
    const viaPrefix = Buffer.concat([header({ name: 'meta.json', size: 2, prefix: `${SNAP}/${BLOCK}` }), padded(Buffer.from('{}')), END]);
    const r1 = await read(viaPax);
    expect(r1.findings).toEqual([]);
    expect(r1.seen.map((s) => [s.name, s.data.toString()])).toEqual([
      [longFile, 'pax'],
      [longDir, ''],
    ]);
    const r2 = await read(viaGnu);
    expect(r2.findings).toEqual([]);
    expect(r2.seen.map((s) => [s.name, s.data.toString()])).toEqual([[`${SNAP}/${BLOCK}/` + 'g'.repeat(200), 'gnu']]);
    const r3 = await read(zlib.gzipSync(viaPrefix));
    expect(r3.seen.map((s) => s.name)).toEqual([`${SNAP}/${BLOCK}/meta.json`]);
  });

  it('takes the size from a pax header over the ustar field', async () => {
    const pax = Buffer.from('12 size=700\n');
    const data = Buffer.alloc(700, 1);
    const t = Buffer.concat([header({ name: 'PaxHeader', size: pax.length, type: 'x' }), padded(pax), header({ name: `${SNAP}/${BLOCK}/index`, size: 0 }), padded(data), END]);
    const r = await read(t);
    expect(r.findings).toEqual([]);
    expect(r.seen.map((s) => s.data.length)).toEqual([700]);
  });

  it('warns about tar entry types it does not read, and goes on', async () => {
    const t = Buffer.concat([header({ name: 'volume-label', size: 0, type: 'V' }), header({ name: `${SNAP}/${BLOCK}/index`, size: 2 }), padded(Buffer.from('ok')), END]);
    const r = await read(t);
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['unsupported-member', 'warning']]);
    expect(r.seen.map((s) => s.name)).toEqual([`${SNAP}/${BLOCK}/index`]);
  });
});

describe('visitors', () => {
  const big = Buffer.alloc(3 * 2 ** 20, 5);
  const files = (): Entry[] => [
    { name: `${SNAP}/${BLOCK}/chunks/000001`, data: big },
    { name: `${SNAP}/${BLOCK}/index`, data: 'after' },
  ];

  it('does not hang when a visitor ignores its stream', async () => {
    const t = zlib.gzipSync(await pack(files()));
    const names: string[] = [];
    const r = await withTimeout(readArchive(Readable.from([t]), (e) => void names.push(e.name)), 10_000);
    expect(r.findings).toEqual([]);
    expect(names).toEqual([`${SNAP}/${BLOCK}/chunks/000001`, `${SNAP}/${BLOCK}/index`]);
  });

  it('does not crash when the archive is cut inside a member whose visitor has no error listener', async () => {
    const t = zlib.gzipSync(await pack(files()));
    for (const cut of [t.length >> 1, t.length - 4]) {
      const r = await withTimeout(
        readArchive(Readable.from([t.subarray(0, cut)]), async (e) => {
          e.stream.on('data', () => {});
          await new Promise((res) => setTimeout(res, 5));
        }),
        10_000,
      );
      expect(codes(r.findings)).toEqual(['gzip-truncated']);
    }
  });

  it('goes on when a visitor destroys its stream part way', async () => {
    const t = await pack(files());
    let after = '';
    const r = await withTimeout(
      readArchive(Readable.from([t]), async (e) => {
        if (e.name.endsWith('000001')) {
          for await (const _ of e.stream) break;
          return;
        }
        for await (const c of e.stream) after += c;
      }),
      10_000,
    );
    expect(r.findings).toEqual([]);
    expect(after).toBe('after');
  });

  it('delivers everything to a slow visitor (backpressure)', async () => {
    const t = zlib.gzipSync(await pack(files()));
    let n = 0;
    const r = await readArchive(Readable.from([t]), async (e) => {
      for await (const c of e.stream) {
        n += (c as Buffer).length;
        await new Promise((res) => setImmediate(res));
      }
    });
    expect(r.findings).toEqual([]);
    expect(n).toBe(big.length + 5);
  });

  it('reports a visitor that throws as visit-failed and goes on', async () => {
    const t = await pack(files());
    const names: string[] = [];
    const r = await readArchive(Readable.from([t]), (e) => {
      names.push(e.name);
      if (e.name.endsWith('000001')) throw new Error('boom');
      e.stream.resume();
    });
    expect(r.findings.map((f) => [f.code, f.file])).toEqual([['visit-failed', 'chunks/000001']]);
    expect(r.findings[0]!.message).toMatch(/boom/);
    expect(names.length).toBe(2);
  });
});

describe('damaged archives never throw or hang (property)', () => {
  let tgz: Buffer;
  let plain: Buffer;

  const consume = async (e: ArchiveEntry) => {
    for await (const _ of e.stream);
  };

  /** zlib's own verdict on a .tgz: its output, or undefined when it rejects the bytes. */
  const gunzipped = (b: Buffer): Buffer | undefined => {
    try {
      return zlib.gunzipSync(b);
    } catch {
      return undefined;
    }
  };

  it('random byte flips and truncations of a small .tgz always resolve with findings', async () => {
    plain = await pack(SMALL);
    tgz = zlib.gzipSync(plain);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(tgz.length - 1), xor: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(tgz.length - 1), xor: fc.constant(0) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 4096 }), async (muts, chunk) => {
        let buf = Buffer.from(tgz);
        let cut = false;
        for (const m of muts) {
          if (m.kind === 'cut' && m.at < buf.length) {
            buf = buf.subarray(0, m.at);
            cut = true;
          } else if (m.kind === 'flip' && m.at < buf.length) buf[m.at]! ^= m.xor;
        }
        const r = await read(buf, { chunk, visit: consume });
        for (const f of r.findings) expect(typeof f.message).toBe('string');
        expect(codes(r.findings)).not.toContain('internal-error');
        // Whatever zlib rejects (checksummed data changed, or cut short) is an error here too.
        if (cut || gunzipped(buf) === undefined) expect(errors(r.findings).length).toBeGreaterThan(0);
      }),
      { seed: 20251122, numRuns: 300 },
    );
  });

  it('a single flip or cut past the gzip header is a gzip error unless zlib finds the data unchanged (property)', async () => {
    plain ??= await pack(SMALL);
    tgz ??= zlib.gzipSync(plain);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 10, max: tgz.length - 1 }), fc.integer({ min: 0, max: 255 }), async (at, xor) => {
        const buf = xor === 0 ? tgz.subarray(0, at) : Buffer.from(tgz);
        if (xor !== 0) buf[at]! ^= xor;
        const r = await read(buf, { visit: consume });
        const out = gunzipped(buf);
        // Deflate has bits nothing reads (the last byte's padding, some Huffman table entries).
        if (out?.equals(plain)) expect(r.findings).toEqual([]);
        else expect(errors(r.findings).filter((c) => c.startsWith('gzip-')).length, `${xor === 0 ? 'cut' : 'flip'} at ${at}`).toBeGreaterThan(0);
      }),
      { seed: 99, numRuns: 300 },
    );
  });

  it('random flips in tar headers always give tar-bad-header (or not-an-archive for the first)', async () => {
    plain ??= await pack(SMALL);
    const headers: number[] = [];
    for (let at = 0; at < plain.length - 1024; ) {
      headers.push(at);
      const size = parseInt(plain.toString('latin1', at + 124, at + 135), 8);
      at += 512 + Math.ceil(size / 512) * 512;
    }
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...headers), fc.nat(511), fc.integer({ min: 1, max: 255 }), async (h, i, xor) => {
        fc.pre(i < 148 || i >= 156); // the checksum field's own terminator bytes are not summed
        const buf = Buffer.from(plain);
        buf[h + i]! ^= xor;
        const r = await read(buf, { visit: consume });
        expect(errors(r.findings)).toEqual([h === 0 ? expect.stringMatching(/^(tar-bad-header|not-an-archive)$/) : 'tar-bad-header']);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
