#!/usr/bin/env node
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
