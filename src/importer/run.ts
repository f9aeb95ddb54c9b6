/**
 * The incremental import of one logs dir, in three jobs: plan (discover, stat only, and compare
 * fingerprints with the state: `plan.ts`), apply (convert new and changed units concurrently and
 * merge each session with what the archive holds: `apply.ts`), checkpoint (publish session files,
 * indexes and state durably every few seconds and at the end: `checkpoint.ts`). Never appends;
 * never forgets a session whose source disappeared.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { Adapter, HomeEnvironment } from '../../adapters/types.js';
import { ArchiveError, CliError, errorMessage } from '../errors.js';
import type { ImportSummary } from '../model/reports.js';
import type { BackfillState } from '../model/state.js';
import { DIR_MODE, removeTempFiles } from '../writer/atomic-file.js';
import { indexesDamaged } from '../archive/indexes.js';
import {
  DIR_LISTINGS_FILE,
  INDEX_FILE,
  LAST_RUN_FILE,
  SESSION_ENTRIES_FILE,
  STATE_DIGEST_FILE,
  STATE_FILE,
  sessionsDirOf,
  statePath as statePathOf,
} from '../archive/layout.js';
import { loadState, markOf, type Entries, type StateJournal } from '../archive/state-file.js';
import { Apply } from './apply.js';
import { Checkpoints } from './checkpoint.js';
import type { UnitResult } from './convert-unit.js';
import { InFlight } from './in-flight.js';
import { boundHeapGrowth } from './heap-growth.js';
import { convertWithRetries } from './retry.js';
import { unitRecordOf } from './fingerprint.js';
import { nextLastRuns, readLastRuns, writeLastRuns, type LastRuns } from './last-run.js';
import { ownedPaths, tightenModes } from './modes.js';
import { refuseForeignLogsDir } from './placement.js';
import { recordRedaction, recordedRedaction, redactionOf } from './redaction.js';
import { acquireLock } from './lock.js';
import { DirListings } from './dir-listings.js';
import { adoptSessionFiles, fillMissingEntries } from './rebuild.js';
import { driftWarning, versionDrift } from './version-drift.js';
import { planImport, type ImportPlan, type PlannedUnit, type Prepared } from './plan.js';
import { planFromDigest, readStateDigest, saveStateDigest, type StateDigest } from './state-digest.js';
import type { WorkerPool } from './worker-pool.js';
import type { Locations } from './locations.js';

export interface ImportOptions {
  locations: Locations;
  adapters: readonly Adapter[];
  /** Flag overrides of provider homes, by adapter id. */
  homeFlags: Record<string, string | undefined>;
  environment: HomeEnvironment;
  since: number | null;
  dryRun: boolean;
  force: boolean;
  concurrency: number;
  log: Logger;
  /** Called after each unit (for a progress bar). */
  onProgress?: (p: { done: number; total: number; bytesRead: number; bytesTotal: number }) => void;
  checkpointMs?: number;
  /** Worker threads for conversion: a number, or 'auto' (several cores and enough bytes). Default 0. */
  workers?: number | 'auto';
  /** Mask secrets (`--redact`: true, `--no-redact`: false); absent: as the logs dir recorded (redaction.ts). */
  redact?: boolean | undefined;
  /** How long to wait for another import of this logs dir to finish (0: exit 75 at once). */
  waitMs?: number;
  /** Stops the run at its next safe point (a signal): what is converted is saved, the rest is left for the next run. */
  stop?: AbortSignal;
}

/** Below this many bytes to convert, starting workers costs more than it saves. */
const WORKER_MIN_BYTES = 64 * 1024 * 1024;
/** Source bytes of the units in flight per thread beyond the first unit of each (see InFlight). */
const BYTES_IN_FLIGHT = 32 * 1024 * 1024;

