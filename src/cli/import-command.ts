/** `import-logs [import]`: runs the importer and reports what it did. */
import { availableParallelism, homedir } from 'node:os';
import { adapters as registry } from '../../adapters/index.js';
import { EXIT, LockedError, UsageError } from '../errors.js';
import { localIndexPath } from '../archive/layout.js';
import { emptySummary, runImport, type ImportOptions } from '../importer/run.js';
import type { ImportSummary } from '../model/reports.js';
import { parseSince, resolveLocations, type Locations } from '../importer/locations.js';
import { refuseInsideHomes, type OutputDir } from '../importer/placement.js';
import { createLogger, logLevel } from '../log.js';
import { homeFlagValues, selectAdapters } from './select-adapters.js';
import type { Progress } from './progress.js';
import { stopOnSignals, type StopOnSignals } from './signals.js';
import { formatSummary } from './summary.js';
import { NeedsStringWidth, tildePath } from './text-core.js';
import type { CommonArgs } from './options.js';

export interface ImportArgs extends CommonArgs {
  since?: string | undefined;
  dryRun: boolean;
  force: boolean;
  concurrency?: string | undefined;
  /** Absent: as the logs dir recorded. */
  redact?: boolean | undefined;
  wait?: string | undefined;
  workers?: string | undefined;
  index: boolean;
}

/** The dirs this import writes, named as the user gave them. */
function outputDirs(args: ImportArgs, locations: Locations, env: NodeJS.ProcessEnv): OutputDir[] {
  const dirs: OutputDir[] = [];
  if (args.out !== undefined) dirs.push({ path: locations.logsDir, via: '--out' });
  const storeVia =
    args.store !== undefined ? '--store' : env.IMPORT_LOGS_HOME !== undefined ? 'IMPORT_LOGS_HOME' : 'the store';
  if (locations.storeDir !== null) dirs.push({ path: locations.storeDir, via: storeVia });
  return dirs;
}

export function exitCodeOf(summary: ImportSummary): number {
  return summary.errors.length > 0 ? EXIT.failed : EXIT.ok;
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

/** A flag's number (a whole one unless `fraction`) of at least `min`; undefined when not given. */
function numberFlag(flag: string, value: string | undefined, min: number, fraction = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (!fraction && !Number.isInteger(n)) || n < min) {
    throw new UsageError(`--${flag} ${value}: expected a ${fraction ? 'number' : 'whole number'} of at least ${min}`);
  }
  return n;
}

