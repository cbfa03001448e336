#!/usr/bin/env node
// The benchmark harness (`npm run bench`): builds or reuses the cached
// benchmark snapshot (bench/make-snapshot.mjs), then measures tsdb-inspect
// side by side with `gzip -dc` and `promtool` in one run, interleaved, and
// prints ratios. Results go to bench/RESULTS.md.
//
//   npm run bench -- [--series 10000] [--hours 24] [--step 30] [--runs 5] [--small-series 2500] [--only archive]

import { spawnSync, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeSnapshot } from './make-snapshot.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(HERE, '..', 'bin', 'tsdb-inspect.js');

function args(argv) {
  const o = { series: 10000, hours: 24, step: 30, runs: 5, 'small-series': 2500, out: path.join(os.tmpdir(), 'tsdb-inspect-bench'), only: '' };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in o)) throw new Error(`unknown option ${argv[i]}`);
    o[k] = k === 'out' || k === 'only' ? argv[i + 1] : Number(argv[i + 1]);
  }
  return o;
}

/** Run a shell pipeline; return wall seconds, peak RSS (kB) and a hash of stdout. */
function timed(cmd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'bash', '-c', cmd], { maxBuffer: 1 << 30, encoding: 'buffer' });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const err = r.stderr.toString().trim().split('\n');
  const rssKb = Number(err[err.length - 1]);
  return { secs, rssKb, status: r.status, out: r.stdout, err: err.slice(0, -1).join('\n') };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Interleave the commands `runs` times; median seconds of each. */
function sideBySide(cmds, runs) {
  const t = cmds.map(() => []);
  const last = [];
  for (let r = 0; r < runs; r++) {
    cmds.forEach((c, i) => {
      const x = timed(c);
      if (x.status !== 0 && x.status !== 1) throw new Error(`${c} exited ${x.status}: ${x.err}`);
      t[i].push(x.secs);
      last[i] = x;
    });
  }
  return { secs: t.map(median), last };
}

const sh = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const fmt = (x) => x.toFixed(2);