/** A pool of `size` worker threads, or null where workers cannot run (tests from TypeScript sources). */
async function openPool(size: number): Promise<WorkerPool | null> {
  const { WorkerPool, workersAvailable } = await import('./worker-pool.js');
  return workersAvailable() ? new WorkerPool(size) : null;
}

/**
 * Workers start before discovery, so that loading their modules overlaps it: when asked for, or
 * ('auto') for the first import into this logs dir, which converts everything.
 */
async function earlyPool(opts: ImportOptions, state: BackfillState): Promise<WorkerPool | null> {
  const cores = availableParallelism();
  let firstImport = true;
  for (const _ in state.units) firstImport = false;
  const size = opts.workers === 'auto' ? (cores >= 2 && firstImport ? cores : 0) : (opts.workers ?? 0);
  return !opts.dryRun && size > 0 ? openPool(size) : null;
}

/** Creates the logs dir and takes its lock; a dir that cannot be written is a state error (3). */
async function lockLogsDir(logsDir: string, sessionsDir: string, waitMs: number, signal: AbortSignal | undefined) {
  try {
    mkdirSync(sessionsDir, { recursive: true, mode: DIR_MODE });
    return await acquireLock(logsDir, { waitMs, ...(signal ? { signal } : {}) });
  } catch (err) {
    if (err instanceof CliError || signal?.aborted) throw err;
    throw new ArchiveError(`logs dir ${logsDir} cannot be written: ${errorMessage(err)}`);
  }
}

/** The summary of a run that has done nothing yet. */
export function emptySummary(locations: Locations, dryRun: boolean): ImportSummary {
  return {
    logs_dir: locations.logsDir,
    store: locations.storeDir,
    dry_run: dryRun,
    state_migrated_from: null,
    providers: {},
    bytes_read: 0,
    bytes_written: 0,
    duration_ms: 0,
    warnings: [],
    errors: [],
    outside_root: {},
    retained: [],
  };
}

interface OpenedState {
  state: BackfillState;
  /** Its journal, which reads every session's entry when the run is to change any. */
  journal: StateJournal;
  migratedFrom: number | null;
  /** Read from an older version's files: written anew in this version's at the end of the run. */
  upgraded: boolean;
  redactRules: number;
  /** Sessions whose entries were read back from their files (there was no state). */
  rebuilt: Set<string>;
  /** The record of the last runs, kept in `last_run.json` (an older state's record moves there). */
  lastRuns: LastRuns;
}

/** Tightens the modes of what the run owns, and removes what a killed run left. */
function tidyLogsDir(opts: ImportOptions, sessionsDir: string, summary: ImportSummary, listings: DirListings): void {
  const { logsDir } = opts.locations;
  summary.warnings.push(...tightenModes(ownedPaths(opts.locations)));
  listings.sweep(sessionsDir, () => removeTempFiles(sessionsDir, []));
  removeTempFiles(logsDir, [
    STATE_FILE,
    SESSION_ENTRIES_FILE,
    STATE_DIGEST_FILE,
    INDEX_FILE,
    LAST_RUN_FILE,
    DIR_LISTINGS_FILE,
  ]);
}

/** Loads the state (or, without one, rebuilds its sessions from their files). */
async function openState(opts: ImportOptions, sessionsDir: string, summary: ImportSummary): Promise<OpenedState> {
  const { logsDir } = opts.locations;
  const statePath = statePathOf(logsDir);
  const { state, migratedFrom, upgraded, journal } = await loadState(statePath);
  summary.state_migrated_from = migratedFrom;
  // The record an older state holds moves to its own file: the next write of the state drops it.
  const lastRuns = readLastRuns(logsDir, state);
  delete state.last_run;
  if (migratedFrom !== null)
    summary.warnings.unshift(
      `state file ${statePath} was version ${migratedFrom}: migrated, every session is converted again`,
    );
  // Without a state, the session files say what the archive holds.
  const rebuilt = new Set<string>();
  if (Object.keys(state.sessions).length === 0) {
    const entries = await journal.allEntries();
    entries.clear(); // entries of sessions the state does not list are not trusted: the files say
    for (const [key, entry] of await adoptSessionFiles(sessionsDir, summary.warnings)) {
      entries.set(key, entry);
      state.sessions[key] = markOf(entry);
      rebuilt.add(key);
    }
  }
  const redactRules = redactionOf(recordedRedaction(state), opts.redact);
  return { state, journal, migratedFrom, upgraded, redactRules, rebuilt, lastRuns };
}