/** The location flags of this run, for the commands it suggests next (` --root .`). */
function scopeFlags(args: ImportArgs): string {
  const quote = (v: string) => (/^[\w./~:@%+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`);
  return (['root', 'out', 'store'] as const)
    .flatMap((flag) => (args[flag] === undefined ? [] : [` --${flag} ${quote(args[flag])}`]))
    .join('');
}

/** `--root` that holds no session: where the sessions are instead, and what to run. */
async function emptyRootSentence(args: ImportArgs, summary: ImportSummary, storeDir: string | null): Promise<string> {
  const byWorkspace = new Map(Object.entries(summary.outside_root));
  if (byWorkspace.size === 0 && storeDir !== null) {
    const { logsDirsOf, readGlobalIndex, readLogsIndex } = await import('../archive/read.js');
    for (const logsDir of logsDirsOf((await readGlobalIndex(storeDir)) ?? [])) {
      for (const e of (await readLogsIndex(logsDir)) ?? [])
        byWorkspace.set(e.workspace_path ?? '', (byWorkspace.get(e.workspace_path ?? '') ?? 0) + 1);
    }
  }
  const head = `--root ${args.root}: no session has its workspace in this directory or below`;
  const total = [...byWorkspace.values()].reduce((a, b) => a + b, 0);
  if (total > 0) {
    const home = homedir();
    const top = [...byWorkspace]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 3)
      .map(([w, n]) => `${w === '' ? '(no workspace recorded)' : tildePath(w, home)} (${n})`);
    return `${head}; ${total} session${total === 1 ? '' : 's'} found elsewhere, most in ${top.join(', ')}. Give --root one of those, or run \`import-logs\` without --root to import them all.`;
  }
  const units = Object.values(summary.providers).reduce((n, p) => n + p.units, 0);
  if (units > 0)
    return `${head}; the ${units} sources found were read by an earlier run with this --root (\`--force\` reads them again to say where their sessions are).`;
  return `${head}, nor anywhere else: no provider home holds a session (\`import-logs doctor\` shows where it looked).`;
}

/** The importer's options from the flags, checked in this order: LOG_LEVEL, the output dirs, each flag's value. */
function importOptions(args: ImportArgs, env: NodeJS.ProcessEnv, home: string): ImportOptions {
  const level = logLevel(args);
  const locations = resolveLocations(args, env, home);
  const homeFlags = homeFlagValues(args);
  refuseInsideHomes(outputDirs(args, locations, env), registry, homeFlags, { env, homedir: home });
  const since = args.since === undefined ? null : parseSince(args.since, Date.now());
  const concurrency = numberFlag('concurrency', args.concurrency, 1);
  let workers = numberFlag('workers', args.workers, 0);
  const wait = numberFlag('wait', args.wait, 0, true);
  const adapters = selectAdapters(args.provider);
  // More threads than cores only adds memory and switching: clamp, and say so.
  const cores = availableParallelism();
  if (workers !== undefined && workers > cores) {
    if (!args.quiet)
      process.stderr.write(`import-logs: --workers ${workers}: this machine has ${cores} cores; using ${cores}\n`);
    workers = cores;
  }
  return {
    locations,
    adapters,
    homeFlags,
    environment: { env, homedir: home },
    since,
    dryRun: args.dryRun,
    force: args.force,
    concurrency: concurrency ?? Math.min(8, 2 * cores),
    log: createLogger(level, args.logFormat),
    redact: args.redact,
    waitMs: (wait ?? 0) * 1000,
    workers: workers ?? 'auto',
  };
}

/** The bar is for a person watching: a terminal on stderr, and not asked to be quiet. */
async function progressBar(args: ImportArgs): Promise<Progress | null> {
  return process.stderr.isTTY && !args.quiet && !args.dryRun
    ? (await import('./progress.js')).createProgress(process.stderr)
    : null;
}

/** The import, with its bar; null when a signal stopped it while it waited for the lock. */
async function runWithProgress(
  options: ImportOptions,
  progress: Progress | null,
  stop: StopOnSignals,
): Promise<ImportSummary | null> {
  return runImport({
    ...options,
    stop: stop.signal,
    ...(progress ? { onProgress: (p: Parameters<typeof progress.update>[0]) => progress.update(p) } : {}),
  })
    .catch((err: unknown) => {
      // Stopped while waiting for the lock: nothing was done.
      if (stop.signal.aborted && err instanceof Error && err.name === 'AbortError') return null;
      throw err;
    })
    .finally(() => progress?.clear());
}

/** Another run holds the lock: cron gets silence under --quiet, a monitor gets its JSON. */
function lockedExit(err: LockedError, args: ImportArgs, locations: Locations): number {
  if (args.json)
    process.stdout.write(
      `${JSON.stringify({ ...emptySummary(locations, args.dryRun), exit_code: EXIT.locked, message: err.message }, null, 2)}\n`,
    );
  if (!args.quiet) process.stderr.write(`import-logs: ${err.message}\n`);
  return EXIT.locked;
}

/** Brings the local index up to date; failed when it could not (the archive is imported all the same). */
async function refreshLocalIndex(logsDir: string): Promise<number> {
  const { updateLocalIndex } = await import('../database/local-index.js');
  try {
    await updateLocalIndex(logsDir);
    return EXIT.ok;
  } catch (err) {
    // Only the archive's derived index is behind. Said, and retried next run.
    process.stderr.write(
      `import-logs: ${localIndexPath(logsDir)}: the local index could not be updated (${(err as Error).message}); \`import-logs index --rebuild\` makes it anew\n`,
    );
    return EXIT.failed;
  }
}

/** `--root` given, and no session (nor error) found under it. */
function isEmptyRoot(args: ImportArgs, summary: ImportSummary, locations: Locations): boolean {
  const sessions = Object.values(summary.providers).reduce(
    (n, p) => n + p.new_sessions + p.updated_sessions + p.unchanged_sessions,
    0,
  );
  return locations.root !== null && !args.dryRun && sessions === 0 && summary.errors.length === 0;
}

/**
 * Lets a signal that came during synchronous work be handled: the second turn of the event loop
 * comes after it polled for events (the first may not).
 */
async function signalsDelivered(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise(setImmediate);
}

export async function importCommand(args: ImportArgs): Promise<number> {
  const home = homedir();
  const options = importOptions(args, process.env, home);
  const progress = await progressBar(args);
  const stop = stopOnSignals();
  let summary: ImportSummary | null;
  try {
    summary = await runWithProgress(options, progress, stop);
  } catch (err) {
    if (!(err instanceof LockedError)) throw err;
    return lockedExit(err, args, options.locations);
  }
  await signalsDelivered();
  if (summary === null) return stop.exitCode()!;
  const emptyRoot = isEmptyRoot(args, summary, options.locations);
  let code = stop.exitCode() ?? (emptyRoot ? EXIT.usage : exitCodeOf(summary));
  // Not after a signal: the run was asked to end; the next one brings the index up to date.
  if (args.index && !args.dryRun && !stop.signal.aborted) {
    code = Math.max(code, await refreshLocalIndex(summary.logs_dir));
    // A signal during the update (it runs in one synchronous transaction) still ends the run with its code.
    await signalsDelivered();
    code = stop.exitCode() ?? code;
  }
  if (args.json) process.stdout.write(`${JSON.stringify({ ...summary, exit_code: code }, null, 2)}\n`);
  if (emptyRoot) {
    process.stderr.write(`import-logs: ${await emptyRootSentence(args, summary, options.locations.storeDir)}\n`);
    return code;
  }
  if (!args.json && (!args.quiet || code !== EXIT.ok))
    process.stdout.write(await withTextWidths(() => formatSummary(summary, home, scopeFlags(args))));
  return code;
}
