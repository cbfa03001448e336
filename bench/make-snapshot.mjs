#!/usr/bin/env node
// Build the benchmark snapshot with the real Prometheus 2.42, once, and cache
// it outside the repo: OpenMetrics history → `promtool tsdb create-blocks-from
// openmetrics` → a Prometheus server over those blocks that compacts them →
// a snapshot through the admin API → `tar czf`.
//
//   node bench/make-snapshot.mjs [--series 10000] [--hours 24] [--step 30] [--out DIR]
//
// Prints the path of the cached snapshot archive.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function parseArgs(argv) {
  const o = { series: 10000, hours: 24, step: 30, out: path.join(os.tmpdir(), 'tsdb-inspect-bench') };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in o)) throw new Error(`unknown option ${argv[i]}`);
    o[k] = k === 'out' ? argv[i + 1] : Number(argv[i + 1]);
  }
  return o;
}

// A deterministic PRNG, so every build of one scale holds the same data.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Realistic series: request counters per job/instance/method/code, CPU seconds, gauges. */
function seriesSet(n) {
  const out = [];
  const seen = new Set();
  const jobs = ['api', 'web', 'db', 'cache', 'queue'];
  const methods = ['GET', 'POST', 'PUT', 'DELETE'];
  const codes = ['200', '201', '400', '404', '500'];
  let i = 0;
  const push = (s) => {
    if (seen.has(s.name + s.labels)) return;
    seen.add(s.name + s.labels);
    out.push(s);
  };
  while (out.length < n) {
    const job = jobs[i % jobs.length];
    const inst = `${job}-${Math.floor(i / jobs.length) % 200}:9100`;
    const kind = i % 4;
    if (kind === 0 || kind === 1) {
      push({ name: 'http_requests_total', type: 'counter', labels: `code="${codes[i % codes.length]}",instance="${inst}",job="${job}",method="${methods[(i >> 2) % methods.length]}",path="/v1/items/${i % 50}"` });
    } else if (kind === 2) {
      push({ name: 'node_cpu_seconds_total', type: 'counter', labels: `cpu="${i % 16}",instance="${inst}",job="${job}",mode="${['idle', 'user', 'system', 'iowait'][(i >> 4) % 4]}"` });
    } else {
      push({ name: 'node_memory_available_bytes', type: 'gauge', labels: `instance="${inst}",job="${job}",series="${i}"` });
    }
    i++;
  }
  return out;
}

async function writeOpenMetrics(file, o) {
  const ws = fs.createWriteStream(file, { highWaterMark: 1 << 22 });
  const end = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3 * 3600;
  const start = end - o.hours * 3600;
  const steps = Math.floor((o.hours * 3600) / o.step);
  const byName = new Map();
  for (const s of seriesSet(o.series)) {
    if (!byName.has(s.name)) byName.set(s.name, []);
    byName.get(s.name).push(s);
  }
  let buf = '';
  const flush = async () => {
    if (!ws.write(buf)) await new Promise((r) => ws.once('drain', r));
    buf = '';
  };
  let k = 0;
  for (const [name, list] of byName) {
    const type = list[0].type;
    const family = type === 'counter' ? name.replace(/_total$/, '') : name;
    buf += `# HELP ${family} benchmark data\n# TYPE ${family} ${type}\n`;
    for (const s of list) {
      const r = rng(++k);
      let v = type === 'counter' ? Math.floor(r() * 1000) : 1e9 + Math.floor(r() * 1e9);
      for (let j = 0; j < steps; j++) {
        if (type === 'counter') v += name.startsWith('node_cpu') ? Math.round(r() * 3000) / 100 : Math.floor(r() * 20);
        else v = Math.max(0, v + Math.floor((r() - 0.5) * 1e7));
        buf += `${name}{${s.labels}} ${v} ${start + j * o.step}\n`;
        if (buf.length > 1 << 20) await flush();
      }
    }
  }
  buf += '# EOF\n';
  await flush();
  await new Promise((r) => ws.end(r));
  return { start, end, samples: o.series * steps };
}

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function makeSnapshot(o) {
  const name = `s${o.series}-h${o.hours}-st${o.step}`;
  const archive = path.join(o.out, `${name}.tgz`);
  if (fs.existsSync(archive)) return archive;
  const work = path.join(o.out, `${name}.work`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'data'), { recursive: true });
  const om = path.join(work, 'history.om');
  process.stderr.write(`writing ${o.series} series × ${o.hours}h at ${o.step}s as OpenMetrics…\n`);
  const info = await writeOpenMetrics(om, o);
  process.stderr.write(`${info.samples} samples; promtool tsdb create-blocks-from openmetrics…\n`);
  run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', om, path.join(work, 'data')]);
  fs.rmSync(om);
  const port = await freePort();
  const cfg = path.join(work, 'prometheus.yml');
  fs.writeFileSync(cfg, 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const server = spawn('prometheus', [
    `--config.file=${cfg}`,
    `--storage.tsdb.path=${path.join(work, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-admin-api',
    '--storage.tsdb.retention.time=100y',
  ], { stdio: ['ignore', 'ignore', fs.openSync(path.join(work, 'prometheus.log'), 'w')] });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/-/ready`)).ok) break;
      } catch {}
      if (i > 600) throw new Error('prometheus did not become ready');
      await sleep(500);
    }
    // Wait for compaction: no level-1 blocks left beside others, blocks stable.
    process.stderr.write('waiting for the server to compact the blocks…\n');
    let last = '';
    let stable = 0;
    for (let i = 0; i < 900 && stable < 6; i++) {
      await sleep(2000);
      const blocks = fs.readdirSync(path.join(work, 'data')).filter((d) => /^[0-9A-Z]{26}$/.test(d));
      const levels = blocks.map((b) => {
        try {
          return JSON.parse(fs.readFileSync(path.join(work, 'data', b, 'meta.json'), 'utf8')).compaction.level;
        } catch {
          return 0;
        }
      });
      const key = blocks.sort().join(',');
      stable = key === last && Math.max(...levels) >= 2 ? stable + 1 : 0;
      last = key;
    }
    const r = await fetch(`${url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' });
    const snap = (await r.json()).data.name;
    process.stderr.write(`snapshot ${snap}; tar czf…\n`);
    run('tar', ['czf', archive + '.part', 'snapshots/'], { cwd: path.join(work, 'data') });
    fs.renameSync(archive + '.part', archive);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    fs.rmSync(work, { recursive: true, force: true });
  }
  return archive;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = parseArgs(process.argv.slice(2));
  fs.mkdirSync(o.out, { recursive: true });
  makeSnapshot(o).then((p) => console.log(p), (e) => {
    console.error(e.message);
    process.exit(1);
  });
}