async function main() {
  const o = args(process.argv.slice(2));
  fs.mkdirSync(o.out, { recursive: true });
  execFileSync('npx', ['tsc', '-p', path.join(HERE, '..', 'tsconfig.json')], { stdio: 'inherit' });
  const big = await makeSnapshot({ series: o.series, hours: o.hours, step: o.step, out: o.out });
  const small = await makeSnapshot({ series: o['small-series'], hours: o.hours, step: o.step, out: o.out });
  const ex = fs.mkdtempSync(path.join(o.out, 'extract-'));
  execFileSync('tar', ['xzf', big, '-C', ex]);
  const snapDir = path.join(ex, 'snapshots', fs.readdirSync(path.join(ex, 'snapshots'))[0]);
  // The same archive holding its snapshot twice (real copies): twice the chunk bytes, blocks no larger.
  const twice = big.replace(/\.tgz$/, '-twice.tgz');
  if (!fs.existsSync(twice)) {
    const two = path.join(ex, 'two');
    fs.mkdirSync(path.join(two, 'snapshots'), { recursive: true });
    for (const n of ['a', 'b']) execFileSync('cp', ['-r', snapDir, path.join(two, 'snapshots', n)]);
    execFileSync('tar', ['czf', twice + '.tmp', '-C', two, 'snapshots']);
    fs.renameSync(twice + '.tmp', twice);
    fs.rmSync(two, { recursive: true, force: true });
  }
  fs.mkdirSync(path.join(snapDir, 'wal'), { recursive: true }); // promtool needs it
  const lines = [];
  const log = (s = '') => {
    console.log(s);
    lines.push(s);
  };
  const samples = o.series * Math.floor((o.hours * 3600) / o.step);
  log(`# tsdb-inspect benchmark results`);
  log();
  log(`Machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${execFileSync('promtool', ['--version']).toString().split('\n')[0]}.`);
  log(`Snapshot: ${o.series} series × ${o.hours}h at ${o.step}s = ${samples} samples, built with promtool create-blocks-from openmetrics, compacted by a Prometheus 2.42 server, snapshot via the admin API, tar czf (${(fs.statSync(big).size / 2 ** 20).toFixed(1)} MiB).`);
  log(`Each figure is the median of ${o.runs} interleaved runs, measured side by side in this one run.`);
  log();

  // 0. the query commands stream the archive: series and blocks against verify of the same .tgz, with peak RSS
  const qsel = '{__name__="http_requests_total",job="api"}';
  const q = sideBySide(
    [`${sh(BIN)} verify ${sh(big)} --format json > /dev/null`, `${sh(BIN)} series ${sh(big)} --match ${sh(qsel)} --format json > /dev/null`, `${sh(BIN)} blocks ${sh(big)} > /dev/null`, `${sh(BIN)} dump ${sh(big)} --match ${sh(qsel)} > /dev/null`],
    o.runs,
  );
  const mb = (x) => `${(x.rssKb / 1024).toFixed(0)} MB peak RSS`;
  log(`| measure | tsdb-inspect | verify big.tgz | ratio | target |`);
  log(`| --- | --- | --- | --- | --- |`);
  for (const [i, what] of [[1, `series --match ${qsel}`], [2, 'blocks'], [3, `dump --match ${qsel}`]]) {
    log(`| ${what} big.tgz (streamed, nothing extracted) | ${fmt(q.secs[i])} s, ${mb(q.last[i])} | ${fmt(q.secs[0])} s, ${mb(q.last[0])} | ${fmt(q.secs[i] / q.secs[0])}× | ≤ 1× |`);
  }
  log();
  if (o.only === 'archive') {
    fs.rmSync(ex, { recursive: true, force: true });
    return;
  }

  // 1. verify against gzip -dc
  const v = sideBySide([`gzip -dc ${sh(big)} > /dev/null`, `${sh(BIN)} verify ${sh(big)} --format json > /dev/null`], o.runs);
  log(`| measure | tsdb-inspect | reference | ratio | target |`);
  log(`| --- | --- | --- | --- | --- |`);
  log(`| verify big.tgz vs gzip -dc | ${fmt(v.secs[1])} s | ${fmt(v.secs[0])} s | ${fmt(v.secs[1] / v.secs[0])}× | ≤ 1.5× |`);

  // 1b. directory verify: blocks in one worker thread per core against one thread, on the
  // snapshot dir and on a dir holding it four times (hard links), where start-up is a smaller share.
  const cores = os.availableParallelism();
  const four = path.join(ex, 'four');
  for (const n of ['a', 'b', 'c', 'd']) {
    fs.mkdirSync(path.join(four, 'snapshots', n), { recursive: true });
    for (const b of fs.readdirSync(snapDir).filter((x) => /^[0-9A-Z]{26}$/.test(x))) execFileSync('cp', ['-al', path.join(snapDir, b), path.join(four, 'snapshots', n, b)]);
  }
  for (const [what, dir] of [['snapshot dir', snapDir], ['4× snapshot dir', four]]) {
    const w = sideBySide([`${sh(BIN)} verify ${sh(dir)} --format json --workers 1`, `${sh(BIN)} verify ${sh(dir)} --format json --workers ${cores}`], o.runs);
    const wSame = w.last[0].out.equals(w.last[1].out);
    log(`| verify ${what}, --workers ${cores} (${cores} threads) vs --workers 1 (outputs ${wSame ? 'identical' : 'DIFFER'}) | ${fmt(w.secs[1])} s | ${fmt(w.secs[0])} s | ${fmt(w.secs[0] / w.secs[1])}× faster | ≥ 1.6× |`);
  }

  // 2. dump with a selector against promtool dump, outputs checked identical first
  const sel = '{__name__="http_requests_total",job="api"}';
  const d = sideBySide(
    [`promtool tsdb dump --match=${sh(sel)} ${sh(snapDir)}`, `${sh(BIN)} dump ${sh(snapDir)} --match ${sh(sel)}`],
    o.runs,
  );
  const h = d.last.map((x) => crypto.createHash('sha256').update(x.out).digest('hex'));
  const same = h[0] === h[1];
  log(`| dump ${sel} vs promtool tsdb dump (outputs ${same ? 'identical' : 'DIFFER'}, ${d.last[0].out.toString().split('\n').length - 1} lines) | ${fmt(d.secs[1])} s | ${fmt(d.secs[0])} s | ${fmt(d.secs[1] / d.secs[0])}× | ≤ 0.2× |`);

  // 3. analyze against promtool analyze on the largest block
  const blocks = fs.readdirSync(snapDir).filter((b) => /^[0-9A-Z]{26}$/.test(b));
  const largest = blocks.map((b) => ({ b, n: JSON.parse(fs.readFileSync(path.join(snapDir, b, 'meta.json'), 'utf8')).stats.numSamples })).sort((a, b) => b.n - a.n)[0].b;
  const hasAnalyze = spawnSync('node', [BIN, 'analyze', '--help']).status === 0;
  if (hasAnalyze) {
    const a = sideBySide([`promtool tsdb analyze ${sh(snapDir)} ${largest} > /dev/null`, `${sh(BIN)} analyze ${sh(snapDir)} --block ${largest} > /dev/null`], o.runs);
    log(`| analyze block ${largest} vs promtool tsdb analyze | ${fmt(a.secs[1])} s | ${fmt(a.secs[0])} s | ${fmt(a.secs[1] / a.secs[0])}× | — |`);
  } else log(`| analyze | n/a (no analyze command yet) | | | |`);

  // 4. verify's peak RSS at two scales
  const rs = timed(`${sh(BIN)} verify ${sh(small)} --format json > /dev/null`);
  const rb = timed(`${sh(BIN)} verify ${sh(big)} --format json > /dev/null`);
  log(`| verify peak RSS, ${o['small-series']} series (${(fs.statSync(small).size / 2 ** 20).toFixed(0)} MiB .tgz) | ${(rs.rssKb / 1024).toFixed(0)} MB | | | ≤ 200 MB |`);
  const r2 = timed(`${sh(BIN)} verify ${sh(twice)} --format json > /dev/null`);
  log(`| verify peak RSS, ${o.series} series (${(fs.statSync(big).size / 2 ** 20).toFixed(0)} MiB .tgz) | ${(rb.rssKb / 1024).toFixed(0)} MB | | ${(rb.rssKb / rs.rssKb).toFixed(2)}× the small one (4× the series per block) | flat |`);
  log(`| verify peak RSS, the same snapshot twice in one archive (${(fs.statSync(twice).size / 2 ** 20).toFixed(0)} MiB .tgz: 2× the chunk bytes, blocks no larger) | ${(r2.rssKb / 1024).toFixed(0)} MB | | ${(r2.rssKb / rb.rssKb).toFixed(2)}× the ${(fs.statSync(big).size / 2 ** 20).toFixed(0)} MiB one | flat |`);

  // 5. decode throughput, in process, over every chunk of the snapshot
  const { decodeThroughput } = await import('./decode.mjs');
  const tp = decodeThroughput(snapDir, o.runs);
  const { scanThroughput } = await import('./decode.mjs');
  const sc = scanThroughput(snapDir, o.runs);
  log(`| verify's check-only scan of every XOR chunk (${sc.samples} samples) | ${(sc.samples / sc.secs / 1e6).toFixed(1)} M samples/s | | | |`);
  log(`| decode every chunk (${tp.chunks} chunks, ${tp.samples} samples, ${(tp.bytes / 2 ** 20).toFixed(1)} MiB) | ${(tp.samples / tp.secs / 1e6).toFixed(1)} M samples/s, ${(tp.bytes / tp.secs / 2 ** 20).toFixed(0)} MB/s | | | |`);

  // 6. CRC32C: slice-by-8 against @node-rs/crc32, over what verify checksums
  const { crcChoice } = await import('./crc.mjs');
  const c = crcChoice(snapDir, o.runs);
  const mbs = (secs) => (secs === undefined ? 'n/a' : `${(c.bytes / secs / 2 ** 20).toFixed(0)} MB/s`);
  log(`| CRC32C of ${c.pieces} chunk records and indexes (${(c.bytes / 2 ** 20).toFixed(1)} MiB): slice-by-8 tables vs @node-rs/crc32 | ${mbs(c.table)} | ${mbs(c.native)} | chosen: native from ${c.nativeFrom} bytes, ${mbs(c.mixed)} | fastest |`);
  log();
  fs.rmSync(ex, { recursive: true, force: true });
  fs.writeFileSync(path.join(HERE, 'RESULTS.md'), lines.join('\n') + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
