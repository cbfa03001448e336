// Open any supported input as snapshots of opened blocks.

import * as fs from 'node:fs';
import { Block } from '../block/block.js';
import { dirSource } from '../block/source.js';
import { ErrorCode, TsdbError } from '../encoding/errors.js';
import type { Finding } from '../encoding/errors.js';
import { extractArchive } from './archive.js';
import { discover } from './layout.js';

export interface Snapshot {
  name: string;
  path: string;
  /** Blocks in time order (minTime, then name), as Prometheus orders them. */
  blocks: Block[];
}

export interface OpenedInput {
  snapshots: Snapshot[];
  /** Warnings about the archive itself. */
  warnings: Finding[];
  /** Remove anything the open created (the temp dir of an unpacked archive). */
  close(): Promise<void>;
  /** The same, synchronously (for signal handlers). */
  closeSync(): void;
}

export async function openInput(input: string): Promise<OpenedInput> {
  let root = input;
  let warnings: Finding[] = [];
  let close = async () => {};
  let closeSync = () => {};
  if (input !== '-') {
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch (e) {
      throw new TsdbError(ErrorCode.NotFound, `${input}: no such file or directory`, {}, { cause: e });
    }
    if (st.isDirectory()) return finish(root, [], close, closeSync);
  }
  const x = await extractArchive(input);
  root = x.dir;
  warnings = x.warnings;
  close = x.cleanup;
  closeSync = x.cleanupSync;
  try {
    return finish(root, warnings, close, closeSync);
  } catch (e) {
    await close();
    throw e;
  }
}

function finish(root: string, warnings: Finding[], close: () => Promise<void>, closeSync: () => void): OpenedInput {
  const snapshots = discover(root).map((s) => ({
    name: s.name,
    path: s.path,
    blocks: s.blocks
      .map((b) => new Block(b.name, dirSource(b.path)))
      .sort((a, b) => a.meta.minTime - b.meta.minTime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  }));
  return { snapshots, warnings, close, closeSync };
}
