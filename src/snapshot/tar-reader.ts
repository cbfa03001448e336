// The tar archive walk: header after header, member data streamed to a
// visitor with backpressure, and every problem a finding. Headers are parsed
// here, not by tar-stream, because its extract skips zero blocks and reads
// on (so it cannot see the end-of-archive marker, where GNU tar stops), does
// not say where a bad header is, and aborts the whole archive when a consumer
// destroys one entry stream.

import { PassThrough } from 'node:stream';
import type { Finding } from '../encoding/errors.js';
import { firstNonZero, type Pull } from './pull.js';
import {
  BLOCK,
  clip,
  guessFormat,
  isZero,
  looksLikeTar,
  normalize,
  parseHeader,
  parsePax,
  paxSize,
  TYPES,
  unsafePath,
  unsafeReason,
  where,
  type TarHeader,
} from './tar-header.js';
import type { ArchiveEntry } from './stream.js';
import { CappedFindings, notListed } from '../encoding/capped.js';
import { Code, type FindingCode } from '../encoding/finding-codes.js';
import { TarTree, type NodeKind } from './tar-tree.js';
import { readSparseMap, readSparseText, type SparseMap } from './tar-sparse.js';

/** Pax and GNU long-name records are read whole; real ones are a few hundred bytes. */
const MAX_META = 1 << 20;
/** Findings of one kind about single members beyond this many are only counted. */
/**
 * A Prometheus snapshot holds a dir per block and 4-5 members per block, plus one per
 * 512 MiB chunk segment: 100,000 members is some 20,000 blocks or 50 TB of chunks, far
 * beyond one Prometheus. More is a hostile archive (a million tiny members), and each
 * member costs a little memory (its name, for the layout check and hard links).
 */
export const MAX_MEMBERS = 100_000;
/**
 * Zeros a sparse member's holes may add, per byte it takes in the archive (about what
 * deflate can expand a byte to), and in the whole archive: a map that declares terabytes
 * of holes must not become terabytes streamed, nor an index that size held in memory.
 */
const MAX_HOLES_PER_BYTE = 1024;
const MAX_HOLES = 1 << 30;

type Where = Pick<Finding, 'snapshot' | 'block' | 'file' | 'offset'>;

export interface TarOptions {
  /** Deliver hard links to earlier regular files as `link` entries. */
  hardLinks?: boolean;
  /** Members read before too-many-members (default MAX_MEMBERS; lower only to test that limit). */
  maxMembers?: number;
  /** Asked before each header: true stops reading there (the reader wants nothing more). */
  stop?: () => boolean;
}

export class TarReader {
  members = 0;
  /** Reading stopped because `stop` said so, not at the archive's end. */
  stopped = false;
  /** The member being read, to name it when the stream fails under it. */
  current: { raw: string; where: Where } | undefined;
  /** The tree tar x builds, and the files handed to the visitor in it (for hard links to them). */
  private readonly tree = new TarTree();
  /** Zeros added to sparse members' holes so far. */
  private holes = 0;

  constructor(
    private readonly src: Pull,
    private readonly visit: (e: ArchiveEntry) => Promise<void> | void,
    private readonly findings: Finding[],
    private readonly gzip: boolean,
    private readonly opts: TarOptions = {},
  ) {
    // Members outside snapshots/ are summed up in their own words.
    this.listed = new CappedFindings(findings, (code, more, all) => (code === Code.OutsideSnapshots ? `${more} more members are not under snapshots/<snapshot>/ (not listed one by one)` : notListed(code, more, all)));
  }

  /** Findings about single members, capped per kind. */
  private readonly listed: CappedFindings;

  private pos(n: number): string {
    return `byte ${n} of the ${this.gzip ? 'decompressed ' : ''}tar stream`;
  }

