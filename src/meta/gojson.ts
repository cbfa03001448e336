// JSON decoded into a typed struct as Go's json.Unmarshal decodes it, for
// meta.json: Prometheus's readMetaFile (tsdb/block.go) skips a block whose
// meta.json Unmarshal refuses, so a checker must refuse exactly that, which
// is not what JSON.parse refuses. Go's rules kept here:
// - the whole input must be one value with only JSON whitespace around it
//   (a BOM is an error), nested at most 10000 deep (scanner.go maxNestingDepth);
// - an int64 field takes only an integer literal within int64, a uint64 field
//   one within uint64 (no '-', not even "-0"): strconv.ParseInt/ParseUint;
// - a value of the wrong JSON type for its field is an error; null leaves the
//   field as it was (a slice becomes empty);
// - keys match field names exactly, else case-insensitively (bytes.EqualFold:
//   U+017F ſ is an 's', U+212A K a 'k'); unknown keys are skipped; a key given
//   twice decodes into the same field again, the last value winning;
// - a syntax error anywhere wins over a type error, which wins over nothing.
// The reader keeps its own stack, so no input makes it recurse.

import { ErrorCode, TsdbError } from '../encoding/errors.js';
import { quoteByte, scanNumber, scanString, skipSpace } from './gojson-text.js';

/** Go's nesting limit (encoding/json scanner.go). */
export const MAX_DEPTH = 10000;

export type GoType =
  | { readonly kind: 'int64' | 'uint64' | 'bool' | 'string' }
  /** A field we keep but Go does not decode (JSON.parse's value). */
  | { readonly kind: 'any' }
  /** A type with UnmarshalText (e.g. ulid.ULID): a string, given to `unmarshal`, which throws an Error to refuse it. */
  | { readonly kind: 'text'; readonly name: string; readonly zero: unknown; unmarshal(s: string): unknown }
  /** Fields by JSON name; unknown keys are kept (as `any`) in the field named `rest` if given. */
  | { readonly kind: 'struct'; readonly name: string; readonly fields: Readonly<Record<string, GoType>>; readonly rest?: string }
  | { readonly kind: 'slice'; readonly elem: GoType };

/** A value of the wrong type or range for its field: Unmarshal's UnmarshalTypeError (or UnmarshalText's error). */
export class JsonFieldError extends TsdbError {
  constructor(
    message: string,
    readonly field: string,
    file: string,
    offset: number,
  ) {
    super(ErrorCode.Corrupt, message, { file, offset });
  }
}

export interface Decoded<T> {
  value: T;
  /** Where each struct field's value (the last one given) starts, by path (`stats.numSamples`); fields inside arrays are left out. */
  offsets: Record<string, number>;
}

interface Frame {
  array: boolean;
  /** The container's type; undefined while skipping a value. */
  type: GoType | undefined;
  target: any;
  path: string;
  /** Arrays: elements so far. */
  n: number;
  /** Inside an array, at any depth. */
  inArray: boolean;
}

export function zeroOf(t: GoType): unknown {
  switch (t.kind) {
    case 'int64':
    case 'uint64':
      return 0;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'any':
      return null;
    case 'text':
      return t.zero;
    case 'slice':
      return [];
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const [k, f] of Object.entries(t.fields)) o[k] = zeroOf(f);
      if (t.rest) o[t.rest] = {};
      return o;
    }
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** The struct field key `key` names: exact, else folded as bytes.EqualFold folds (field names are ASCII). */
function fieldFor(t: { fields: Readonly<Record<string, GoType>> }, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(t.fields, key)) return key;
  const folded = key.replace(/[A-Z\u017f\u212a]/g, (c) => (c === '\u017f' ? 's' : c === '\u212a' ? 'k' : c.toLowerCase()));
  for (const name of Object.keys(t.fields)) if (name.toLowerCase() === folded) return name;
  return undefined;
}

