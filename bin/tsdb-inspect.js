#!/bin/sh
':' //; exec node --max-semi-space-size=2 "$0" "$@"
// Run as a program, /bin/sh reads the line above and runs this file with node and a
// 2 MB young generation; node reads it as a string and a comment. (`env -S` would say
// it on one line, but the env of BusyBox, Alpine's, has no -S.) V8's default young
// generation grows to 16 MB per semi-space: the checks allocate little JS, so it only
// holds memory, and the archive's decompressed buffers (freed when a scavenge finds
// them dead) wait there longer. Peak RSS of verify drops by ~40 MB and no longer grows
// with the archive's size (bench/RESULTS.md); run times stay the same. `node bin/…`
// works too, without the flag.
import { main } from '../dist/cli/main.js';

// Anything that escapes main is a bug: say so on one line (the stack only with --debug)
// and exit 2, never with Node's own stack dump.
const debug = process.argv.includes('--debug');
const die = (e) => {
  const msg = String(e?.message ?? e).replace(/\s*[\r\n]+\s*/g, ' ');
  process.stderr.write(`tsdb-inspect: internal error: ${msg}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && e?.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(2);
};
process.on('uncaughtException', die);
process.on('unhandledRejection', die);

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, die);