/** Whether the run is to change any session's entry or write the indexes: it then reads every entry. */
function changesEntries(opened: OpenedState, plan: ImportPlan, indexDamaged: boolean): boolean {
  const { migratedFrom, upgraded, rebuilt } = opened;
  return (
    plan.pending.length > 0 ||
    plan.orphaned.size > 0 ||
    rebuilt.size > 0 ||
    indexDamaged ||
    migratedFrom !== null ||
    upgraded
  );
}

/**
 * Records in the state what the plan found without converting anything: sources that vanished
 * are forgotten, and the sessions they held stay, marked once no copy is left; unchanged records
 * of an older state gain the fingerprint's new fields; sessions read back from their files are
 * listed again.
 */
function takePlan(opened: OpenedState, plan: ImportPlan, checkpoints: Checkpoints, entries: Entries | null): void {
  const { state, redactRules } = opened;
  for (const unit of plan.vanished) checkpoints.setUnit(unit, undefined);
  for (const key of plan.orphaned.keys()) checkpoints.setEntry(key, { ...entries!.get(key)!, source_missing: true });
  for (const { stateKey, files } of plan.adopt)
    checkpoints.setUnit(stateKey, unitRecordOf(state.units[stateKey]!, files));
  for (const key of opened.rebuilt) checkpoints.setEntry(key, entries!.get(key)!);
  if ((state.redact?.rules_version ?? 0) !== redactRules) checkpoints.dirty = true;
  recordRedaction(state, redactRules);
}

/** How units are converted: in worker threads or in this one, so many at a time. */
async function converter(
  opts: ImportOptions,
  planned: PlannedUnit[],
  sessionsDir: string,
  redact: boolean,
  early: WorkerPool | null,
) {
  const bytesTotal = planned.reduce((n, p) => n + p.bytes, 0);
  const cores = availableParallelism();
  const workerCount =
    opts.workers === 'auto' ? (cores >= 2 && bytesTotal >= WORKER_MIN_BYTES ? cores : 0) : (opts.workers ?? 0);
  // What converting needs loads only when there is something to convert (a no-op run skips it),
  // and before a pool opens here: nothing after it can fail and leave its workers running.
  const { convertUnit } = await import('./convert-unit.js');
  // A unit of more than a thread's share of the bytes in flight swells the heaps (heap-growth.ts).
  if (planned.some((p) => p.bytes > BYTES_IN_FLIGHT)) boundHeapGrowth();
  let pool = early;
  if (pool !== null && (workerCount === 0 || planned.length <= 1)) {
    await pool.close();
    pool = null;
  } else if (pool === null && workerCount > 0 && planned.length > 1) pool = await openPool(workerCount);
  // Four units in flight per worker, one per worker whatever its size, more only within the byte budget.
  const threads = pool ? pool.size : 1;
  const limit = new InFlight(pool ? pool.size * 4 : Math.max(1, opts.concurrency), threads, threads * BYTES_IN_FLIGHT);
  const { root } = opts.locations;
  const convert = (plan: PlannedUnit): Promise<UnitResult> =>
    pool
      ? pool.run(
          { adapterId: plan.adapter.id, unit: plan.unit, home: plan.home, sessionsDir, root, redact },
          plan.allFiles,
        )
      : convertUnit({
          adapter: plan.adapter,
          unit: plan.unit,
          home: plan.home,
          allFiles: plan.allFiles,
          sessionsDir,
          root,
          redact,
          ...(opts.stop ? { stop: opts.stop } : {}),
        });
  return { convert, limit, bytesTotal, close: async () => pool?.close() };
}

