/**
 * The state of a logs dir on disk, in three files, so that what a run reads and writes follows
 * what changed, not the size of the archive:
 *
 *   backfill_state.json     what change detection needs: each source's fingerprint, unit and
 *                           sessions, and per session its file and that file's size
 *   backfill_sessions.json  the index entry of every session (index.json is written from these)
 *   backfill_state.journal  one JSON line per checkpoint since those two were written: what it
 *                           changed (sources set or forgotten, whole entries of the sessions set)
 *
 * A run reads the state and the journal; the entries only when it has something to write. A
 * checkpoint appends one line (fsynced); a line a crash cut short is not whole and is dropped,
 * so a checkpoint counts whole or not at all. Compaction writes both bases from the state the
 * journal was folded into, then removes the journal: a crash in between leaves bases that
 * already hold every line, and folding a line again gives what it gave (each sets whole values).
 *
 * A state that cannot be trusted (not JSON, not our shape, a newer version) stops the run and is
 * never overwritten: silently starting from an empty state is how the reference model duplicated
 * whole archives.
 */
import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ArchiveError, errorMessage } from '../errors.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import {
  STATE_FIELDS,
  STATE_VERSION,
  emptyState,
  isExactChange,
  isExactEntries,
  isExactState,
} from '../model/state-check.js';
import type {
  BackfillState,
  FileRecord,
  SessionMark,
  SourceRecord,
  StateChange,
  StateChangeV4,
} from '../model/state.js';
import { commonDir } from '../util/paths.js';
import { appendDurably, writeWholeFile } from '../writer/atomic-file.js';
import { sessionEntriesPath, stateJournalPath } from './layout.js';

export type Entries = Map<string, SessionLogIndexEntry>;

export interface LoadedState {
  state: BackfillState;
  /** Set when a version-1 or -2 file was read and migrated in memory (its sources are converted again). */
  migratedFrom: number | null;
  /** A version-3 or -4 file was read: the next write of the state compacts it into this version's files. */
  upgraded: boolean;
  /** The journal as read, for the appends and the compaction of this run. */
  journal: StateJournal;
}

/** The part of an index entry change detection reads. */
export function markOf(entry: SessionLogIndexEntry): SessionMark {
  return { log_path: entry.log_path, log_bytes: entry.log_bytes, source_missing: entry.source_missing };
}

function refusal(path: string, why: string): ArchiveError {
  return new ArchiveError(
    `state file ${path} ${why}; it was left untouched. Fix or move it away (the next run then re-imports everything).`,
  );
}

/** A file's text, or null when it does not exist. */
function readIfThere(path: string): string | null {
  try {
    // One synchronous read: fs/promises reads a large file in many thread-pool round trips.
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ArchiveError(`state file ${path} cannot be read: ${errorMessage(err)}`);
  }
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw refusal(path, `is not valid JSON (${errorMessage(err)})`);
  }
}

/** Per source file path, the records of a version-3 or -4 state (folded with its journal, then grouped by unit). */
type Sources = Record<string, SourceRecord>;

interface Base {
  state: BackfillState;
  entries: Entries | null;
  migratedFrom: number | null;
  upgraded: boolean;
  sources: Sources | null;
}

/** The base state, the entries of a version-2 or -3 file, which kept them in it, and the per-file records of a version-3 or -4 one. */
async function loadBase(path: string): Promise<Base> {
  const text = readIfThere(path);
  if (text === null) return { state: emptyState(), entries: null, migratedFrom: null, upgraded: false, sources: null };
  const raw = parseJson(path, text);
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > STATE_VERSION)
    throw refusal(path, `has version ${version}, newer than this import-logs understands (${STATE_VERSION})`);
  // The usual case: a state this tool wrote, used as it is; zod loads only for anything else.
  if (isExactState(raw)) return { state: raw, entries: null, migratedFrom: null, upgraded: false, sources: null };
  const { BackfillState, BackfillStateV4 } = await import('../model/state.js');
  if (version === 1 || version === 2 || version === 3) return migrated(path, raw, version);
  if (version === 4) {
    const v4 = BackfillStateV4.safeParse(raw);
    if (!v4.success) throw refusal(path, 'is a version-4 state of an unexpected shape');
    const { sources, version: _version, ...rest } = v4.data;
    return { state: { ...emptyState(), ...rest }, entries: null, migratedFrom: null, upgraded: true, sources };
  }
  const parsed = BackfillState.safeParse(raw);
  if (!parsed.success)
    throw refusal(
      path,
      `does not match the version-${STATE_VERSION} shape (${parsed.error.issues[0]?.message ?? 'invalid'})`,
    );
  return { state: parsed.data, entries: null, migratedFrom: null, upgraded: false, sources: null };
}

