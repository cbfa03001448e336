// Read a snapshot archive (.tar or .tar.gz, from any stream) in one pass:
// nothing is extracted, nothing is held whole, and every problem becomes a
// Finding. Gzip is recognised by its magic bytes, not by the file name.
//
// The pieces: pull.ts (a pull reader over the input), gzip.ts (gzip members
// over raw inflate), tar-header.ts (header blocks and member safety) and
// tar-reader.ts (the walk over members).

import type { Readable } from 'node:stream';
import type { Finding } from '../encoding/errors.js';
import { gunzip, isGzipMagic } from './gzip.js';
import { gunzipThread, THREAD_ABOVE } from './gunzip-thread.js';
import { Fault, Pull } from './pull.js';
import { TarReader } from './tar-reader.js';
import { prefetch } from './prefetch.js';
import { Code } from '../encoding/finding-codes.js';

/** How far decompression may run ahead of the tar parser. */
const PREFETCH_BYTES = 8 << 20;

export interface ArchiveEntry {
  /** Member path, normalized (no `./`, no `//`, no trailing `/`); classify.ts says where it belongs. */
  name: string;
  /**
   * `file` or `directory`; with the `hardLinks` option also `link`: a hard link to an
   * earlier `file` entry (`linkTarget`), whose content is that file's. Nothing else is
   * passed to the visitor.
   */
  type: string;
  /** Bytes of data; for a link, its target's size. */
  size: number;
  /** For a `link`: the normalized path of the earlier file it links to. */
  linkTarget?: string;
  /**
   * What tar x removes to put this member in its place (tar-tree.ts): an earlier `file`
   * (under a directory) or an empty `directory` (under a file or link). A file in place of
   * a file is not named here: tar x replaces it too, as readers of a later copy expect.
   */
  replaced?: 'file' | 'directory';
  /**
   * The member's data; must be consumed or resumed by the visitor before its promise
   * settles (what is left is then discarded). Errors (with the archive's finding as
   * message) if the archive ends or is corrupt inside the member. Empty for a link.
   */
  stream: Readable;
}

export interface ArchiveResult {
  findings: Finding[];
  gzip: boolean;
  /** Tar members read (pax and GNU long-name records not counted). */
  members: number;
  /** Compressed (raw input) bytes read. */
  bytesIn: number;
}

export interface ReadArchiveOptions {
  onProgress?(bytesIn: number): void;
  /**
   * Hand hard links to earlier regular files to the visitor as `link` entries (with a
   * `hard-link` warning) instead of refusing them as `unsafe-member`.
   * Only for visitors that can treat the link as a copy of its target.
   */
  hardLinks?: boolean;
  /**
   * The regular file that `input` reads, with its size. A large gzip file is then
   * decompressed in a worker thread that reads the file itself (`input` is only used
   * for the magic bytes); `inflateThread` forces that on or off.
   */
  file?: { path: string; size: number };
  inflateThread?: boolean;
  /** Members read before `too-many-members` stops reading (default and most 100,000; lower only to test it). */
  maxMembers?: number;
  /** Asked before each member: true stops reading (no findings about the rest; for a reader that has what it needs). */
  stop?: () => boolean;
}

/**
 * Read a .tar or .tar.gz archive from `input` in one pass, handing each safe member
 * to `visit` in archive order (one at a time); where it belongs is classify.ts's to say. Never rejects: every
 * problem is a finding, and reading stops cleanly after one that leaves the rest
 * unreadable. The input is consumed (destroyed when reading stops early).
 */
export async function readArchive(input: Readable, visit: (e: ArchiveEntry) => Promise<void> | void, opts: ReadArchiveOptions = {}): Promise<ArchiveResult> {
  const findings: Finding[] = [];
  let bytesIn = 0;
  const raw = new Pull(
    input[Symbol.asyncIterator](),
    (n) => {
      bytesIn += n;
      opts.onProgress?.(bytesIn);
    },
    true,
  );
  let src = raw;
  let gzip = false;
  let tar: TarReader | undefined;
  try {
    const magic = await raw.read(2);
    raw.unread(magic);
    gzip = isGzipMagic(magic);
    // Decompression runs ahead of the parser (zlib works in its own thread meanwhile).
    const report = (f: Finding) => findings.push(f);
    if (gzip && opts.file && (opts.inflateThread ?? opts.file.size >= THREAD_ABOVE)) {
      src = new Pull(
        gunzipThread(opts.file.path, report, (n) => {
          bytesIn = n;
          opts.onProgress?.(n);
        }),
      );
      await raw.close();
    } else if (gzip) src = new Pull(prefetch(gunzip(raw, report), PREFETCH_BYTES));
    tar = new TarReader(src, visit, findings, gzip, { hardLinks: opts.hardLinks, maxMembers: opts.maxMembers, stop: opts.stop });
    await tar.run();
    if (gzip && !tar.stopped) {
      // Decompress the rest even when tar reading stopped: a corrupt deflate stream shows up
      // as a bad tar header (or no tar at all) first; only the gzip CRC at the end says why.
      tar.current = undefined;
      await src.skip(Number.MAX_SAFE_INTEGER);
    }
  } catch (e) {
    if (!(e instanceof Fault)) {
      findings.push({ severity: 'error', code: Code.InternalError, message: `tsdb-inspect failed reading the archive (a bug): ${e instanceof Error ? e.message : String(e)}` });
    } else if (tar?.current && e.here) {
      findings.push({ severity: 'error', code: e.code, ...tar.current.where, message: `${e.message}; reading member \`${tar.current.raw}\`` });
    } else {
      findings.push({ severity: 'error', code: e.code, message: e.message });
    }
  } finally {
    tar?.finish();
    await src.close();
    if (src !== raw) await raw.close();
  }
  return { findings, gzip, members: tar?.members ?? 0, bytesIn };
}