  async run(): Promise<void> {
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Map<string, string> | undefined;
    for (;;) {
      this.current = undefined;
      if (this.opts.stop?.()) {
        this.stopped = true;
        return;
      }
      const at = this.src.offset;
      const block = await this.src.read(BLOCK);
      if (at === 0 && !isZero(block) && !looksLikeTar(block) && (block.length < BLOCK || typeof parseHeader(block) === 'string')) {
        const what = this.gzip ? 'the gzip data does not hold a tar archive' : 'the input is neither gzip nor tar';
        return this.fail(Code.NotAnArchive, `${what}: ${this.gzip && block.length === 0 ? 'it decompresses to 0 bytes' : guessFormat(block)}`);
      }
      if (block.length === 0) {
        return this.fail(Code.TarNoEndMarker, `the tar stream ends at ${this.pos(at)} without an end-of-archive marker (two zero blocks), which tar always writes: the archive is incomplete (was tar interrupted, or the file cut at a member boundary?)`);
      }
      if (block.length < BLOCK) return this.fail(Code.TarTruncated, `the archive ends inside the tar header at ${this.pos(at)}: it is cut short`);
      if (isZero(block)) return this.readEnd(at);
      const h = parseHeader(block);
      if (typeof h === 'string') return this.fail(Code.TarBadHeader, `bad tar header at ${this.pos(at)}: ${h}; reading stops here`);

      if (h.flag === 'x' || h.flag === 'L' || h.flag === 'K' || h.flag === 'g') {
        // Extended headers describe the next member; they are small, so read them whole.
        if (h.size > MAX_META) return this.fail(Code.TarBadHeader, `extended header at ${this.pos(at)} declares ${h.size} bytes (limit ${MAX_META})`);
        const data = await this.src.read(h.size);
        if (data.length < h.size || !(await this.skipPadding(h.size, at))) return this.fail(Code.TarTruncated, `the archive ends inside the extended header at ${this.pos(at)}: it is cut short`);
        if (h.flag === 'x') {
          pax = parsePax(data);
          if (!pax) return this.fail(Code.TarBadHeader, `malformed pax header at ${this.pos(at)}`);
        } else if (h.flag !== 'g') {
          // A pax global header ('g') changes nothing about where members go.
          const z = data.indexOf(0);
          const s = data.toString('utf8', 0, z < 0 ? data.length : z);
          if (h.flag === 'L') longName = s;
          else longLink = s;
        }
        continue;
      }
      const size = pax?.has('size') ? paxSize(pax.get('size')!) : h.size;
      if (size === undefined) return this.fail(Code.TarBadHeader, `bad pax size \`${clip(pax!.get('size')!)}\` for the member at ${this.pos(at)}`);
      // GNU.sparse.name: the real name of a sparse member (formats 0.1, 1.0).
      const name = pax?.get('GNU.sparse.name') ?? pax?.get('path') ?? longName ?? h.name;
      const linkname = pax?.get('linkpath') ?? longLink ?? h.linkname;
      const sparse = TYPES[h.flag] === 'file' ? await readSparseMap(this.src, block, h.flag, pax, size, this.pos(at)) : undefined;
      pax = longName = longLink = undefined;
      const max = this.opts.maxMembers ?? MAX_MEMBERS;
      if (++this.members > max) {
        this.members--;
        return this.fail(
          Code.TooManyMembers,
          `the archive holds more than ${max} members (the next at ${this.pos(at)}); a Prometheus snapshot of even 20,000 blocks has fewer, so reading stops here and the rest is not checked`,
        );
      }
      if (!(await this.member(at, name, linkname, h.flag, size, sparse))) return;
    }
  }

  /** One member; false when reading must stop. */
  private async member(at: number, raw: string, linkname: string, flag: string, size: number, sparse?: SparseMap): Promise<boolean> {
    let type = TYPES[flag];
    if (type === 'file' && flag === '0' && raw.endsWith('/')) type = 'directory'; // pre-POSIX tars
    const path = normalize(raw);
    this.current = { raw: clip(raw), where: where(path) };
    if (type === undefined) {
      this.list('warning', Code.UnsupportedMember, `member \`${clip(raw)}\` has tar entry type '${flag}', which tsdb-inspect does not read; it is skipped`, where(path));
      return this.skip(at, raw, size);
    }
    const why = unsafeReason(raw, type, linkname);
    if (why) {
      this.list('error', Code.UnsafeMember, `member \`${clip(raw)}\` ${why}; it is not read or followed`, where(path));
      return this.skip(at, raw, size);
    }
    if (path === '') return this.skip(at, raw, size); // the archive's top dir (`./`) holds nothing itself
    if (type === 'link') return this.link(at, raw, path, linkname, size);
    return this.deliver(at, raw, path, type, size, sparse);
  }

  /**
   * Place a member in the tree tar x builds (tar-tree.ts): false, with an error, when tar x
   * fails on it (it is not restored); a warning when it replaces an earlier member.
   */
  private place(raw: string, name: string, kind: NodeKind): { ok: boolean; replaced?: NodeKind } {
    if (name === '') return { ok: true };
    const r = this.tree.place(name, kind);
    const w = this.current!.where;
    if ('fails' in r) {
      this.list('error', Code.MemberTypeClash, `member \`${clip(raw)}\` is not restored: ${r.fails}; tar x reports it and exits with status 2`, w);
      return { ok: false };
    }
    if (r.replaced === 'file') {
      this.list('warning', Code.MemberTypeClash, `member \`${clip(raw)}\` is a directory where an earlier member is a file: tar x removes the file (its data is lost) and makes the directory`, w);
    } else if (r.replaced === 'directory') {
      this.list('warning', Code.MemberTypeClash, `member \`${clip(raw)}\` is a file where an earlier member is an empty directory: tar x removes the directory`, w);
    }
    return { ok: true, replaced: r.replaced };
  }