/** A state of an older version, in this version's shape. */
async function migrated(path: string, raw: unknown, version: 1 | 2 | 3): Promise<Base> {
  const { BackfillStateV1, BackfillStateV2, BackfillStateV3 } = await import('../model/state.js');
  const state = emptyState();
  if (version === 1) {
    const v1 = BackfillStateV1.safeParse(raw);
    if (!v1.success) throw refusal(path, 'is a version-1 state of an unexpected shape');
    // Version 1 kept no fingerprints: every session is converted again and rewritten.
    state.imported_session_keys = [...new Set(v1.data.imported_session_keys)].sort();
    return { state, entries: null, migratedFrom: 1, upgraded: false, sources: null };
  }
  const old = (version === 2 ? BackfillStateV2 : BackfillStateV3).safeParse(raw);
  if (!old.success) throw refusal(path, `is a version-${version} state of an unexpected shape`);
  const entries: Entries = new Map(Object.entries(old.data.sessions));
  state.imported_session_keys = [...new Set(old.data.imported_session_keys)].sort();
  if (old.data.last_run !== undefined) state.last_run = old.data.last_run;
  let sources: Sources | null = null;
  if (version === 3) {
    // The same records, the entries moved to their own file: nothing is converted again.
    sources = old.data.sources;
    if (old.data.redact !== undefined) state.redact = old.data.redact;
  } else {
    // Its session files have no event keys: the sessions (and those whose source is gone) stay
    // listed, and every source is converted again. Its entries do not say the size of their
    // files: taken as they are now.
    for (const entry of entries.values()) {
      try {
        entry.log_bytes = statSync(join(dirname(path), entry.log_path)).size;
      } catch {
        // missing: written again if its source is there
      }
    }
  }
  for (const [key, entry] of entries) state.sessions[key] = markOf(entry);
  return { state, entries, migratedFrom: version === 3 ? null : version, upgraded: version === 3, sources };
}

/** A source record of version 4 and before as the record of a file named `name` in its unit. */
function fileRecordOf(name: string, rec: SourceRecord): FileRecord {
  const { size, ino, dev, mtime_ns: mtime, ctime_ns: ctime } = rec;
  if (mtime === undefined || ctime === undefined) return [name, size, ino, dev, rec.mtime_ms];
  return ctime === mtime ? [name, size, ino, dev, mtime] : [name, size, ino, dev, mtime, ctime];
}

/** The records of version 4 and before (one per file, each naming its unit), grouped by unit. */
function unitsOf(sources: Sources): BackfillState['units'] {
  const byUnit = new Map<string, string[]>();
  for (const path in sources) {
    const unit = sources[path]!.unit;
    (byUnit.get(unit) ?? byUnit.set(unit, []).get(unit)!).push(path);
  }
  const units: BackfillState['units'] = {};
  for (const [unit, paths] of byUnit) {
    // Every file of a unit was recorded with the same adapter version, redaction and sessions.
    const { adapter_version, redact, sessions } = sources[paths[0]!]!;
    const dir = commonDir(paths);
    const files = paths.map((p) => fileRecordOf(p.slice(dir.length), sources[p]!));
    units[unit] = { adapter_version, ...(redact !== undefined ? { redact } : {}), sessions, dir, files };
  }
  return units;
}

export async function loadState(path: string): Promise<LoadedState> {
  const base = await loadBase(path);
  const journal = await StateJournal.read(path);
  journal.foldInto(base.state, base.entries, base.sources);
  return { state: base.state, migratedFrom: base.migratedFrom, upgraded: base.upgraded, journal };
}

