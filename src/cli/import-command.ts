/** `import-logs [import]`: runs the importer and reports what it did. */
import { availableParallelism, homedir } from 'node:os';
import { adapters as registry } from '../../adapters/index.js';
import type { Adapter } from '../../adapters/types.js';
import { CliError, EXIT } from '../errors.js';
import { runImport, type ImportSummary } from '../importer/run.js';
import { parseSince, resolveLocations, type Locations } from '../importer/locations.js';
import { refuseInsideHomes, type OutputDir } from '../importer/placement.js';
import { createLogger, logLevel } from '../log.js';
import { providerNames } from './provider-flags.js';
import { stopOnSignals } from './signals.js';
import { formatSummary } from './summary.js';
import { NeedsStringWidth } from './text-core.js';
import type { CommonArgs } from './main.js';

export interface ImportArgs extends CommonArgs {
  since?: string | undefined;
  dryRun: boolean;
  force: boolean;
  concurrency?: number | undefined;
  redact: boolean;
  wait?: number | undefined;
  workers?: number | undefined;
}

export function selectAdapters(names: string[] | undefined): readonly Adapter[] {
  const wanted = providerNames(names);
  if (wanted.length === 0) return registry;
  const unknown = wanted.filter((n) => !registry.some((a) => a.id === n));
  if (unknown.length > 0) {
    throw new CliError(`unknown provider ${unknown.join(', ')} (known: ${registry.map((a) => a.id).join(', ')})`, EXIT.usage);
  }
  return registry.filter((a) => wanted.includes(a.id));
}

export function homeFlagValues(args: Record<string, unknown>): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const adapter of registry) {
    const value = args[adapter.home.flag];
    values[adapter.id] = typeof value === 'string' ? value : undefined;
  }
  return values;
}

/** The dirs this import writes, named as the user gave them. */
function outputDirs(args: ImportArgs, locations: Locations, env: NodeJS.ProcessEnv): OutputDir[] {
  const dirs: OutputDir[] = [];
  if (args.out !== undefined) dirs.push({ path: locations.logsDir, via: '--out' });
  const storeVia = args.store !== undefined ? '--store' : env.IMPORT_LOGS_HOME !== undefined ? 'IMPORT_LOGS_HOME' : 'the store';
  if (locations.storeDir !== null) dirs.push({ path: locations.storeDir, via: storeVia });
  return dirs;
}

export function exitCodeOf(summary: ImportSummary): number {
  return summary.errors.length > 0 ? EXIT.sourcesFailed : EXIT.ok;
}

/** Runs `format`; if it meets text that is not plain ASCII, loads string-width and runs it again. */
async function withTextWidths(format: () => string): Promise<string> {
  try {
    return format();
  } catch (err) {
    if (!(err instanceof NeedsStringWidth)) throw err;
    await import('./text.js');
    return format();
  }
}

export async function importCommand(args: ImportArgs): Promise<number> {
  const level = logLevel(args);
  const env = process.env;
  const home = homedir();
  const locations = resolveLocations({ root: args.root, store: args.store, out: args.out, env, homedir: home });
  refuseInsideHomes(outputDirs(args, locations, env), registry, homeFlagValues(args), { env, homedir: home });
  const since = args.since === undefined ? null : parseSince(args.since, Date.now());
  for (const [flag, value, min] of [['concurrency', args.concurrency, 1], ['workers', args.workers, 0]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      throw new CliError(`--${flag} ${value}: expected a whole number of at least ${min}`, EXIT.usage);
    }
  }
  if (args.wait !== undefined && !(args.wait >= 0)) {
    throw new CliError(`--wait ${args.wait}: expected a number of seconds`, EXIT.usage);
  }
  // The bar is for a person watching: a terminal on stderr, and not asked to be quiet.
  const progress = process.stderr.isTTY && !args.quiet && !args.dryRun ? (await import('./progress.js')).createProgress(process.stderr) : null;
  const stop = stopOnSignals();
  const summary = await runImport({
    locations,
    adapters: selectAdapters(args.provider),
    homeFlags: homeFlagValues(args),
    environment: { env, homedir: home },
    since,
    dryRun: args.dryRun,
    force: args.force,
    concurrency: args.concurrency ?? Math.min(8, 2 * availableParallelism()),
    log: createLogger(level),
    redact: args.redact,
    waitMs: (args.wait ?? 0) * 1000,
    workers: args.workers ?? 'auto',
    stop: stop.signal,
    ...(progress ? { onProgress: (p: Parameters<typeof progress.update>[0]) => progress.update(p) } : {}),
  })
    .catch((err: unknown) => {
      // Stopped while waiting for the lock: nothing was done.
      if (stop.signal.aborted && err instanceof Error && err.name === 'AbortError') return null;
      throw err;
    })
    .finally(() => progress?.clear());
  // A signal that came during the last write is handled here: the second turn of the loop comes
  // after it polled for events (the first may not).
  for (let turn = 0; turn < 2; turn++) await new Promise(setImmediate);
  if (summary === null) return stop.exitCode()!;
  const code = stop.exitCode() ?? exitCodeOf(summary);
  if (args.json) process.stdout.write(`${JSON.stringify({ ...summary, exit_code: code }, null, 2)}\n`);
  else if (!args.quiet || code !== EXIT.ok) process.stdout.write(await withTextWidths(() => formatSummary(summary)));
  return code;
}