/** Converts every planned unit and applies each result as it comes; returns how many were done. */
async function convertAll(
  opts: ImportOptions,
  planned: PlannedUnit[],
  sessionsDir: string,
  apply: Apply,
  early: WorkerPool | null,
) {
  if (planned.length === 0) return 0;
  await apply.prepare();
  const { convert, limit, bytesTotal, close } = await converter(opts, planned, sessionsDir, apply.redact, early);
  // Largest first, so that one big file does not run alone at the end.
  planned.sort((a, b) => b.bytes - a.bytes || (a.stateKey < b.stateKey ? -1 : 1));
  let done = 0;
  try {
    await Promise.all(
      planned.map((plan) =>
        limit.run(plan.bytes, async () => {
          // A turn of the event loop between units: a signal is seen here, at the latest.
          await new Promise(setImmediate);
          if (opts.stop?.aborted) return;
          const { result, unit } = await convertWithRetries(plan.unit, (unit) => convert({ ...plan, unit }));
          if (opts.stop?.aborted && !result.ok) return; // cut short by the stop: converted again next run
          apply.unit({ ...plan, unit }, result);
          done++;
          opts.onProgress?.({ done, total: planned.length, bytesRead: apply.bytesRead, bytesTotal });
        }),
      ),
    );
  } finally {
    await close();
  }
  return done;
}

/**
 * What the run found, in the summary: version drift, retained events, a stop. Returns the rebuilt
 * sessions no source produced again (their source is gone, unless it could not be seen).
 */
function finishRun(
  opts: ImportOptions,
  opened: OpenedState,
  plan: ImportPlan,
  apply: Apply,
  summary: ImportSummary,
  done: number,
): string[] {
  for (const adapter of opts.adapters) {
    const drift = versionDrift(adapter, apply.written.get(adapter.id)?.values() ?? []);
    summary.providers[adapter.id]!.version_drift = drift;
    if (drift) summary.warnings.push(driftWarning(adapter.title, drift));
  }
  summary.retained = apply.retained();
  const gone: string[] = [];
  for (const key of opened.rebuilt) {
    const provider = key.slice(0, key.indexOf(':'));
    if (apply.sessions.has(key) || opts.stop?.aborted || !plan.scannedAdapters.has(provider)) continue;
    if (summary.errors.some((e) => e.provider === provider)) continue;
    summary.providers[provider]!.removed_at_source++;
    gone.push(key);
  }
  if (opts.stop?.aborted) summary.warnings.push(stopWarning(opts.stop, done, plan.pending.length));
  return gone;
}

const stopWarning = (stop: AbortSignal, done: number, total: number) =>
  `stopped by ${String(stop.reason)} after ${done} of ${total} sources to convert; the next run converts the rest`;

/** Saves the record of this run; a stopped run did not scan to the end: the last complete run stays on record. */
async function recordRun(opts: ImportOptions, lastRuns: LastRuns, plan: ImportPlan, summary: ImportSummary) {
  if (opts.stop?.aborted) return;
  const runs = nextLastRuns(lastRuns, plan.scannedAdapters, summary.errors, new Date());
  const warning = await writeLastRuns(opts.locations.logsDir, runs);
  if (warning !== null) summary.warnings.push(warning);
}

/** Whether a run whose sources are as the digest says needs nothing of the state: the same redaction, whole indexes. */
function unchangedState(opts: ImportOptions, digest: StateDigest, redactRules: number): boolean {
  const { head } = digest;
  const { logsDir, storeDir } = opts.locations;
  return head.redact === redactRules && !indexesDamaged(logsDir, storeDir, head);
}

