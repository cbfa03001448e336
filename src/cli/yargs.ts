// yargs, loaded for what a run needs. yargs' own entry (index.mjs) builds
// it with a platform shim that imports cliui and string-width up front, and
// those compile Unicode tables on every start; they only lay out help text.
// A run that prints no help gets the same YargsFactory with a shim whose help
// layout is empty; a run that may print help (any --help argument) gets
// yargs' own entry. This reaches into yargs' files, so package.json pins
// yargs to one exact version (test/cli/yargs.test.ts holds the two to the
// same parse); if its files are not where this expects them, its own entry
// is used. Measured: docs/performance.md.

import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type yargsDefault from 'yargs';

export type YargsFn = typeof yargsDefault;

/** Whether the arguments may ask yargs for help (the only output that needs its layout). */
export function mayPrintHelp(args: readonly string[]): boolean {
  return args.some((a) => a.startsWith('--help') || a === '-h');
}

export async function loadYargs(args: readonly string[]): Promise<YargsFn> {
  if (!mayPrintHelp(args)) {
    try {
      return await loadWithoutLayout();
    } catch {
      // yargs' layout has changed: its own entry still works.
    }
  }
  return (await import('yargs')).default;
}

/** YargsFactory with yargs' ESM platform shim (lib/platform-shims/esm.mjs), but no help layout. */
export async function loadWithoutLayout(): Promise<YargsFn> {
  const entry = import.meta.resolve('yargs');
  const shimFile = new URL('./lib/platform-shims/esm.mjs', entry);
  // yargs' own dependencies, resolved from where yargs is, as its shim imports them.
  const req = createRequire(shimFile);
  const [factory, argvBin, parser, util, path, fs, assert] = await Promise.all([
    import(new URL('./build/lib/yargs-factory.js', entry).href),
    import(new URL('./build/lib/utils/process-argv.js', entry).href),
    import(pathToFileURL(req.resolve('yargs-parser')).href),
    import('node:util'),
    import('node:path'),
    import('node:fs'),
    import('node:assert'),
  ]);
  const y18n = req('y18n') as (o: { directory: string; updateFiles: boolean }) => unknown;
  const escalade = req('escalade/sync') as unknown;
  const getCallerFile = req('get-caller-file') as (n: number) => string;
  const { YargsFactory } = factory as { YargsFactory?: (shim: unknown) => YargsFn };
  if (typeof YargsFactory !== 'function' || typeof argvBin.getProcessArgvBin !== 'function' || typeof parser.default !== 'function') {
    throw new Error('yargs internals not as expected');
  }
  const shimPath = fileURLToPath(shimFile);
  const mainFilename = shimPath.substring(0, shimPath.lastIndexOf('node_modules'));
  return YargsFactory({
    assert: { notStrictEqual: assert.notStrictEqual, strictEqual: assert.strictEqual },
    // Help text is laid out on every run (yargs caches it); this run prints none.
    cliui: () => ({ div() {}, span() {}, toString: () => '' }),
    findUp: escalade,
    getEnv: (key: string) => process.env[key],
    inspect: util.inspect,
    getProcessArgvBin: argvBin.getProcessArgvBin,
    mainFilename: mainFilename || process.cwd(),
    Parser: parser.default,
    path: { basename: path.basename, dirname: path.dirname, extname: path.extname, relative: path.relative, resolve: path.resolve, join: path.join },
    process: {
      argv: () => process.argv,
      cwd: process.cwd,
      emitWarning: (warning: string, type: string) => process.emitWarning(warning, type),
      execPath: () => process.execPath,
      exit: (code: number) => process.exit(code),
      nextTick: process.nextTick,
      stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null,
    },
    readFileSync: fs.readFileSync,
    readdirSync: fs.readdirSync,
    require: req,
    getCallerFile: () => {
      const callerFile = getCallerFile(3);
      return callerFile.match(/^file:\/\//) ? fileURLToPath(callerFile) : callerFile;
    },
    stringWidth: (s: string) => s.length,
    y18n: y18n({ directory: path.resolve(shimPath, '../../../locales'), updateFiles: false }),
  });
}
