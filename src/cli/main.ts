// The command line: yargs wiring only; the work happens in the library.

import type { Argv } from 'yargs';
// Commands load on demand, so each run pays only for the code it uses.
import type { DumpFormat } from './dump.js';
import { integerOption } from './options.js';
import { EXIT_USAGE, reportError, setDebug } from './run.js';
import { joinTimeValues } from './time-args.js';
import { loadYargs, type YargsFn } from './yargs.js';
import { parseDuration } from '../report/duration.js';

// yargs turns a lone `-` into an empty string, so carry stdin through as a placeholder.
const STDIN_ARG = '\0stdin';
const input = (v: unknown): string => (v === STDIN_ARG ? '-' : String(v));

const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));
const api = (a: Args) => ({ input: input(a.input), match: a.match as string[] | undefined, start: str(a.start), end: str(a.end), snapshot: str(a.snapshot), format: a.format as 'table' | 'tsv' | 'json' });

/** What each command runs, given the parsed arguments; modules load on first use. */
const COMMANDS: Record<string, (a: Args) => Promise<number>> = {
  verify: (a) =>
    import('./verify.js').then((m) =>
      m.verifyCommand({
        input: input(a.input),
        format: a.format as 'table' | 'tsv' | 'json',
        workers: integerOption('workers', a.workers, 1),
        snapshot: str(a.snapshot),
        quiet: a.quiet as boolean,
        strict: a.strict as boolean,
        coverage: { maxGap: durationArg(a['max-gap']), expectRange: durationArg(a['expect-range']), expectHead: a['expect-head'] as boolean | undefined },
      }),
    ),
  report: (a) => import('./report.js').then((m) => m.reportCommand({ input: input(a.input), out: String(a.o), limit: a.limit as number })),
  blocks: (a) => import('./blocks.js').then((m) => m.blocksCommand({ input: input(a.input), format: a.format as 'table' | 'tsv' | 'json', humanReadable: a['human-readable'] as boolean, snapshot: str(a.snapshot) })),
  dump: (a) =>
    import('./dump.js').then((m) =>
      m.dumpCommand({ input: input(a.input), match: a.match as string | string[] | undefined, minTime: str(a['min-time']), maxTime: str(a['max-time']), format: a.format as DumpFormat, snapshot: str(a.snapshot), promtoolCompat: a['promtool-compat'] as boolean | undefined }),
    ),
  series: (a) => import('./series.js').then((m) => m.seriesCommand(api(a))),
  labels: (a) => import('./labels.js').then((m) => m.labelsCommand(api(a))),
  'label-values': (a) => import('./labels.js').then((m) => m.labelValuesCommand({ ...api(a), name: String(a.name) })),
  restore: (a) => import('./restore.js').then((m) => m.restoreCommand(input(a.input), String(a['data-dir']), a.snapshot as string | undefined, Boolean(a['skip-corrupt']))),
  analyze: (a) =>
    import('./analyze.js').then((m) =>
      m.analyzeCommand({ input: input(a.input), block: str(a.block ?? a['block-id']), all: a.all as boolean, limit: a.limit, match: str(a.match), snapshot: str(a.snapshot), format: a.format as 'table' | 'tsv' | 'text' | 'json' }),
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
  const argv = joinTimeValues(helpArgs(args)).map((a) => (a === '-' ? STDIN_ARG : a));
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
    if (a.input === STDIN_ARG && process.stdin.isTTY) process.stderr.write('tsdb-inspect: reading an archive from stdin (pipe one in, or press Ctrl-D to end)\n');
    code = await COMMANDS[String(a._[0])](a);
  } catch (e) {
    code = reportError(e);
  }
  return code;
}