/**
 * The state's file text: keys in the schema's order whatever order they were set in (so the next
 * load takes the fast path), imported_session_keys sorted.
 */
export function serializeState(state: BackfillState): string {
  const ordered: Record<string, unknown> = {};
  for (const key of STATE_FIELDS.state) if (state[key] !== undefined) ordered[key] = state[key];
  ordered.imported_session_keys = [...state.imported_session_keys].sort();
  return `${JSON.stringify(ordered)}\n`;
}

/** Compaction when the journal has grown past this share of the state it is folded into… */
const COMPACT_SHARE = 0.5;
/** …and past this size, which costs nothing to read. */
const COMPACT_FLOOR = 64 * 1024;

/** The journal line of a checkpoint's change. */
export const lineOf = (change: StateChange): string => `${JSON.stringify(change)}\n`;

/** The journal of a state file: read and folded, appended to, compacted. */
export class StateJournal {
  /** The entries the lines folded into the state set, by key. */
  private readonly journalEntries: Entries = new Map();
  private all: Entries | null = null;
  private changes: (StateChange | StateChangeV4)[] = [];

  private constructor(
    private readonly statePath: string,
    /** Bytes of the whole lines: where the next line goes. */
    private bytes: number,
    /** Size of the state file as last written (0: none). */
    private baseBytes: number,
  ) {}

  get path(): string {
    return stateJournalPath(dirname(this.statePath));
  }