/** Set a property, even one named __proto__, as JSON.parse does. */
function put(o: any, k: string | number, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

const latin1 = (b: Uint8Array, from: number, to: number): string => Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('latin1');

/** An integer literal as strconv.ParseInt/ParseUint(s, 10, 64) takes it, or undefined (JS numbers round past 2^53). */
function integer(text: string, kind: 'int64' | 'uint64'): number | undefined {
  // 20 digits and a sign are more than either type holds; longer ones need no BigInt to refuse.
  if (text.length > 21 || !(kind === 'int64' ? /^-?[0-9]+$/ : /^[0-9]+$/).test(text)) return undefined;
  const v = BigInt(text);
  const ok = kind === 'int64' ? v >= INT64_MIN && v <= INT64_MAX : v <= UINT64_MAX;
  return ok ? Number(v) : undefined;
}

const typeName = (t: GoType): string =>
  t.kind === 'struct' || t.kind === 'text' ? t.name : t.kind === 'slice' ? `[]${typeName(t.elem)}` : t.kind;

/** Decode `b` into a value of type `t` as json.Unmarshal would, or throw a TsdbError (a JsonFieldError for a value of the wrong type). */
export function decodeGoJson<T>(b: Uint8Array, t: GoType, file: string): Decoded<T> {
  const syntax = (at: number, why: string): never => {
    throw new TsdbError(ErrorCode.Corrupt, `${file}: ${why} at offset ${at}, so Go's encoding/json refuses it`, { file, offset: at });
  };
  const unexpected = (at: number, where: string): never =>
    at >= b.length ? syntax(at, 'unexpected end of JSON input') : syntax(at, `invalid character ${quoteByte(b[at]!)} ${where}`);
  let typeError: JsonFieldError | undefined;
  const wrong = (path: string, at: number, what: string, want: GoType | string): void => {
    const field = path || '(the top-level value)';
    typeError ??= new JsonFieldError(`${file}: ${field} at offset ${at} is ${what}, want ${typeof want === 'string' ? want : typeName(want)}; Go's encoding/json refuses it`, path, file, at);
  };

  const root = { v: zeroOf(t) };
  const offsets: Record<string, number> = {};
  const stack: Frame[] = [];
  // The slot the next value goes into.
  let holder: any = root;
  let key: string | number = 'v';
  let type: GoType | undefined = t;
  let path = '';
  let record = false;

  /** After `,` or `{` in an object: read a key and its colon, and aim the slot at its field. */
  const member = (f: Frame, i: number): number => {
    if (b[i] !== 0x22) unexpected(i, 'looking for beginning of object key string');
    const s = scanString(b, i);
    if (!s.ok) return syntax(s.at, s.why);
    i = skipSpace(b, s.end);
    if (b[i] !== 0x3a) unexpected(i, 'after object key');
    const ft = f.type;
    holder = f.target;
    key = s.value;
    type = undefined;
    if (ft?.kind === 'any') type = ft;
    else if (ft?.kind === 'struct') {
      const name = fieldFor(ft, s.value);
      if (name !== undefined) [key, type] = [name, ft.fields[name]];
      else if (ft.rest) [holder, type] = [f.target[ft.rest], { kind: 'any' }];
    }
    path = type && type.kind !== 'any' ? (f.path ? `${f.path}.${String(key)}` : String(key)) : '';
    record = ft?.kind === 'struct' && !f.inArray;
    return skipSpace(b, i + 1);
  };
  /** After `,` or `[` in an array: aim the slot at the next element. */
  const element = (f: Frame): void => {
    holder = f.target;
    key = f.n;
    type = f.type && (f.type.kind === 'slice' ? f.type.elem : f.type);
    if (f.type?.kind === 'slice' && f.n >= f.target.length) f.target.push(zeroOf(f.type.elem));
    path = type && type.kind !== 'any' ? `${f.path}[${f.n}]` : '';
    record = false;
    f.n++;
  };

  let i = skipSpace(b, 0);
  for (;;) {
    // One value into the slot.
    const c = b[i];
    const at = i;
    if (record) offsets[path] = at;
    if (c === 0x7b || c === 0x5b) {
      const array = c === 0x5b;
      if (stack.length >= MAX_DEPTH) syntax(at, `nesting deeper than ${MAX_DEPTH} (exceeded max depth)`);
      let ft: GoType | undefined = type;
      let target: any;
      if (ft?.kind === 'any') put(holder, key, (target = array ? [] : {}));
      else if (ft && ft.kind === (array ? 'slice' : 'struct')) target = holder[key];
      else if (ft) {
        wrong(path, at, array ? 'an array' : 'an object', ft);
        ft = undefined;
      }
      const f: Frame = { array, type: ft, target, path, n: 0, inArray: array || (stack.length > 0 && stack[stack.length - 1]!.inArray) };
      stack.push(f);
      i = skipSpace(b, i + 1);
      if (b[i] !== (array ? 0x5d : 0x7d)) {
        if (array) element(f);
        else i = member(f, i);
        continue;
      }
      i++;
      stack.pop();
      if (array && ft?.kind === 'slice') target.length = 0;
    } else if (c === 0x22) {
      const s = scanString(b, i);
      if (!s.ok) return syntax(s.at, s.why);
      i = s.end;
      if (type?.kind === 'string' || type?.kind === 'any') put(holder, key, s.value);
      else if (type?.kind === 'text') {
        try {
          holder[key] = type.unmarshal(s.value);
        } catch (e) {
          typeError ??= new JsonFieldError(`${file}: ${path} at offset ${at} is ${JSON.stringify(s.value.slice(0, 40))}: ${(e as Error).message}; Go's encoding/json refuses it`, path, file, at);
        }
      } else if (type) wrong(path, at, 'a string', type);
    } else if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) {
      const end = scanNumber(b, i);
      if (end < 0) unexpected(-end - 1, 'in numeric literal');
      i = end;
      if (type?.kind === 'int64' || type?.kind === 'uint64') {
        const text = latin1(b, at, end);
        const v = integer(text, type.kind);
        if (v === undefined) wrong(path, at, `the number ${text.length > 40 ? text.slice(0, 40) + '…' : text}`, `an integer literal within ${type.kind}`);
        else holder[key] = v;
      } else if (type?.kind === 'any') put(holder, key, Number(latin1(b, at, end)));
      else if (type) wrong(path, at, 'a number', type);
    } else {
      const lit = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : undefined;
      // Go names the first byte that breaks the literal.
      let k = i;
      if (lit) while (k - i < lit.length && b[k] === lit.charCodeAt(k - i)) k++;
      if (!lit) unexpected(k, 'looking for beginning of value');
      else if (k - i < lit.length) unexpected(k, `in literal ${lit} (expecting ${quoteByte(lit.charCodeAt(k - i))})`);
      else i = k;
      if (lit === 'null') {
        // Go sets a null slice (or interface) to nil, and leaves any other field as it was.
        if (type?.kind === 'slice') holder[key] = [];
        else if (type?.kind === 'any') put(holder, key, null);
      } else if (type?.kind === 'bool' || type?.kind === 'any') put(holder, key, lit === 'true');
      else if (type) wrong(path, at, `the bool ${lit}`, type);
    }

    // The value is done: close containers and move to the next slot.
    for (;;) {
      i = skipSpace(b, i);
      const f = stack[stack.length - 1];
      if (!f) {
        if (i < b.length) unexpected(i, 'after top-level value');
        if (typeError) throw typeError;
        return { value: root.v as T, offsets };
      }
      if (b[i] === 0x2c) {
        i = skipSpace(b, i + 1);
        if (f.array) element(f);
        else i = member(f, i);
        break;
      }
      if (b[i] !== (f.array ? 0x5d : 0x7d)) unexpected(i, f.array ? 'after array element' : 'after object key:value pair');
      i++;
      stack.pop();
      // A slice decoded again keeps only the elements given this time.
      if (f.array && f.type?.kind === 'slice') f.target.length = f.n;
    }
  }
}
