#!/usr/bin/env node
// Push benchmark: `tsdb-inspect push` of the cached benchmark snapshot
// (bench/make-snapshot.mjs) into VictoriaMetrics on loopback, in samples/s,
// beside `vmctl prometheus --prom-snapshot` (which needs the archive
// extracted first; its extraction is not timed) into a fresh VictoriaMetrics.
//
//   node bench/push.mjs [--series 2500] [--hours 24] [--step 30] [--concurrency 4]

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeSnapshot, parseArgs } from './make-snapshot.mjs';
import { hasVictoriaMetrics, startVictoria } from './victoria.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(HERE, '..', 'bin', 'tsdb-inspect.js');

const argv = process.argv.slice(2);
const ci = argv.indexOf('--concurrency');
const concurrency = ci >= 0 ? argv.splice(ci, 2)[1] : '4';
const o = parseArgs(argv.length ? argv : ['--series', '2500']);
if (!hasVictoriaMetrics()) throw new Error('victoria-metrics is not installed (Debian: apt-get install victoria-metrics)');
const archive = await makeSnapshot(o);
const samples = o.series * Math.floor((o.hours * 3600) / o.step);

function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return { secs, stderr: r.stderr };
}

const vm = await startVictoria();
let ours;
try {
  ours = timed(process.execPath, [BIN, 'push', archive, '--url', `${vm.url}/api/v1/write`, '--concurrency', concurrency]);
} finally {
  await vm.stop();
}
console.log(`tsdb-inspect push ${path.basename(archive)}: ${ours.secs.toFixed(2)} s, ${(samples / ours.secs / 1e6).toFixed(2)} M samples/s (${ours.stderr.trim()})`);

const vmctl = spawnSync('vmctl', ['--help']).error ? undefined : 'vmctl';
if (vmctl) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-inspect-vmctl-'));
  const vm2 = await startVictoria();
  try {
    spawnSync('tar', ['xzf', archive, '-C', dir]);
    const snap = path.join(dir, 'snapshots', fs.readdirSync(path.join(dir, 'snapshots'))[0]);
    // vmctl 1.79 refuses to run without a terminal: `script` gives it one.
    const cmd = ['vmctl', 'prometheus', '--prom-snapshot', snap, '--vm-addr', vm2.url, '--vm-concurrency', concurrency, '--vm-disable-progress-bar', '-s'].join(' ');
    const r = timed('script', ['-qec', cmd, '/dev/null']);
    console.log(`vmctl prometheus --prom-snapshot (extracted): ${r.secs.toFixed(2)} s, ${(samples / r.secs / 1e6).toFixed(2)} M samples/s`);
  } finally {
    await vm2.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
} else console.log('vmctl: not installed');