/** `help [command]` is `[command] --help`. */
export function helpArgs(args: readonly string[]): string[] {
  return args[0] === 'help' ? [...args.slice(1), '--help'] : [...args];
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
    if (a === '--format' || a === '--workers' || a === '--snapshot' || a === '--max-gap' || a === '--expect-range') i++;
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
  const tableFormat = { choices: ['table', 'tsv', 'json'] as const, default: 'table' as const, describe: 'table: for people, fitted to the terminal; tsv: tab-separated with a header line; json' };
  const inputArg = <T>(y: Argv<T>) =>
    y
      .positional('input', { type: 'string', demandOption: true, describe: inputDesc })
      .option('snapshot', { type: 'string', describe: 'read only this snapshot of an input that holds several (default: all of them together)' });
  return yargs(argv)
    .scriptName('tsdb-inspect')
    .usage('$0 <command> <input> [options]')
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces' })
    .command('verify <input>', 'check every byte of an archive or directory and report every problem', (y) =>
      inputArg(y)
        .option('format', tableFormat)
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary line (and the exit code says the rest)' })
        .option('strict', { type: 'boolean', default: false, describe: 'exit 1 on warnings too' })
        .option('workers', { type: 'string', describe: 'directories only: threads that check it, this one and N-1 worker threads scanning chunk segments (default: one per core from 192 MiB of blocks, else 1)' })
        .option('max-gap', { type: 'string', describe: 'longest hole between blocks that is not a coverage-gap, e.g. 3h (default: the smallest block range, at least 2h)' })
        .option('expect-range', { type: 'string', describe: 'error (coverage-short) when a snapshot covers less than this before its newest sample, e.g. 7d' })
        .option('expect-head', { type: 'boolean', describe: 'error (coverage-no-head) when a snapshot holds no head (taken with skip_head=true)' })
        .check((a) => {
          for (const k of ['max-gap', 'expect-range'] as const) if (a[k] !== undefined && durationArg(a[k]) === undefined) throw new Error(`--${k} takes a duration such as 2h or 7d, not ${a[k]}`);
          return true;
        }),
    )
    .command('report <input>', 'write one self-contained HTML page: block timeline, verify findings, cardinality', (y) =>
      inputArg(y)
        .option('o', { alias: 'output', type: 'string', demandOption: true, describe: 'the HTML file to write' })
        .option('limit', { type: 'number', default: 20, describe: 'entries per cardinality chart' }),
    )
    .command('blocks <input>', 'list the blocks, as promtool tsdb list does', (y) =>
      inputArg(y)
        .option('human-readable', { alias: 'r', type: 'boolean', default: false, describe: 'times and sizes as promtool tsdb list -r prints them' })
        .option('format', tableFormat),
    )
    .command('dump <input>', 'print samples, byte-identical to promtool tsdb dump', (y) =>
      inputArg(y)
        .option('match', { type: 'string', describe: 'series selector, e.g. {job="api"} (required with --format json)' })
        .option('min-time', { type: 'string', describe: 'first timestamp to dump: unix ms (as promtool), RFC 3339, or relative (now-1h, -24h)' })
        .option('max-time', { type: 'string', describe: 'last timestamp to dump: unix ms (as promtool), RFC 3339, or relative (now, -1h)' })
        .option('format', { choices: ['prom', 'json', 'openmetrics'] as const, default: 'prom' as const, describe: 'prom: promtool tsdb dump; json: /api/v1/query for a range selector; openmetrics: promtool tsdb dump-openmetrics' })
        .option('promtool-compat', { type: 'boolean', describe: 'prom format: end each series at its first native histogram sample, as promtool 2.42 does (byte-identical output)' }),
    )
    .command('series <input>', 'series matching selectors, as GET /api/v1/series answers', (y) => apiOptions(inputArg(y), tableFormat))
    .command('labels <input>', 'label names, as GET /api/v1/labels answers', (y) => apiOptions(inputArg(y), tableFormat))
    .command('label-values <input> <name>', 'values of a label, as GET /api/v1/label/<name>/values answers', (y) =>
      apiOptions(inputArg(y).positional('name', { type: 'string', demandOption: true, describe: 'label name' }), tableFormat),
    )
    .command('analyze <input> [block-id]', 'churn, cardinality and chunk fullness, as promtool tsdb analyze --extended', (y) =>
      inputArg(y)
        .positional('block-id', { type: 'string', describe: 'block ULID, as promtool takes it (default: the last block)' })
        .option('block', { type: 'string', describe: 'block ULID (the same as the positional block-id)' })
        .option('all', { type: 'boolean', default: false, describe: 'all blocks merged' })
        .option('extended', { type: 'boolean', default: false, describe: "accepted for promtool's sake: the extended sections are always shown" })
        .option('limit', { type: 'string', default: '20', describe: 'entries per section' })
        .option('match', { type: 'string', describe: 'analyze only the series a selector matches' })
        .option('format', { choices: ['table', 'tsv', 'text', 'json'] as const, default: 'table' as const, describe: "text: promtool's own output" })
        .check((a) => {
          if (a.block !== undefined && a['block-id'] !== undefined) throw new Error('give the block once: as block-id or --block');
          return true;
        }),
    )
    .command('help [command]', 'show the help of a command')
    .command('restore <input> <data-dir>', "write an archive's blocks into a Prometheus data dir, each checked as verify checks it", (y) =>
      y
        .positional('input', { type: 'string', demandOption: true, describe: 'a .tgz/.tar archive, or - for stdin' })
        .positional('data-dir', { type: 'string', demandOption: true, describe: 'the Prometheus data dir (--storage.tsdb.path); no Prometheus may run on it' })
        .option('snapshot', { type: 'string', describe: 'the snapshot to restore, when the archive holds more than one' })
        .option('skip-corrupt', { type: 'boolean', default: false, describe: 'restore the healthy blocks when some are corrupt (default: restore none)' }),
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
    .alias('h', 'help')
    .exitProcess(false)
    .fail((msg, err) => onFail(msg ?? err?.message));
}

class UsageFailed extends Error {}

/** A Prometheus duration option (7d, 2h30m) in ms; undefined when absent or not a duration. */
function durationArg(v: unknown): number | undefined {
  return typeof v === 'string' ? parseDuration(v) : undefined;
}

/** --match (repeatable), --start, --end and --format of the API-shaped commands. */
function apiOptions<T, F>(y: Argv<T>, format: F) {
  return y
    .option('match', { type: 'string', array: true, nargs: 1, describe: 'series selector, as match[] (repeatable)' })
    .option('start', { type: 'string', describe: 'start time: RFC 3339, unix seconds, or relative (now-1h, -24h)' })
    .option('end', { type: 'string', describe: 'end time: RFC 3339, unix seconds, or relative (now, -1h)' })
    .option('format', format as F & { default: 'table' });
}