/** The end of a run that found nothing changed: it writes only the record of the run (and new listings). */
async function finishUnchanged(opts: ImportOptions, plan: ImportPlan, summary: ImportSummary, listings: DirListings) {
  summary.providers = plan.providers;
  if (opts.dryRun) return summary;
  if (opts.stop?.aborted) summary.warnings.push(stopWarning(opts.stop, 0, 0));
  else await listings.save();
  await recordRun(opts, readLastRuns(opts.locations.logsDir, null), plan, summary);
  return summary;
}

export async function runImport(opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const { locations, log } = opts;
  const { logsDir } = locations;
  const sessionsDir = sessionsDirOf(logsDir);
  const summary = emptySummary(locations, opts.dryRun);
  refuseForeignLogsDir(logsDir);
  const lock = opts.dryRun ? null : await lockLogsDir(logsDir, sessionsDir, opts.waitMs ?? 0, opts.stop);
  let pool: WorkerPool | null = null;
  try {
    const listings = DirListings.load(opts.dryRun ? null : logsDir);
    if (!opts.dryRun) tidyLogsDir(opts, sessionsDir, summary, listings);
    const digest = readStateDigest(logsDir);
    let prepared: Prepared | undefined;
    // --verbose says per unit why it is skipped: that needs the state (the digest still spares its rewrite).
    if (digest !== null && !log.isLevelEnabled('debug')) {
      const redactRules = redactionOf(digest.head.recorded_redaction, opts.redact);
      const quick = await planFromDigest({ ...opts, redactRules, log, logsDir, listings }, digest);
      if (quick.plan !== null && unchangedState(opts, digest, redactRules))
        return await finishUnchanged(opts, quick.plan, summary, listings);
      prepared = quick.prepared;
    }
    const opened = await openState(opts, sessionsDir, summary);
    const { state, redactRules } = opened;
    pool = await earlyPool(opts, state);
    const plan = await planImport({ ...opts, redactRules, log, logsDir, listings }, state, prepared);
    summary.providers = plan.providers;
    summary.errors.push(...plan.failures);
    summary.warnings.push(...plan.warnings);
    if (opts.dryRun) return summary;

    const indexDamaged = indexesDamaged(locations.logsDir, locations.storeDir, {
      sessions: Object.keys(state.sessions).length,
      index_bytes: state.index_bytes,
    });
    const entries = changesEntries(opened, plan, indexDamaged) ? await opened.journal.allEntries() : null;
    const repaired = entries === null ? null : await fillMissingEntries(state, entries, sessionsDir);
    if (repaired !== null) summary.warnings.push(repaired);
    const target = {
      locations,
      sessionsDir,
      lock,
      warnings: summary.warnings,
      ...(opts.checkpointMs !== undefined ? { intervalMs: opts.checkpointMs } : {}),
    };
    const checkpoints = new Checkpoints(target, state, opened.journal, entries);
    takePlan(opened, plan, checkpoints, entries);
    checkpoints.indexStale ||= indexDamaged || repaired !== null;
    checkpoints.compact = opened.migratedFrom !== null || opened.upgraded || repaired !== null;
    const importedAt = new Date().toISOString();
    const apply = new Apply({
      entries: entries ?? new Map(),
      summary,
      checkpoints,
      redactRules,
      importedAt,
      log,
    });
    const done = await convertAll(opts, plan.pending, sessionsDir, apply, pool);
    await checkpoints.settle();
    for (const key of finishRun(opts, opened, plan, apply, summary, done))
      checkpoints.setEntry(key, { ...entries!.get(key)!, source_missing: true });
    if (checkpoints.pending || checkpoints.compact || opened.journal.compactionDue(0)) await checkpoints.write(true);
    if (!opts.stop?.aborted) {
      await listings.save();
      await saveStateDigest(logsDir, state, plan, redactRules, digest);
    }
    await recordRun(opts, opened.lastRuns, plan, summary);
    return summary;
  } finally {
    await pool?.close();
    lock?.release();
    summary.duration_ms = Math.round(performance.now() - started);
  }
}
