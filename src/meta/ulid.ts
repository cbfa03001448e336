// ULIDs as github.com/oklog/ulid reads them from JSON: UnmarshalText is
// parse(v, strict=false), which refuses only a wrong length (26 bytes) and a
// first character above '7'; other characters are decoded through its table
// (case-insensitive; a character outside the alphabet decodes to 0xFF bits).

const ENCODING = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DEC = new Uint8Array(256).fill(0xff);
for (let k = 0; k < 32; k++) {
  DEC[ENCODING.charCodeAt(k)] = k;
  DEC[ENCODING.toLowerCase().charCodeAt(k)] = k;
}

export const ZERO_ULID = '0'.repeat(26);

/** The ULID a string decodes to, written in canonical form (MarshalText); throws as UnmarshalText fails. */
export function unmarshalULID(s: string): string {
  const v = new TextEncoder().encode(s);
  if (v.length !== 26) throw new Error(`ulid: bad data size when unmarshaling (${v.length} bytes, want 26)`);
  if (v[0]! > 0x37) throw new Error('ulid: overflow when unmarshaling (first character above 7)');
  const d = (k: number) => DEC[v[k]!]!;
  // oklog's unrolled decode, byte for byte (bits of 0xFF spill as they do there).
  const id = [
    (d(0) << 5) | d(1),
    (d(2) << 3) | (d(3) >> 2),
    (d(3) << 6) | (d(4) << 1) | (d(5) >> 4),
    (d(5) << 4) | (d(6) >> 1),
    (d(6) << 7) | (d(7) << 2) | (d(8) >> 3),
    (d(8) << 5) | d(9),
    (d(10) << 3) | (d(11) >> 2),
    (d(11) << 6) | (d(12) << 1) | (d(13) >> 4),
    (d(13) << 4) | (d(14) >> 1),
    (d(14) << 7) | (d(15) << 2) | (d(16) >> 3),
    (d(16) << 5) | d(17),
    (d(18) << 3) | (d(19) >> 2),
    (d(19) << 6) | (d(20) << 1) | (d(21) >> 4),
    (d(21) << 4) | (d(22) >> 1),
    (d(22) << 7) | (d(23) << 2) | (d(24) >> 3),
    (d(24) << 5) | d(25),
  ].map((x) => x & 0xff);
  return encodeULID(id);
}

/**
 * The time a ULID was made (its first 10 characters: 48 bits of unix ms), as oklog's
 * ulid.Time reads it; NaN for a string that is not a ULID. Prometheus makes a block's
 * ULID when it writes the block (tsdb/compact.go Write).
 */
export function ulidTime(s: string): number {
  if (s.length !== 26 || s.charCodeAt(0) > 0x37) return NaN;
  let t = 0;
  for (let k = 0; k < 10; k++) {
    const d = DEC[s.charCodeAt(k) & 0xff]!;
    if (d === 0xff || s.charCodeAt(k) > 0xff) return NaN;
    t = t * 32 + d;
  }
  return t;
}

/** MarshalText: 16 bytes as 26 characters, 5 bits each (the first character holds the top 3). */
function encodeULID(id: number[]): string {
  let s = '';
  let big = 0n;
  for (const x of id) big = (big << 8n) | BigInt(x);
  for (let k = 25; k >= 0; k--) s += ENCODING[Number((big >> BigInt(k * 5)) & 31n)];
  return s;
}
