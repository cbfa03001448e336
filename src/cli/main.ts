// The command line: yargs wiring only; the work happens in the library.

import type { Argv } from 'yargs';
// Commands load on demand, so each run pays only for the code it uses.
import type { DumpFormat } from './dump.js';
import { EXIT_USAGE, reportError, setDebug } from './run.js';
import { loadYargs, type YargsFn } from './yargs.js';

// yargs turns a lone `-` into an empty string, so carry stdin through as a placeholder.
const STDIN_ARG = '\0stdin';
const input = (v: unknown): string => (v === STDIN_ARG ? '-' : String(v));

/** What each command runs, given the parsed arguments; modules load on first use. */
const COMMANDS: Record<string, (a: Args) => Promise<number>> = {
  verify: (a) => import('./verify.js').then((m) => m.verifyCommand(input(a.input), a.format as 'table' | 'json', a.workers as number | undefined)),
  blocks: (a) => import('./blocks.js').then((m) => m.blocksCommand(input(a.input), a.format as 'table' | 'json')),
  dump: (a) =>
    import('./dump.js').then((m) =>
      m.dumpCommand({ input: input(a.input), match: a.match as string | string[] | undefined, minTime: a['min-time'] as string | undefined, maxTime: a['max-time'] as string | undefined, format: a.format as DumpFormat, promtoolCompat: a['promtool-compat'] as boolean | undefined }),
    ),
  series: (a) => import('./series.js').then((m) => m.seriesCommand({ input: input(a.input), match: a.match as string[] | undefined, start: a.start as string | undefined, end: a.end as string | undefined, format: a.format as 'table' | 'json' })),
  labels: (a) => import('./labels.js').then((m) => m.labelsCommand({ input: input(a.input), match: a.match as string[] | undefined, start: a.start as string | undefined, end: a.end as string | undefined, format: a.format as 'table' | 'json' })),
  'label-values': (a) =>
    import('./labels.js').then((m) =>
      m.labelValuesCommand({ input: input(a.input), name: String(a.name), match: a.match as string[] | undefined, start: a.start as string | undefined, end: a.end as string | undefined, format: a.format as 'table' | 'json' }),
    ),
  analyze: (a) =>
    import('./analyze.js').then((m) =>
      m.analyzeCommand({ input: input(a.input), block: a.block as string | undefined, all: a.all as boolean, limit: a.limit as number, match: a.match as string | undefined, format: a.format as 'table' | 'text' | 'json' }),
    ),
  push: (a) =>
    import('./push.js').then((m) =>
      m.pushCommand({ input: input(a.input), url: String(a.url), match: a.match as string[] | undefined, minTime: a['min-time'] as string | undefined, maxTime: a['max-time'] as string | undefined, header: a.header as string[] | undefined, username: a.username as string | undefined, password: a.password as string | undefined, bearerToken: a['bearer-token'] as string | undefined, concurrency: a.concurrency as number, batchSamples: a['batch-samples'] as number, dryRun: a['dry-run'] as boolean }),
    ),
};

type Args = Record<string, unknown> & { _: (string | number)[] };

export async function main(args: string[]): Promise<number> {
  // `verify <archive.tgz>`: its decompression thread boots and starts while yargs and verify
  // load (~0.1 s that verify would otherwise wait for it). A guess the command does not use
  // costs a thread that ends with the process.
  const early = verifyInputGuess(args);
  if (early !== undefined) (await import('../snapshot/gunzip-thread.js')).startGunzipEarly(early);
  const argv = args.map((a) => (a === '-' ? STDIN_ARG : a));
  let code = 0;
  // Temp files go on exit, on SIGINT/SIGTERM/SIGHUP and when stdout closes early (EPIPE below exits).
  (await import('../snapshot/temp.js')).cleanupOnExit();
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(code);
    throw e;
  });
  const parser = cliParser(await loadYargs(argv), argv, (msg) => {
    process.stderr.write(`tsdb-inspect: ${msg}\nRun tsdb-inspect --help for usage.\n`);
    code = EXIT_USAGE;
    throw new UsageFailed();
  });
  let a: Args;
  try {
    a = (await parser.parseAsync()) as Args;
  } catch (e) {
    return e instanceof UsageFailed ? code : reportError(e);
  }
  // yargs has printed the help or the version.
  if (a.help || a.version) return code;
  setDebug(Boolean(a.debug));
  try {
    code = await COMMANDS[String(a._[0])](a);
  } catch (e) {
    code = reportError(e);
  }
  return code;
}

/**
 * The input of a `verify` command line, read before yargs is loaded (for startGunzipEarly):
 * the first argument after `verify` that is neither an option nor the value of one of
 * verify's options that take one. Undefined for any other command, or stdin.
 */
