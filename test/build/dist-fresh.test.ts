import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEGMENT_WORKER_SCRIPT } from '../../src/verify/dir/verify-dir.js';
import { staleOutputs } from '../helpers/build.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('dist/ is fresh before tests run (worker threads load it)', () => {
  it('staleOutputs names a source whose output is missing or older', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-fresh-'));
    try {
      fs.mkdirSync(path.join(root, 'src', 'a'), { recursive: true });
      fs.mkdirSync(path.join(root, 'dist', 'a'), { recursive: true });
      const src = path.join(root, 'src', 'a', 'x.ts');
      const out = path.join(root, 'dist', 'a', 'x.js');
      fs.writeFileSync(src, '');
      fs.writeFileSync(path.join(root, 'src', 'y.ts'), '');
      fs.writeFileSync(out, '');
      const t = Date.now() / 1000;
      fs.utimesSync(src, t - 10, t - 10);
      fs.utimesSync(out, t, t);
      expect(staleOutputs(root)).toEqual([path.join('src', 'y.ts')]);
      fs.utimesSync(src, t + 10, t + 10);
      expect(staleOutputs(root).sort()).toEqual([path.join('src', 'a', 'x.ts'), path.join('src', 'y.ts')]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the global setup has built this tree: no output is older than its source', () => {
    expect(staleOutputs(ROOT)).toEqual([]);
    expect(fs.existsSync(fileURLToPath(SEGMENT_WORKER_SCRIPT))).toBe(true);
  });
});
