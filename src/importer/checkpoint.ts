/**
 * The durable publish of an import's work, in group commits: the state as it is now, then every
 * queued session file fsynced (all at once) and renamed into place, then the indexes, then that
 * state. The state on disk never names a session file that is not in place; a crash in between
 * only means converting it again.
 */
import { ArchiveError, FailedError, errorMessage } from '../errors.js';
import type { BackfillState } from '../model/state.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import { discard, makeDurable, publish, type PreparedFile } from '../writer/atomic-file.js';
import { writeLogsIndex } from '../archive/indexes.js';
import { indexPath } from '../archive/layout.js';
import { serializeState, writeStateText } from '../archive/state-file.js';
import type { Locations } from './locations.js';
import type { Lock } from './lock.js';
import { updateGlobalIndex } from './store-index.js';

export interface QueuedFile extends PreparedFile {
  /** A later merge of this run replaced it. */
  cancelled: boolean;
  /** Renamed into place by a checkpoint. */
  published: boolean;
}

export interface CheckpointTarget {
  locations: Locations;
  sessionsDir: string;
  statePath: string;
  /** The logs dir's lock: a run that lost it writes nothing more. Null for none. */
  lock: Lock | null;
  /** Where a warning of the store's index goes (the run summary's). */
  warnings: string[];
  /** How often conversions are saved, at least; absent: paced by what checkpoints cost. */
  intervalMs?: number;
}

/** The least time between two checkpoints of a run (more when they cost more). */
const CHECKPOINT_MS = 2000;

export class Checkpoints {
  /** Session files written since the last checkpoint, not yet durable and in place. */
  private queue: QueuedFile[] = [];
  private running: Promise<void> | null = null;
  private failure: unknown = null;
  private last = performance.now();
  /** Something the state or the indexes on disk lack. */
  dirty = false;
  /** Index entries changed since the indexes were last written: they are written again. */
  indexStale = false;
  private intervalMs: number;

  constructor(
    private readonly target: CheckpointTarget,
    private readonly state: BackfillState,
    /** Sessions ever imported: the state's `imported_session_keys`, kept as a set while the run goes on. */
    private readonly importedKeys: Set<string>,
  ) {
    this.intervalMs = target.intervalMs ?? CHECKPOINT_MS;
  }

  enqueue(file: QueuedFile): void {
    this.queue.push(file);
  }

  /** Whether the final checkpoint has anything to save. */
  get pending(): boolean {
    return this.dirty || this.queue.length > 0;
  }

  /** Saves everything now. */
  async write(): Promise<void> {
    const { target, state } = this;
    target.lock?.assertHeld(); // a run suspended past the stale time lost its lock: it writes nothing more
    const began = performance.now();
    state.imported_session_keys = [...this.importedKeys]; // sorted by serializeState
    const stateSnapshot = serializeState(state);
    const entries = this.indexStale ? Object.values(state.sessions) : null;
    const batch = this.queue;
    this.queue = [];
    this.dirty = false;
    this.indexStale = false;
    for (const file of batch) if (file.cancelled) discard(file.temp);
    await this.publishFiles(batch.filter((file) => !file.cancelled));
    // The state goes last: it is what says a session is done, so a run killed between these
    // writes leaves indexes the next run rewrites, never a state ahead of its indexes.
    if (entries !== null) await this.writeIndexes(entries);
    await writeStateText(target.statePath, stateSnapshot);
    this.last = performance.now();
    // A checkpoint costs more as the archive grows: spaced so that they take about a tenth of the run.
    if (target.intervalMs === undefined) this.intervalMs = Math.max(CHECKPOINT_MS, 9 * (this.last - began));
  }

  private async writeIndexes(entries: SessionLogIndexEntry[]): Promise<void> {
    const { logsDir, storeDir, project } = this.target.locations;
    try {
      await writeLogsIndex(logsDir, entries);
    } catch (err) {
      throw new ArchiveError(`index ${indexPath(logsDir)} cannot be written: ${errorMessage(err)}`);
    }
    if (storeDir !== null) {
      const warning = await updateGlobalIndex(storeDir, logsDir, project, entries);
      if (warning && !this.target.warnings.includes(warning)) this.target.warnings.push(warning);
    }
  }

  private async publishFiles(live: QueuedFile[]): Promise<void> {
    try {
      await makeDurable(live);
      publish(live);
      for (const file of live) file.published = true;
    } catch (err) {
      for (const file of live) discard(file.temp);
      throw new FailedError(
        `could not write session files in ${this.target.sessionsDir}: ${errorMessage(err)}; the archive is as the last run left it, run again once this is fixed`,
      );
    }
  }

  /**
   * Starts a checkpoint when the interval has passed and none is running; conversion goes on
   * while its fsyncs run (units that finish meanwhile are saved by the next one). A failure is
   * raised by `settle`.
   */
  due(): void {
    if (this.running || performance.now() - this.last < this.intervalMs) return;
    this.running = this.write()
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => {
        this.running = null;
      });
  }

  /** Waits for a checkpoint in flight; if one failed, drops what was converted after it and throws. */
  async settle(): Promise<void> {
    if (this.running) await this.running;
    if (this.failure === null) return;
    for (const file of this.queue) discard(file.temp); // converted after the failed checkpoint: never published
    throw this.failure;
  }
}
