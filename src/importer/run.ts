/**
 * The incremental import of one logs dir: discover (stat only), compare fingerprints with the
 * state, convert new and changed units concurrently, rewrite their session files atomically, and
 * checkpoint state and indexes every few seconds and at the end. Never appends; never forgets a
 * session whose source disappeared.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { Adapter, HomeEnvironment } from '../../adapters/types.js';
import { ArchiveError, CliError, FailedError, errorMessage } from '../errors.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import type { ImportSummary } from '../model/reports.js';
import { existsSync } from 'node:fs';
import { DIR_MODE, discard, makeDurable, publish, removeTempFiles, type PreparedFile } from '../writer/atomic-file.js';
import { NO_MERGE, planMerge, writeMerge, type MergePlan } from '../writer/merge.js';
import { indexesDamaged, writeLogsIndex } from '../archive/indexes.js';
import { INDEX_FILE, STATE_FILE, indexPath, sessionsDirOf, statePath as statePathOf } from '../archive/layout.js';
import { updateGlobalIndex } from './store-index.js';
import type { PreparedSession, UnitResult } from './convert-unit.js';
import { convertWithRetries, type RetriedResult } from './retry.js';
import { fingerprintOf, withFingerprint } from './fingerprint.js';
import { recordLastRun } from './last-run.js';
import { ownedPaths, tightenModes } from './modes.js';
import { refuseForeignLogsDir } from './placement.js';
import { recordRedaction, redactionOf } from './redaction.js';
import { acquireLock } from './lock.js';
import { adoptSessionFiles } from './rebuild.js';
import { driftWarning, versionDrift } from './version-drift.js';
import { planImport, type PlannedUnit } from './plan.js';
import type { WorkerPool } from './worker-pool.js';
import type { Locations } from './locations.js';
import { loadState, serializeState, writeStateText } from '../archive/state-file.js';

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

interface QueuedFile extends PreparedFile {
  /** A later merge of this run replaced it. */
  cancelled: boolean;
  /** Renamed into place by a checkpoint. */
  published: boolean;
}

/** A session written by this run: its file, entry, and which copy of its source leads it. */
interface RunSession {
  file: QueuedFile;
  entry: Omit<SessionLogIndexEntry, 'imported_at'>;
  /** Rank of the copy whose events lead (`rankOf`). */
  rank: Rank;
  /** Keys of the events no copy of the source holds any more. */
  retained: ReadonlySet<string>;
  bytesWritten: number;
}

/** The copy of a session that leads a merge of copies: more events, then newer files, then unit key. */
type Rank = readonly [events: number, newestMtime: number, unit: string];
function outranks(a: Rank, b: Rank): boolean {
  return a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] < b[2];
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