  /**
   * A hard link: GNU tar stores a second path to one file (Prometheus hard-links the
   * blocks of a snapshot, and two snapshots may share a block) as a link to the first
   * copy. One to an earlier regular file of the archive is read as a copy of it;
   * anything else could point tar at a file outside the archive.
   */
  private async link(at: number, raw: string, name: string, linkname: string, size: number): Promise<boolean> {
    const target = normalize(linkname);
    const targetSize = unsafePath(linkname) === undefined ? this.tree.readFile(target) : undefined;
    if (!this.opts.hardLinks || targetSize === undefined) {
      const why = this.opts.hardLinks ? 'which is not an earlier regular file of the archive' : 'which this reader does not follow';
      this.list('error', Code.UnsafeMember, `member \`${clip(raw)}\` is a hard link to \`${clip(linkname)}\`, ${why}; it is not read or followed`, this.current!.where);
      return this.skip(at, raw, size);
    }
    const placed = this.place(raw, name, 'file');
    if (!placed.ok) return this.skip(at, raw, size);
    this.list('warning', Code.HardLink, `member \`${clip(raw)}\` is a hard link to \`${clip(linkname)}\` (how tar stores a second path to one file, e.g. a block shared by two snapshots); it is checked as a copy of it`, this.current!.where);
    // A hard link has no data of its own (size 0); skip whatever a writer put there.
    if (!(await this.skip(at, raw, size))) return false;
    this.tree.read(name, targetSize);
    const stream = new PassThrough();
    stream.end();
    try {
      await this.visit({ name, type: 'link', size: targetSize, linkTarget: target, replaced: placed.replaced, stream });
    } catch (e) {
      this.fail(Code.VisitFailed, `checking member \`${clip(raw)}\` failed: ${e instanceof Error ? e.message : String(e)}`, where(name));
    }
    return true;
  }

  private async skip(at: number, raw: string, size: number): Promise<boolean> {
    const got = await this.src.skip(size);
    if (got === size && (await this.skipPadding(size, at))) return true;
    this.fail(Code.TarTruncated, `the archive ends inside member \`${clip(raw)}\` (from ${this.pos(at)}) after ${got} of its ${size} bytes: it is cut short`, { ...this.current?.where, offset: got });
    return false;
  }

  /**
   * A sparse member made ready to restore: a pax 1.0 map read from the start of its data,
   * and its holes held to MAX_HOLES_PER_BYTE and MAX_HOLES. The data bytes left, or, when
   * it is not delivered (reported), whether reading goes on. A bad map ends reading (a Fault).
   */
  private async sparseData(at: number, raw: string, sparse: SparseMap, size: number): Promise<number | boolean> {
    const left = sparse.inData ? await readSparseText(this.src, sparse, size, this.pos(at)) : size;
    const holes = sparse.real - left;
    if (holes > MAX_HOLES_PER_BYTE * (this.src.offset - at + left) || this.holes + holes > MAX_HOLES) {
      this.list(
        'warning',
        Code.UnsupportedMember,
        `member \`${clip(raw)}\` is a sparse file of ${sparse.real} bytes with ${left} stored: tsdb-inspect fills holes of at most ${MAX_HOLES_PER_BYTE} bytes per byte in the archive and ${MAX_HOLES} bytes in all, so it is skipped`,
        this.current?.where,
      );
      return this.skip(at, raw, left);
    }
    this.holes += holes;
    return left;
  }