  /** The whole lines of the journal next to `statePath`; a last line that is not whole is left out. */
  static async read(statePath: string): Promise<StateJournal> {
    let baseBytes = 0;
    try {
      baseBytes = statSync(statePath).size;
    } catch {
      // no state file yet
    }
    const journal = new StateJournal(statePath, 0, baseBytes);
    const text = readIfThere(journal.path);
    if (text === null) return journal;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length - 1; i++) {
      let raw: unknown;
      try {
        raw = JSON.parse(lines[i]!);
      } catch (err) {
        if (i === lines.length - 2) break; // the last line, cut short
        throw refusal(journal.path, `has a line that is not valid JSON (line ${i + 1}: ${errorMessage(err)})`);
      }
      if (!isExactChange(raw)) {
        const { StateChange, StateChangeV4 } = await import('../model/state.js');
        const parsed = StateChange.safeParse(raw);
        const old = parsed.success ? parsed : StateChangeV4.safeParse(raw);
        if (!old.success) throw refusal(journal.path, `has a line of an unexpected shape (line ${i + 1})`);
        raw = old.data;
      }
      journal.changes.push(raw as StateChange | StateChangeV4);
      journal.bytes += Buffer.byteLength(lines[i]!) + 1;
    }
    return journal;
  }

  /**
   * Applies the lines of the state's generation to it (and to the entries of an older state
   * file, which held them). Older lines are in the state already (a compaction that could not
   * remove the journal); newer ones belong to a state file that is gone. The per-file records of
   * a version-4 state (`sources`) take its lines, then are grouped by unit, before a line of this
   * version (appended by a run that read it and was cut short) sets units.
   */
  foldInto(state: BackfillState, entries: Entries | null, sources: Sources | null): void {
    const added: string[] = [];
    for (const change of this.changes) {
      if (change.generation !== state.generation) continue;
      if ('sources' in change) {
        // A state of this version is written one generation on from the version-4 lines it holds.
        for (const path in sources === null ? {} : change.sources) {
          const rec = change.sources[path]!;
          if (rec === null) delete sources![path];
          else sources![path] = rec;
        }
      } else {
        if (sources !== null) state.units = unitsOf(sources);
        sources = null;
        for (const key in change.units) {
          const rec = change.units[key]!;
          if (rec === null) delete state.units[key];
          else state.units[key] = rec;
        }
      }
      for (const [key, entry] of Object.entries(change.sessions)) {
        state.sessions[key] = markOf(entry);
        added.push(key);
        this.journalEntries.set(key, entry);
        entries?.set(key, entry);
      }
      state.index_bytes = change.index_bytes;
      if (change.redact === null) delete state.redact;
      else state.redact = change.redact;
    }
    if (sources !== null) state.units = unitsOf(sources);
    // The keys of the sessions set join the imported ones (a set of them only when a line set any).
    if (added.length > 0) {
      const keys = new Set([...state.imported_session_keys, ...added]);
      if (keys.size > state.imported_session_keys.length) state.imported_session_keys = [...keys].sort();
    }
    this.changes = [];
    if (entries !== null) this.all = entries;
  }

  /**
   * Every session's entry: `backfill_sessions.json` with the entries of the lines folded into the
   * state over it (read once; the caller changes it as the run goes). Those are the lines of the
   * state's generation, whatever the entries file's: when a compaction was cut between the two
   * files, the entries file is one generation ahead and the lines appended since are of the
   * state's; lines it holds already set what they set again, and where that is older than what
   * the file holds, so is the state's record of that session (its file is written again).
   */
  async allEntries(): Promise<Entries> {
    if (this.all !== null) return this.all;
    const path = sessionEntriesPath(dirname(this.statePath));
    const text = readIfThere(path);
    const all: Entries = new Map();
    if (text !== null) {
      let raw = parseJson(path, text);
      if (!isExactEntries(raw)) {
        const parsed = (await import('../model/state.js')).SessionEntries.safeParse(raw);
        if (!parsed.success) throw refusal(path, `does not match the version-${STATE_VERSION} shape`);
        raw = parsed.data;
      }
      const { sessions } = raw as SessionEntriesFile;
      for (const key in sessions) all.set(key, sessions[key]!);
    }
    for (const [key, entry] of this.journalEntries) all.set(key, entry);
    this.all = all;
    return all;
  }

  /** Appends the line of one checkpoint (`lineOf` its change). */
  append(line: string): void {
    try {
      this.bytes = appendDurably(this.path, line, this.bytes);
    } catch (err) {
      throw new ArchiveError(`state file ${this.path} cannot be written: ${errorMessage(err)}`);
    }
  }

  /**
   * Whether reading the journal, with `more` bytes of lines to come, costs enough next to the
   * state it is folded into to compact it (a first import writes the state files).
   */
  compactionDue(more: number): boolean {
    const bytes = this.bytes + more;
    return bytes > 0 && (this.baseBytes === 0 || bytes >= Math.max(COMPACT_FLOOR, COMPACT_SHARE * this.baseBytes));
  }

  /**
   * Writes both bases from `state` (which may hold changes no line has) and every entry, one
   * generation on, then removes the journal. The entries go first: a crash between the two leaves
   * entries ahead of the state, for sessions whose files are in place, which the next run
   * converts again.
   */
  async compact(state: BackfillState): Promise<void> {
    const entries = await this.allEntries();
    const sessions: Record<string, SessionLogIndexEntry> = {};
    for (const [key, entry] of entries) sessions[key] = entry;
    // Every session is an imported one: its key joins them here, as folding the journal did.
    state.imported_session_keys = [...new Set([...state.imported_session_keys, ...entries.keys()])];
    state.generation++;
    const entriesText = `${JSON.stringify({ version: STATE_VERSION, generation: state.generation, sessions })}\n`;
    await writeStateFile(sessionEntriesPath(dirname(this.statePath)), entriesText);
    const stateText = serializeState(state);
    await writeStateFile(this.statePath, stateText);
    try {
      unlinkSync(this.path);
    } catch (err) {
      // Left in place, its lines are of an older generation than the state's: never folded in again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new ArchiveError(`state file ${this.path} cannot be removed: ${errorMessage(err)}`);
    }
    this.bytes = 0;
    this.baseBytes = Buffer.byteLength(stateText);
  }
}

type SessionEntriesFile = { sessions: Record<string, SessionLogIndexEntry> };

async function writeStateFile(path: string, text: string): Promise<void> {
  try {
    await writeWholeFile(path, text);
  } catch (err) {
    throw new ArchiveError(`state file ${path} cannot be written: ${errorMessage(err)}`);
  }
}