export async function runImport(opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const { locations, log } = opts;
  const { logsDir } = locations;
  const sessionsDir = sessionsDirOf(logsDir);
  const statePath = statePathOf(logsDir);
  const summary = emptySummary(locations, opts.dryRun);

  refuseForeignLogsDir(logsDir);
  const lock = opts.dryRun ? null : await lockLogsDir(logsDir, sessionsDir, opts.waitMs ?? 0, opts.stop);
  try {
    const { state, migratedFrom } = await loadState(statePath);
    summary.state_migrated_from = migratedFrom;
    const redactRules = redactionOf(state, opts.redact);
    const redact = redactRules > 0;
    if (migratedFrom !== null)
      summary.warnings.push(
        `state file ${statePath} was version ${migratedFrom}: migrated, every session is converted again`,
      );
    if (!opts.dryRun) {
      summary.warnings.push(...tightenModes(ownedPaths(locations)));
      removeTempFiles(sessionsDir, []);
      removeTempFiles(logsDir, [STATE_FILE, INDEX_FILE]);
    }

    // Without a state, the session files say what the archive holds.
    const rebuilt =
      Object.keys(state.sessions).length === 0
        ? await adoptSessionFiles(state, sessionsDir, summary.warnings)
        : new Set<string>();

    const plan = planImport({ ...opts, redactRules, log, logsDir }, state);
    summary.providers = plan.providers;
    summary.errors.push(...plan.failures);
    summary.warnings.push(...plan.warnings);
    const { pending: planned, unitFiles, scannedAdapters } = plan;
    if (opts.dryRun) return summary;
    // Sources that vanished are forgotten; the sessions they held stay, marked once no copy is left.
    for (const unit of plan.vanished) for (const path of unitFiles.get(unit)!) delete state.sources[path];
    for (const key of plan.orphaned.keys()) state.sessions[key]!.source_missing = true;

    // Records of an older state that gain the fingerprint's new fields.
    for (const { path, file } of plan.adopt) state.sources[path] = withFingerprint(state.sources[path]!, file);
    let dirty =
      plan.vanished.length > 0 ||
      plan.adopt.length > 0 ||
      rebuilt.size > 0 ||
      (state.redact?.rules_version ?? 0) !== redactRules ||
      indexesDamaged(logsDir, locations.storeDir, Object.values(state.sessions));
    recordRedaction(state, redactRules);

    // 3. Convert, write, checkpoint.
    const importedAt = new Date().toISOString();
    // Session files written by this run, not yet durable and in place; published at checkpoints.
    let queue: QueuedFile[] = [];
    const runSessions = new Map<string, RunSession>();
    const importedKeys = new Set(state.imported_session_keys);
    /** The sessions this run wrote, per provider (for the version check at the end). */
    const written = new Map<string, Map<string, SessionLogIndexEntry>>();
    let lastCheckpoint = performance.now();
    let checkpointing: Promise<void> | null = null;
    let checkpointError: unknown = null;
    const checkpointMs = opts.checkpointMs ?? 2000;
    /**
     * Group commit: the state as it is now, then every queued session file fsynced (all at once)
     * and renamed into place, then that state and the indexes. The state on disk never names a
     * session file that is not in place; a crash in between only means converting it again.
     */
    const writeCheckpoint = async () => {
      lock?.assertHeld(); // a run suspended past the stale time lost its lock: it writes nothing more
      state.imported_session_keys = [...importedKeys]; // sorted by serializeState
      const stateSnapshot = serializeState(state);
      const entries = Object.values(state.sessions);
      const batch = queue;
      queue = [];
      dirty = false;
      for (const file of batch) if (file.cancelled) discard(file.temp);
      const live = batch.filter((file) => !file.cancelled);
      try {
        await makeDurable(live);
        publish(live);
        for (const file of live) file.published = true;
      } catch (err) {
        for (const file of live) discard(file.temp);
        throw new FailedError(
          `could not write session files in ${sessionsDir}: ${errorMessage(err)}; the archive is as the last run left it, run again once this is fixed`,
        );
      }
      // The state goes last: it is what says a session is done, so a run killed between these
      // writes leaves indexes the next run rewrites, never a state ahead of its indexes.
      try {
        await writeLogsIndex(logsDir, entries);
      } catch (err) {
        throw new ArchiveError(`index ${indexPath(logsDir)} cannot be written: ${errorMessage(err)}`);
      }
      if (locations.storeDir !== null) {
        const warning = await updateGlobalIndex(locations.storeDir, logsDir, locations.project, entries);
        if (warning && !summary.warnings.includes(warning)) summary.warnings.push(warning);
      }
      await writeStateText(statePath, stateSnapshot);
      lastCheckpoint = performance.now();
    };
    // One checkpoint at a time; units that finish meanwhile are saved by the next one.
    const checkpoint = async () => {
      if (checkpointing) return checkpointing;
      checkpointing = writeCheckpoint().finally(() => {
        checkpointing = null;
      });
      return checkpointing;
    };

    const bytesTotal = planned.reduce((n, p) => n + p.bytes, 0);
    const cores = availableParallelism();
    const workerCount =
      opts.workers === 'auto'
        ? cores >= 2 && bytesTotal >= WORKER_MIN_BYTES
          ? Math.min(4, cores)
          : 0
        : (opts.workers ?? 0);
    // What converting needs loads only when there is something to convert (a no-op run skips it).
    let pool: WorkerPool | null = null;
    if (workerCount > 0 && planned.length > 1) {
      const { WorkerPool, workersAvailable } = await import('./worker-pool.js');
      if (workersAvailable()) pool = new WorkerPool(workerCount);
    }
    const { convertUnit } = planned.length > 0 ? await import('./convert-unit.js') : { convertUnit: null };
    const limit =
      planned.length > 0
        ? (await import('p-limit')).default(pool ? workerCount * 2 : Math.max(1, opts.concurrency))
        : null;
    // Largest first, so that one big file does not run alone at the end.
    planned.sort((a, b) => b.bytes - a.bytes || (a.stateKey < b.stateKey ? -1 : 1));
    let done = 0;

    /** The merged session file of `plan`, `spine` leading, and its entry. */
    const combine = (
      spine: string,
      entry: RunSession['entry'],
      other: string,
      plan: MergePlan,
      retained: Set<string>,
      rank: Rank,
      final: string,
    ): RunSession => {
      const written = writeMerge(spine, other, plan, final, entry, retained.size, redact);
      const file = { temp: written.tempPath, final, bytes: written.bytesWritten, cancelled: false, published: false };
      return { file, entry: written.entry, rank, retained, bytesWritten: written.bytesWritten };
    };
    /**
     * What one converted copy of a session makes of it: merged with the copy this run already
     * wrote (another source holding the same session), else with the archived file, whose events
     * absent from the new conversion are kept. Between copies, the outranking one leads (its
     * events and metadata win); the archived file never leads. The entry lists every copy's
     * files, and so does the file's trailer.
     */
    const mergeSession = (
      session: PreparedSession,
      current: RunSession | undefined,
      rank: Rank,
      sameAdapter: boolean,
    ): RunSession => {
      const fresh: QueuedFile = {
        temp: session.tempPath!,
        final: session.finalPath,
        bytes: session.bytesWritten,
        cancelled: false,
        published: false,
      };
      const alone: RunSession = {
        file: fresh,
        entry: session.entry,
        rank,
        retained: new Set(),
        bytesWritten: session.bytesWritten,
      };
      let merged: RunSession;
      if (current === undefined) {
        const plan = existsSync(fresh.final) ? planMerge(fresh.temp, fresh.final, sameAdapter) : null;
        if (plan === null || (plan.inserted.length === 0 && plan.kept.size === 0)) return alone;
        merged = combine(
          fresh.temp,
          session.entry,
          fresh.final,
          plan,
          new Set(plan.inserted.map((e) => e.key)),
          rank,
          fresh.final,
        );
        discard(fresh.temp);
        return merged;
      }
      const currentPath = current.file.published ? current.file.final : current.file.temp;
      const source_paths = [...new Set([...current.entry.source_paths, ...session.entry.source_paths])].sort();
      if (outranks(rank, current.rank)) {
        const plan = planMerge(fresh.temp, currentPath, true) ?? NO_MERGE;
        if (
          plan.inserted.length === 0 &&
          plan.kept.size === 0 &&
          source_paths.length === session.entry.source_paths.length
        )
          return alone;
        const retained = new Set(plan.inserted.filter((e) => current.retained.has(e.key)).map((e) => e.key));
        merged = combine(
          fresh.temp,
          { ...session.entry, source_paths },
          currentPath,
          plan,
          retained,
          rank,
          fresh.final,
        );
      } else {
        const plan = planMerge(currentPath, fresh.temp, true) ?? NO_MERGE;
        const retained = new Set([...current.retained].filter((k) => !plan.otherKeys.has(k)));
        merged =
          plan.inserted.length === 0 &&
          plan.kept.size === 0 &&
          retained.size === current.retained.size &&
          source_paths.length === current.entry.source_paths.length
            ? { ...current, bytesWritten: 0 }
            : combine(
                currentPath,
                { ...current.entry, source_paths },
                fresh.temp,
                plan,
                retained,
                current.rank,
                fresh.final,
              );
      }
      discard(fresh.temp);
      return merged;
    };

    /** Publishes what a unit produced and records it in the state. Runs in the main thread. */
    const applyResult = async (plan: PlannedUnit, result: RetriedResult) => {
      const { adapter, unit, stateKey } = plan;
      const ps = summary.providers[adapter.id]!;
      summary.bytes_read += result.bytesRead;
      summary.warnings.push(...result.warnings);
      // Gone mid-run: the state keeps what it knew, and the next run sees the unit removed at source.
      if (!result.ok && 'vanished' in result) {
        summary.warnings.push(`${result.error}; the next run records it as removed at source`);
        return;
      }
      if (!result.ok) {
        const path = unit.files[0]!.path;
        ps.failed_units++;
        summary.errors.push({
          provider: adapter.id,
          path,
          message: result.error.includes(path) ? result.error : `${path}: ${result.error}`,
        });
        // Reported once, in the summary; the log says it only when asked to explain every source.
        log.debug({ provider: adapter.id, unit: unit.key }, `failed (${plan.reason}): ${result.error}`);
        return;
      }
      const producedKeys: string[] = [];
      const rank = (events: number): Rank => [events, Math.max(...unit.files.map((f) => f.mtimeMs)), stateKey];
      let outside = 0;
      for (const session of result.sessions) {
        if (session.tempPath === null) {
          outside++;
          const workspace = session.entry.workspace_path ?? '';
          summary.outside_root[workspace] = (summary.outside_root[workspace] ?? 0) + 1;
          continue;
        }
        const { key } = session;
        const previous = state.sessions[key];
        const current = runSessions.get(key);
        const merged = mergeSession(
          session,
          current,
          rank(session.entry.event_count),
          previous?.adapter_version === adapter.version,
        );
        if (merged.file !== current?.file) {
          if (current) current.file.cancelled = true;
          queue.push(merged.file);
        }
        summary.bytes_written += merged.bytesWritten;
        runSessions.set(key, merged);
        if (current === undefined) {
          if (previous) ps.updated_sessions++;
          else ps.new_sessions++;
        }
        state.sessions[key] = { ...merged.entry, imported_at: importedAt } satisfies SessionLogIndexEntry;
        written.set(adapter.id, (written.get(adapter.id) ?? new Map()).set(key, state.sessions[key]));
        producedKeys.push(key);
      }
      for (const key of producedKeys) importedKeys.add(key);
      const kept = new Set(producedKeys).size;
      log.debug(
        { provider: adapter.id, unit: unit.key },
        `converted (${plan.reason}): ${kept} session${kept === 1 ? '' : 's'}${outside > 0 ? `, ${outside} outside --root left out` : ''}`,
      );
      for (const path of unitFiles.get(stateKey) ?? []) delete state.sources[path];
      const sessions = [...new Set(producedKeys)].sort();
      for (const file of unit.files) {
        state.sources[file.path] = {
          ...fingerprintOf(file),
          adapter: adapter.id,
          adapter_version: adapter.version,
          unit: stateKey,
          sessions,
          ...(redact ? { redact: redactRules } : {}),
        };
      }
      dirty = true;
      // Conversion goes on while the checkpoint's fsyncs run; a failure is raised at the end.
      if (!checkpointing && performance.now() - lastCheckpoint >= checkpointMs)
        checkpoint().catch((err: unknown) => (checkpointError ??= err));
    };

    const convertPlanned = (plan: PlannedUnit): Promise<UnitResult> =>
      pool
        ? pool.run(
            { adapterId: plan.adapter.id, unit: plan.unit, home: plan.home, sessionsDir, root: locations.root, redact },
            plan.allFiles,
          )
        : convertUnit!({
            adapter: plan.adapter,
            unit: plan.unit,
            home: plan.home,
            allFiles: plan.allFiles,
            sessionsDir,
            root: locations.root,
            redact,
            ...(opts.stop ? { stop: opts.stop } : {}),
          });

    try {
      await Promise.all(
        planned.map((plan) =>
          limit!(async () => {
            // A turn of the event loop between units: a signal is seen here, at the latest.
            await new Promise(setImmediate);
            if (opts.stop?.aborted) return;
            const { result, unit } = await convertWithRetries(plan.unit, (unit) => convertPlanned({ ...plan, unit }));
            if (opts.stop?.aborted && !result.ok) return; // cut short by the stop: converted again next run
            await applyResult({ ...plan, unit }, result);
            done++;
            opts.onProgress?.({ done, total: planned.length, bytesRead: summary.bytes_read, bytesTotal });
          }),
        ),
      );
    } finally {
      await pool?.close();
    }
    if (checkpointing) await (checkpointing as Promise<void>).catch(() => undefined);
    if (checkpointError) {
      for (const file of queue) discard(file.temp); // converted after the failed checkpoint: never published
      throw checkpointError;
    }
    for (const adapter of opts.adapters) {
      const drift = versionDrift(adapter, written.get(adapter.id)?.values() ?? []);
      summary.providers[adapter.id]!.version_drift = drift;
      if (drift) summary.warnings.push(driftWarning(adapter.title, drift));
    }
    // Rebuilt sessions no source produced again: their source is gone, unless it could not be seen.
    for (const key of rebuilt) {
      const entry = state.sessions[key]!;
      if (runSessions.has(key) || opts.stop?.aborted || !scannedAdapters.has(entry.provider)) continue;
      if (summary.errors.some((e) => e.provider === entry.provider)) continue;
      entry.source_missing = true;
      summary.providers[entry.provider]!.removed_at_source++;
    }
    for (const { entry } of runSessions.values()) {
      if (entry.retained_events > 0)
        summary.retained.push({ session: entry.wrapper_session_id, events: entry.retained_events });
    }
    summary.retained.sort((a, b) => (a.session < b.session ? -1 : 1));
    if (opts.stop?.aborted)
      summary.warnings.push(
        `stopped by ${String(opts.stop.reason)} after ${done} of ${planned.length} sources to convert; the next run converts the rest`,
      );
    // A stopped run did not scan to the end: the last complete run stays on record.
    const lastRunChanged = !opts.stop?.aborted && recordLastRun(state, scannedAdapters, summary.errors, new Date());
    if (dirty || queue.length > 0 || migratedFrom !== null || lastRunChanged) await writeCheckpoint();
    return summary;
  } finally {
    lock?.release();
    summary.duration_ms = Math.round(performance.now() - started);
  }
}
