// A VictoriaMetrics single-node server (Debian's `victoria-metrics`) on a
// random loopback port with a fresh data dir, for the push test and the push
// benchmark. Node builtins only; the server is killed and its dir removed on
// stop() (and killed when the process exits early).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep } from '../fixtures/derive/tools.mjs';

export const VICTORIA_METRICS = process.env.TSDB_INSPECT_VICTORIA_METRICS ?? 'victoria-metrics';

/** Whether victoria-metrics runs here (it answers -version). */
export function hasVictoriaMetrics() {
  const r = spawnSync(VICTORIA_METRICS, ['-version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}


/** Start it; resolves once /health answers, as {url, stop()}. */
export async function startVictoria() {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'tsdb-inspect-vm-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(root, 'log'), 'a');
  // Old fixture samples stay (-retentionPeriod), and no sample is dropped as a duplicate (no -dedup).
  const child = spawn(VICTORIA_METRICS, [`-storageDataPath=${root}/data`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-search.disableCache'], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000).then(kill)]);
    }
    await fsp.rm(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${url}/health`);
      if ((await res.text()).trim() === 'OK') return { url, stop };
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  const why = fs.readFileSync(path.join(root, 'log'), 'utf8').slice(-2000);
  await stop();
  throw new Error(`victoria-metrics did not start:\n${why}`);
}
