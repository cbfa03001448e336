// The block writer's own guards: a block is never renamed onto a dir of its
// name (rename(2) would replace an empty one), and only block files are written.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockWriter, TMP_SUFFIX } from '../../src/restore/block-writer.js';

const A = '01M81V435F3FDT7KYM95FWRKSW';
const B = '01M81V437311AY8K10ZBCVFY88';
let work: string;
beforeAll(() => void (work = fs.mkdtempSync(path.join(os.tmpdir(), 'block-writer-'))));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function writer(): BlockWriter {
  return new BlockWriter(fs.mkdtempSync(path.join(work, 'data-')));
}

function put(w: BlockWriter, ulid: string, rel: string, text: string): void {
  const fd = w.create(ulid, rel);
  fs.writeSync(fd, text);
  fs.closeSync(fd);
}

describe('BlockWriter', () => {
  it('commits nothing when a block of one of the names appeared meanwhile (an empty dir too)', () => {
    const w = writer();
    put(w, A, 'meta.json', 'a');
    put(w, B, 'chunks/000001', 'b');
    fs.mkdirSync(path.join(w.dataDir, B));
    expect(() => w.commit([A, B])).toThrow(new RegExp(`already holds block ${B}`));
    expect(fs.readdirSync(w.dataDir).sort()).toEqual([A + TMP_SUFFIX, B, B + TMP_SUFFIX]);
    expect(fs.readdirSync(path.join(w.dataDir, B))).toEqual([]);
    w.discard();
    expect(fs.readdirSync(w.dataDir)).toEqual([B]);
  });

  it('renames a committed block into place', () => {
    const w = writer();
    put(w, A, 'chunks/000001', 'x');
    w.commit([A]);
    expect(fs.readFileSync(path.join(w.dataDir, A, 'chunks', '000001'), 'utf8')).toBe('x');
    expect(fs.readdirSync(w.dataDir)).toEqual([A]);
  });

  it('refuses a name that is not a block ULID and a file that is not a block file', () => {
    const w = writer();
    expect(() => w.open('not-a-ulid')).toThrow(/not a block ULID/);
    expect(() => w.open('..')).toThrow(/not a block ULID/);
    expect(() => w.create(A, '../../escape')).toThrow(/not a block file/);
    expect(() => w.create(A, 'chunks/../../x')).toThrow(/not a block file/);
    expect(fs.readdirSync(w.dataDir)).toEqual([]);
  });

  it('does not take a tmp dir that is there (a link to elsewhere included)', () => {
    const w = writer();
    fs.symlinkSync(work, path.join(w.dataDir, A + TMP_SUFFIX));
    expect(() => w.open(A)).toThrow(new RegExp(`already holds block ${A}`));
  });
});