export function verifyInputGuess(args: readonly string[]): string | undefined {
  if (args[0] !== 'verify') return undefined;
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return args[i + 1] !== '-' ? args[i + 1] : undefined;
    if (a === '--format' || a === '--workers') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/**
 * The command line as yargs reads it. The commands have no handlers: yargs
 * parses and validates, then main runs the command. `onFail` gets yargs'
 * message for a usage error and must throw.
 */
export function cliParser(yargs: YargsFn, argv: string[], onFail: (msg: string) => never) {
  const inputDesc = 'a .tgz/.tar archive, - for stdin, or a snapshot, data or block directory';
  return yargs(argv)
    .scriptName('tsdb-inspect')
    .usage('$0 <command> <input> [options]')
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces' })
    .command('verify <input>', 'check every byte of an archive or directory and report every problem', (y) =>
      y
        .positional('input', { type: 'string', demandOption: true, describe: inputDesc })
        .option('format', { choices: ['table', 'json'] as const, default: 'table' as const })
        .option('workers', { type: 'number', describe: 'threads that check a directory: this one and N-1 worker threads scanning chunk segments (default: one per core from 192 MiB of blocks, else 1)' })
        .check((a) => {
          if (a.workers !== undefined && !(Number.isInteger(a.workers) && a.workers >= 1)) throw new Error(`--workers must be a whole number of at least 1, not ${a.workers}`);
          return true;
        }),
    )
    .command('blocks <input>', 'list the blocks, as promtool tsdb list does', (y) =>
      y
        .positional('input', { type: 'string', demandOption: true, describe: inputDesc })
        .option('format', { choices: ['table', 'json'] as const, default: 'table' as const }),
    )
    .command('dump <input>', 'print samples, byte-identical to promtool tsdb dump', (y) =>
      y
        .positional('input', { type: 'string', demandOption: true, describe: inputDesc })
        .option('match', { type: 'string', describe: 'series selector, e.g. {job="api"}' })
        .option('min-time', { type: 'string', describe: 'minimum timestamp (ms) to dump' })
        .option('max-time', { type: 'string', describe: 'maximum timestamp (ms) to dump' })
        .option('format', { choices: ['prom', 'json', 'openmetrics'] as const, default: 'prom' as const, describe: 'prom: promtool tsdb dump; json: /api/v1/query for a range selector; openmetrics: promtool tsdb dump-openmetrics' })
        .option('promtool-compat', { type: 'boolean', describe: "prom format: end each series at its first native histogram sample, as promtool 2.42 does (byte-identical output)" }),
    )
    .command('series <input>', 'series matching selectors, as GET /api/v1/series answers', (y) =>
      apiOptions(y.positional('input', { type: 'string', demandOption: true, describe: inputDesc })),
    )
    .command('labels <input>', 'label names, as GET /api/v1/labels answers', (y) =>
      apiOptions(y.positional('input', { type: 'string', demandOption: true, describe: inputDesc })),
    )
    .command('label-values <input> <name>', 'values of a label, as GET /api/v1/label/<name>/values answers', (y) =>
      apiOptions(
        y
          .positional('input', { type: 'string', demandOption: true, describe: inputDesc })
          .positional('name', { type: 'string', demandOption: true, describe: 'label name' }),
      ),
    )
    .command('analyze <input>', 'churn, cardinality and chunk fullness, as promtool tsdb analyze --extended', (y) =>
      y
        .positional('input', { type: 'string', demandOption: true, describe: inputDesc })
        .option('block', { type: 'string', describe: 'block ULID (default: the last block)' })
        .option('all', { type: 'boolean', default: false, describe: 'all blocks merged' })
        .option('limit', { type: 'number', default: 20, describe: 'entries per section' })
        .option('match', { type: 'string', describe: 'analyze only the series a selector matches' })
        .option('format', { choices: ['table', 'text', 'json'] as const, default: 'table' as const, describe: "text: promtool's own output" }),
    )
    .command('push <input>', 'send the samples to a Prometheus remote write receiver (native histograms included)', (y) =>
      y
        .positional('input', { type: 'string', demandOption: true, describe: inputDesc })
        .option('url', { type: 'string', demandOption: true, describe: 'remote write URL, e.g. http://localhost:9090/api/v1/write' })
        .option('match', { type: 'string', array: true, nargs: 1, describe: 'series selector (repeatable; default: every series)' })
        .option('min-time', { type: 'string', describe: 'minimum timestamp (ms) to push' })
        .option('max-time', { type: 'string', describe: 'maximum timestamp (ms) to push' })
        .option('header', { type: 'string', array: true, nargs: 1, describe: 'extra request header Name:Value (repeatable)' })
        .option('username', { type: 'string', describe: 'basic auth user (or $TSDB_INSPECT_PUSH_USERNAME)' })
        .option('password', { type: 'string', describe: 'basic auth password (better: $TSDB_INSPECT_PUSH_PASSWORD)' })
        .option('bearer-token', { type: 'string', describe: 'bearer token (better: $TSDB_INSPECT_PUSH_BEARER_TOKEN)' })
        .option('concurrency', { type: 'number', default: 4, describe: 'requests in flight at once' })
        .option('batch-samples', { type: 'number', default: 2000, describe: 'samples per request at most' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'count what would be sent, send nothing' })
        .check((a) => {
          for (const k of ['concurrency', 'batch-samples'] as const) if (!(Number.isInteger(a[k]) && a[k] >= 1)) throw new Error(`--${k} must be a whole number of at least 1, not ${a[k]}`);
          return true;
        }),
    )
    .demandCommand(1, 'name a command')
    .strict()
    .help()
    .exitProcess(false)
    .fail((msg, err) => onFail(msg ?? err?.message));
}

class UsageFailed extends Error {}

/** --match (repeatable), --start, --end and --format of the API-shaped commands. */
function apiOptions<T>(y: Argv<T>) {
  return y
    .option('match', { type: 'string', array: true, nargs: 1, describe: 'series selector, as match[] (repeatable)' })
    .option('start', { type: 'string', describe: 'start time: RFC 3339 or unix seconds' })
    .option('end', { type: 'string', describe: 'end time: RFC 3339 or unix seconds' })
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const });
}
