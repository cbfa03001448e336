// `tsdb-inspect restore`: an archive's blocks into a Prometheus data dir, each
// checked as verify checks it (src/restore).

import { restore } from '../restore/restore.js';
import { progressBar } from './progress.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE } from './run.js';
import { Code } from '../encoding/finding-codes.js';

export async function restoreCommand(input: string, dataDir: string, snapshot: string | undefined, skipCorrupt: boolean): Promise<number> {
  const bar = progressBar('restoring');
  let r;
  try {
    r = await restore(input, dataDir, { snapshot, skipCorrupt, onProgress: (d, t) => bar.update(d, t) });
  } finally {
    bar.done();
  }
  for (const f of r.verify.findings) {
    if (f.snapshot !== undefined && f.snapshot !== r.snapshot) continue;
    const where = [f.snapshot, f.block, f.file].filter(Boolean).join('/') + (f.offset !== undefined ? ` @${f.offset}` : '');
    process.stderr.write(`tsdb-inspect: ${f.severity}: ${f.code}${where ? ` at ${where}` : ''}: ${f.message.replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
  }
  if (r.verify.snapshots.find((s) => s.name === r.snapshot)?.head) {
    process.stderr.write(`tsdb-inspect: note: the archive is of a data dir: its blocks are restored, its head (wal/, chunks_head/) is not\n`);
  }
  for (const u of r.restored) process.stdout.write(`restored ${u}\n`);
  for (const s of r.skipped) process.stdout.write(`not restored ${s.ulid}: ${s.why.replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
  process.stdout.write(`${r.ok ? 'OK' : 'FAILED'}: ${r.restored.length} block(s) of snapshot ${r.snapshot} restored into ${dataDir}, ${r.skipped.length} not restored\n`);
  if (r.verify.findings.some((f) => f.code === Code.InputError)) return EXIT_USAGE;
  return r.ok ? EXIT_OK : EXIT_PROBLEMS;
}
