#!/bin/sh
':' //; exec node --max-semi-space-size=2 "$0" "$@"
// Run as a program, /bin/sh reads the line above and runs this file with node and a
// 2 MB young generation; node reads it as a string and a comment. `node bin/…` works
// too, without the flag. Why the flag, and why it is passed this way (not env -S, not
// v8.setFlagsFromString, not a re-exec): docs/performance.md, "The bin's V8 flag".
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
