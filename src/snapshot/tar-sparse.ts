// GNU sparse members: a file with holes stored as its data segments and a
// map of where they go (GNU tar's --sparse). tar x restores it byte for byte,
// holes as zeros. The formats, as GNU tar writes them (its manual, "Storing
// Sparse Files"):
//   - old GNU, type 'S': four (offset, numbytes) pairs of 12-byte numbers at
//     byte 386 of the header, an is-extended flag at 482 and the real size at
//     483; while that flag is set, a 512-byte extension block follows with 21
//     more pairs and its own flag at 504. The data is the segments, back to back.
//   - pax 0.0: GNU.sparse.size (the real size) and GNU.sparse.offset /
//     GNU.sparse.numbytes records repeated in order (parsePax joins them into
//     GNU.sparse.map); 0.1: GNU.sparse.map=off,len,off,len…; both with
//     GNU.sparse.name for the real name in 0.1.
//   - pax 1.0: GNU.sparse.major=1, GNU.sparse.minor=0, GNU.sparse.name and
//     GNU.sparse.realsize; the map is at the start of the data as decimal
//     lines (the count, then offset and numbytes of each), padded with zeros
//     to a whole block, and the segments follow.
// A map is only ever as large as the bytes that hold it, and at most
// MAX_SPARSE_ENTRIES; nothing is allocated by its declared real size.

import { Code } from '../encoding/finding-codes.js';
import { Fault, type Pull } from './pull.js';
import { BLOCK, parseNumber, paxSize } from './tar-header.js';

/** Data segments of a sparse file in order; real files have a handful. */
export const MAX_SPARSE_ENTRIES = 1 << 18;

export interface SparseMap {
  /** The file's size once restored. */
  real: number;
  /** Segment offsets in the restored file, and their lengths in the archive, in order. */
  offsets: number[];
  lengths: number[];
  /** For pax 1.0: the map is at the start of the data, to be read with SparseText. */
  inData?: boolean;
}

/** The pairs in `b` from `off`, `n` of them; false when the list ended (an empty numbytes field), else a reason it is bad. */
function addOldGnuPairs(b: Buffer, off: number, n: number, map: SparseMap): boolean | string {
  for (let k = 0; k < n; k++) {
    const at = off + k * 24;
    if (b[at + 12] === 0) return false;
    const offset = parseNumber(b, at, 12);
    const length = parseNumber(b, at + 12, 12);
    if (offset === undefined || length === undefined) return `sparse map entry ${map.offsets.length} is not a number`;
    const bad = add(map, offset, length);
    if (bad) return bad;
  }
  return true;
}

/** An old GNU 'S' header's map and real size; `more` when extension blocks follow. */
function oldGnuSparse(h: Buffer): { map: SparseMap; more: boolean } | string {
  const real = parseNumber(h, 483, 12);
  if (real === undefined) return 'the sparse real size is not a number';
  const map: SparseMap = { real, offsets: [], lengths: [] };
  const r = addOldGnuPairs(h, 386, 4, map);
  if (typeof r === 'string') return r;
  return { map, more: r && h[482] !== 0 };
}

/** One old GNU sparse extension block; true when another follows. */
function oldGnuExtension(b: Buffer, map: SparseMap): boolean | string {
  const r = addOldGnuPairs(b, 0, 21, map);
  if (typeof r === 'string') return r;
  return r && b[504] !== 0;
}

/** The sparse map a pax header gives (undefined: not sparse), or why it is bad. */
function paxSparse(pax: Map<string, string>): SparseMap | string | undefined {
  if (pax.get('GNU.sparse.major') === '1' && pax.get('GNU.sparse.minor') === '0') {
    const real = paxSize(pax.get('GNU.sparse.realsize') ?? '');
    return real === undefined ? 'pax GNU.sparse.realsize is missing or not a number' : { real, offsets: [], lengths: [], inData: true };
  }
  if (pax.has('GNU.sparse.major')) return `pax sparse format ${pax.get('GNU.sparse.major')}.${pax.get('GNU.sparse.minor')} is not one GNU tar writes (0.0, 0.1, 1.0)`;
  const text = pax.get('GNU.sparse.map');
  if (text === undefined) return pax.has('GNU.sparse.size') ? 'pax GNU.sparse.size without a sparse map' : undefined;
  const real = paxSize(pax.get('GNU.sparse.size') ?? '');
  if (real === undefined) return 'pax GNU.sparse.size is missing or not a number';
  const map: SparseMap = { real, offsets: [], lengths: [] };
  const parts = text === '' ? [] : text.split(',');
  for (let i = 0; i < parts.length; i += 2) {
    const offset = paxSize(parts[i]!);
    const length = paxSize(parts[i + 1]!);
    if (offset === undefined || length === undefined) return `pax GNU.sparse.map entry ${i / 2} is not a number`;
    const bad = add(map, offset, length);
    if (bad) return bad;
  }
  return map;
}

