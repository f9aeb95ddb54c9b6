/**
 * The durable publish of an import's work, in group commits: every queued session file fsynced
 * (all at once) and renamed into place, then (paced by what it costs) the indexes, then one line
 * of the state's journal with what changed since the last checkpoint. The state on disk never
 * names a session file that is not in place; a crash in between only means converting it again.
 * A checkpoint costs what changed; the indexes, whose format is one sorted file, are written
 * whole, seldom enough that they take about a tenth of the run, and at its end.
 */
import { ArchiveError, FailedError, errorMessage } from '../errors.js';
import type { BackfillState, StateChange, UnitRecord } from '../model/state.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import { discard, makeDurable, publish, type PreparedFile } from '../writer/atomic-file.js';
import { logsIndexText, writeLogsIndex } from '../archive/indexes.js';
import { indexPath } from '../archive/layout.js';
import { lineOf, markOf, type Entries, type StateJournal } from '../archive/state-file.js';
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
  /** The logs dir's lock: a run that lost it writes nothing more. Null for none. */
  lock: Lock | null;
  /** Where a warning of the store's index goes (the run summary's). */
  warnings: string[];
  /** How often conversions (and the indexes) are saved, at least; absent: paced by what checkpoints cost. */
  intervalMs?: number;
}

/** The least time between two checkpoints of a run (more when they cost more). */
const CHECKPOINT_MS = 2000;

/** Spaced so that checkpoints, and writes of the indexes, each take about a tenth of the run. */
const paced = (costMs: number) => Math.max(CHECKPOINT_MS, 9 * costMs);

export class Checkpoints {
  /** Session files written since the last checkpoint, not yet durable and in place. */
  private queue: QueuedFile[] = [];
  private running: Promise<void> | null = null;
  private failure: unknown = null;
  private last = performance.now();
  private lastIndex = performance.now();
  /** Sources and sessions set since the last checkpoint. */
  private readonly units = new Set<string>();
  private readonly sessions = new Set<string>();
  /** Something the state on disk lacks besides those (the redaction, the index's size). */
  dirty = false;
  /** Index entries changed since the indexes were last written: they are written again. */
  indexStale = false;
  /** The state on disk is to be written anew at the end (an older version's, migrated). */
  compact = false;
  private intervalMs: number;
  private indexIntervalMs: number;

  constructor(
    private readonly target: CheckpointTarget,
    private readonly state: BackfillState,
    private readonly journal: StateJournal,
    /** Every session's entry; null until something is to change (a run that converts nothing never reads them). */
    private readonly entries: Entries | null,
  ) {
    this.intervalMs = this.indexIntervalMs = target.intervalMs ?? CHECKPOINT_MS;
  }

  enqueue(file: QueuedFile): void {
    this.queue.push(file);
  }

  /** Records a unit's new record (undefined: forgotten). */
  setUnit(key: string, rec: UnitRecord | undefined): void {
    if (rec === undefined) delete this.state.units[key];
    else this.state.units[key] = rec;
    this.units.add(key);
  }

  /** Records a session's new entry: the indexes are stale until written again. */
  setEntry(key: string, entry: SessionLogIndexEntry): void {
    if (this.entries === null) throw new Error('the entries were not read');
    this.entries.set(key, entry);
    this.state.sessions[key] = markOf(entry);
    this.sessions.add(key);
    this.indexStale = true;
    this.state.index_bytes = null;
  }

  /** Whether the final checkpoint has anything to save. */
  get pending(): boolean {
    return this.dirty || this.indexStale || this.queue.length > 0 || this.units.size > 0 || this.sessions.size > 0;
  }

  /** What changed since the last checkpoint, as a line of the journal; the sets are emptied. */
  private takeChange(): StateChange {
    const { state } = this;
    const units: StateChange['units'] = {};
    for (const key of this.units) units[key] = state.units[key] ?? null;
    const sessions: StateChange['sessions'] = {};
    for (const key of this.sessions) sessions[key] = this.entries!.get(key)!;
    this.units.clear();
    this.sessions.clear();
    this.dirty = false;
    const { generation, index_bytes } = state;
    return { generation, units, sessions, index_bytes, redact: state.redact ?? null };
  }

  /** The text of index.json now, when the indexes are stale and due; the state records its size. */
  private indexDue(final: boolean): { text: string; entries: SessionLogIndexEntry[] } | null {
    if (!this.indexStale || this.entries === null) return null;
    if (!final && performance.now() - this.lastIndex < this.indexIntervalMs) return null;
    const entries = [...this.entries.values()];
    const text = logsIndexText(entries);
    this.indexStale = false;
    this.state.index_bytes = Buffer.byteLength(text);
    return { text, entries };
  }

  /**
   * Saves everything now; `final`: the last checkpoint of the run, which also writes the indexes,
   * and compacts the state when its journal has grown enough.
   */
  async write(final = false): Promise<void> {
    const { target } = this;
    target.lock?.assertHeld(); // a run suspended past the stale time lost its lock: it writes nothing more
    const began = performance.now();
    const changed = this.pending;
    const index = this.indexDue(final);
    const change = this.takeChange();
    const batch = this.queue;
    this.queue = [];
    for (const file of batch) if (file.cancelled) discard(file.temp);
    await this.publishFiles(batch.filter((file) => !file.cancelled));
    const published = performance.now();
    // The state goes last: it is what says a session is done, so a run killed between these
    // writes leaves indexes the next run rewrites, never a state ahead of its indexes.
    if (index !== null) await this.writeIndexes(index.text, index.entries);
    const indexWritten = performance.now();
    // The last checkpoint of a run may instead write the state anew, this change included.
    const line = changed ? lineOf(change) : '';
    if (final && (this.compact || this.journal.compactionDue(Buffer.byteLength(line))))
      await this.journal.compact(this.state);
    else if (changed) this.journal.append(line);
    this.last = performance.now();
    if (index !== null) this.lastIndex = indexWritten;
    if (target.intervalMs !== undefined) return;
    if (index !== null) this.indexIntervalMs = paced(indexWritten - published);
    this.intervalMs = paced(this.last - began - (indexWritten - published));
  }

  private async writeIndexes(text: string, entries: SessionLogIndexEntry[]): Promise<void> {
    const { logsDir, storeDir, project } = this.target.locations;
    try {
      await writeLogsIndex(logsDir, text);
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
