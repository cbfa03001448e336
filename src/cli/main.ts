// The command line: yargs wiring only; the work happens in the library.

import yargs from 'yargs';
import { blocksCommand } from './blocks.js';
import { dumpCommand } from './dump.js';
import { verifyCommand } from './verify.js';
import { EXIT_USAGE, reportError, setDebug } from './run.js';

// yargs turns a lone `-` into an empty string, so carry stdin through as a placeholder.
const STDIN_ARG = '\0stdin';
const input = (v: unknown): string => (v === STDIN_ARG ? '-' : String(v));

export async function main(args: string[]): Promise<number> {
  const argv = args.map((a) => (a === '-' ? STDIN_ARG : a));
  let code = 0;
  const run = (p: Promise<number>) =>
    p.then(
      (c) => (code = c),
      (e) => (code = reportError(e)),
    );
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(code);
    throw e;
  });
  const inputDesc = 'a .tgz/.tar archive, - for stdin, or a snapshot, data or block directory';
  const parser = yargs(argv)
    .scriptName('tsdb-inspect')
    .usage('$0 <command> <input> [options]')
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces' })
    .middleware((a) => setDebug(Boolean(a.debug)))
    .command(
      'verify <input>',
      'check every byte of an archive or directory and report every problem',
      (y) =>
        y
          .positional('input', { type: 'string', demandOption: true, describe: inputDesc })
          .option('format', { choices: ['table', 'json'] as const, default: 'table' as const }),
      async (a) => void (await run(verifyCommand(input(a.input), a.format as 'table' | 'json'))),
    )
    .command(
      'blocks <input>',
      'list the blocks, as promtool tsdb list does',
      (y) =>
        y
          .positional('input', { type: 'string', demandOption: true, describe: inputDesc })
          .option('format', { choices: ['table', 'json'] as const, default: 'table' as const }),
      async (a) => void (await run(blocksCommand(input(a.input), a.format as 'table' | 'json'))),
    )
    .command(
      'dump <input>',
      'print samples, byte-identical to promtool tsdb dump',
      (y) =>
        y
          .positional('input', { type: 'string', demandOption: true, describe: inputDesc })
          .option('match', { type: 'string', describe: 'series selector, e.g. {job="api"}' })
          .option('min-time', { type: 'string', describe: 'minimum timestamp (ms) to dump' })
          .option('max-time', { type: 'string', describe: 'maximum timestamp (ms) to dump' }),
      async (a) => void (await run(dumpCommand({ input: input(a.input), match: a.match as string | undefined, minTime: a['min-time'] as string | undefined, maxTime: a['max-time'] as string | undefined }))),
    )
    .demandCommand(1, 'name a command')
    .strict()
    .help()
    .exitProcess(false)
    .fail((msg, err) => {
      process.stderr.write(`tsdb-inspect: ${msg ?? err?.message}\nRun tsdb-inspect --help for usage.\n`);
      code = EXIT_USAGE;
      throw new UsageFailed();
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    if (!(e instanceof UsageFailed)) code = reportError(e);
  }
  return code;
}

class UsageFailed extends Error {}