/** A pax 1.0 map at the start of the data, fed a block at a time. */
class SparseText {
  private want = -1;
  private digits = '';
  private pending: number | undefined;

  constructor(readonly map: SparseMap) {}

  /** Take one block: true once the map is complete (the rest of the block is padding), or why it is bad. */
  push(b: Buffer): boolean | string {
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c !== 10) {
        if (c < 48 || c > 57 || this.digits.length >= 16) return 'the pax 1.0 sparse map at the start of the data is malformed';
        this.digits += String.fromCharCode(c);
        continue;
      }
      const v = Number(this.digits);
      if (this.digits === '') return 'the pax 1.0 sparse map has an empty line';
      this.digits = '';
      if (this.want < 0) {
        if (v > MAX_SPARSE_ENTRIES) return `the pax 1.0 sparse map declares ${v} entries (limit ${MAX_SPARSE_ENTRIES})`;
        this.want = v;
      } else if (this.pending === undefined) this.pending = v;
      else {
        const bad = add(this.map, this.pending, v);
        if (bad) return bad;
        this.pending = undefined;
      }
      if (this.want === this.map.offsets.length && this.pending === undefined) return true;
    }
    return false;
  }
}

/** Append a segment, holding the map to what tar can restore: in order, inside the real size. */
function add(map: SparseMap, offset: number, length: number): string | undefined {
  const n = map.offsets.length;
  if (n >= MAX_SPARSE_ENTRIES) return `the sparse map has more than ${MAX_SPARSE_ENTRIES} entries`;
  const end = n === 0 ? 0 : map.offsets[n - 1]! + map.lengths[n - 1]!;
  if (offset < end || offset + length > map.real) return `sparse map entry ${n} (offset ${offset}, ${length} bytes) is out of order or past the real size ${map.real}`;
  map.offsets.push(offset);
  map.lengths.push(length);
  return undefined;
}

/** Bytes of data a map's segments take in the archive. */
function storedBytes(map: SparseMap): number {
  let n = 0;
  for (const l of map.lengths) n += l;
  return n;
}

const bad = (where: string, why: string) => new Fault(Code.TarBadHeader, `bad sparse member at ${where}: ${why}; reading stops here`);
const cut = (where: string) => new Fault(Code.TarTruncated, `the archive ends inside the sparse map of the member at ${where}: it is cut short`);

/**
 * The sparse map of a regular file member with header `block` (undefined: not sparse), read
 * up to its data: old GNU extension blocks are read from `src`. Throws a Fault for a bad map.
 */
export async function readSparseMap(src: Pull, block: Buffer, flag: string, pax: Map<string, string> | undefined, size: number, where: string): Promise<SparseMap | undefined> {
  let r: SparseMap | string | undefined;
  if (flag === 'S') {
    const head = oldGnuSparse(block);
    r = typeof head === 'string' ? head : head.map;
    for (let more = typeof head !== 'string' && head.more; more; ) {
      const ext = await src.read(BLOCK);
      if (ext.length < BLOCK) throw cut(where);
      const e = oldGnuExtension(ext, r as SparseMap);
      if (typeof e === 'string') r = e;
      more = e === true;
    }
  } else if (pax) r = paxSparse(pax);
  if (typeof r === 'object' && !r.inData && storedBytes(r) !== size) r = `its map's segments hold ${storedBytes(r)} bytes, but the member holds ${size}`;
  if (typeof r === 'string') throw bad(where, r);
  return r;
}

/** A pax 1.0 map from the start of a member's `size` bytes of data: the data bytes left after it. Throws a Fault for a bad map. */
export async function readSparseText(src: Pull, map: SparseMap, size: number, where: string): Promise<number> {
  const text = new SparseText(map);
  let left = size;
  for (let done: boolean | string = false; done !== true; ) {
    const b = left >= BLOCK ? await src.read(BLOCK) : undefined;
    if (b && b.length < BLOCK) throw cut(where);
    done = b ? text.push(b) : 'its sparse map runs past the end of the member';
    left -= BLOCK;
    if (done === true && storedBytes(map) !== left) done = `its map's segments hold ${storedBytes(map)} bytes, but the member holds ${left} after the map`;
    if (typeof done === 'string') throw bad(where, done);
  }
  return left;
}