  /** Hand a member to the visitor, streaming its data (holes as zeros) with backpressure. */
  private async deliver(at: number, raw: string, name: string, type: string, size: number, sparse?: SparseMap): Promise<boolean> {
    const placed = this.place(raw, name, type === 'directory' ? 'directory' : 'file');
    if (!placed.ok) return this.skip(at, raw, size);
    const ready = sparse && type === 'file' ? await this.sparseData(at, raw, sparse, size) : size;
    if (typeof ready === 'boolean') return ready;
    const stored = ready;
    const real = sparse && type === 'file' ? sparse.real : stored;
    const stream = new PassThrough({ highWaterMark: 1 << 16 });
    // A visitor that does not listen for errors must not crash the process.
    stream.on('error', () => {});
    let failed = false;
    const visiting = Promise.resolve()
      .then(() => this.visit({ name, type, size: type === 'directory' ? 0 : real, replaced: placed.replaced, stream }))
      .catch((e: unknown) => {
        if (!failed) this.fail(Code.VisitFailed, `checking member \`${clip(raw)}\` failed: ${e instanceof Error ? e.message : String(e)}`, where(name));
      })
      .finally(() => stream.resume()); // discard whatever the visitor left
    /** Bytes read from the archive, and the offset reached in the file as restored. */
    let got = 0;
    let pos = 0;
    const put = async (b: Buffer) => {
      pos += b.length;
      if (type === 'file' && !stream.destroyed && !stream.write(b)) await drained(stream);
    };
    const zerosTo = async (end: number) => {
      if (type !== 'file' || stream.destroyed) pos = Math.max(pos, end);
      while (pos < end) await put(Buffer.alloc(Math.min(1 << 16, end - pos)));
    };
    try {
      const offsets = sparse && type === 'file' ? sparse.offsets : [0];
      const lengths = sparse && type === 'file' ? sparse.lengths : [stored];
      for (let k = 0; k < offsets.length; k++) {
        await zerosTo(offsets[k]!);
        let left = lengths[k]!;
        while (left > 0) {
          const b = await this.src.take(left);
          if (b.length === 0) break;
          got += b.length;
          left -= b.length;
          await put(b);
        }
        if (left > 0) break;
      }
      if (got === stored) await zerosTo(real);
      if (got === stored && (await this.skipPadding(stored, at))) {
        if (type === 'file') this.tree.read(name, real);
        stream.end();
        await visiting;
        return true;
      }
      this.fail(Code.TarTruncated, `the archive ends inside member \`${clip(raw)}\` (from ${this.pos(at)}) after ${got} of its ${stored} bytes: it is cut short`, { ...where(name), offset: pos });
      failed = true;
      stream.destroy(new Error(`archive ends inside ${clip(name)} after ${got} of ${stored} bytes`));
      await visiting;
      return false;
    } catch (e) {
      failed = true;
      if (this.current) this.current.where.offset = pos;
      stream.destroy(new Error(`archive is unreadable inside ${clip(name)} after ${got} of ${stored} bytes: ${e instanceof Error ? e.message : String(e)}`));
      await visiting;
      throw e;
    }
  }

  /**
   * The zeros that fill a member's data to a whole block. Tar never reads them, so
   * other bytes there change nothing extracted: a warning, not an error.
   */
  private async skipPadding(size: number, at: number): Promise<boolean> {
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (pad === 0) return true;
    const b = await this.src.read(pad);
    const i = firstNonZero(b);
    if (i >= 0) {
      this.list('warning', Code.TarPadding, `the padding after the member at ${this.pos(at)} holds a non-zero byte at ${this.pos(this.src.offset - b.length + i)}; tar ignores it, but no tar writes it`, this.current?.where);
    }
    return b.length === pad;
  }

  /** After a zero block: the end of the archive. tar ignores what follows, so it must be zeros. */
  private async readEnd(at: number): Promise<void> {
    const second = await this.src.read(BLOCK);
    if (second.length < BLOCK && firstNonZero(second) < 0) {
      this.fail(Code.TarNoEndMarker, `the tar stream ends ${second.length ? 'inside the second' : 'after one'} zero block at ${this.pos(at)}; the end-of-archive marker is two whole blocks, which tar always writes: the archive is incomplete`);
      return;
    }
    this.src.unread(second);
    let nonZeroAt = -1;
    let next: TarHeader | string | undefined;
    await this.src.skip(Number.MAX_SAFE_INTEGER, (b) => {
      if (nonZeroAt >= 0) return;
      const i = firstNonZero(b);
      if (i < 0) return;
      nonZeroAt = this.src.offset - b.length + i;
      if (nonZeroAt % BLOCK === 0 && i + BLOCK <= b.length) next = parseHeader(b.subarray(i, i + BLOCK));
    });
    if (nonZeroAt < 0) return;
    // A whole header there means another archive was appended (cat a.tar b.tar).
    const more = typeof next === 'object' ? ` It starts with member \`${clip(next.name)}\`: was another tar appended (cat a.tar b.tar)? tar reads only up to the marker unless given --ignore-zeros.` : '';
    this.fail(
      Code.TarTrailingGarbage,
      `data follows the end-of-archive marker at ${this.pos(at)} (first non-zero byte at ${nonZeroAt}, ${this.src.offset - nonZeroAt} bytes to the end); tar stops at the marker, so it is never restored.${more}`,
    );
  }

  /** Findings that summarize the whole archive. */
  finish(): void {
    this.listed.close();
  }

  /** A finding about one member, of a kind that a hostile archive can repeat a million times. */
  private list(severity: Finding['severity'], code: FindingCode, message: string, w: Where = {}): void {
    if (this.listed.admit(severity, code)) this.findings.push({ severity, code, ...w, message });
  }

  fail(code: FindingCode, message: string, w: Where = {}): void {
    this.findings.push({ severity: 'error', code, ...w, message });
  }
}

/** Resolves when a full stream can take more, or is gone. */
function drained(s: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}
