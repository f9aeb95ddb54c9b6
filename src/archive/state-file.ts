/**
 * Loads and saves `backfill_state.json`. A state file that cannot be trusted (not JSON, not our
 * shape, a newer version) stops the run and is never overwritten: silently starting from an
 * empty state is how the reference model duplicated whole archives.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ArchiveError, errorMessage } from '../errors.js';
import { STATE_FIELDS, STATE_VERSION, emptyState, isExactState } from '../model/state-check.js';
import type { BackfillState } from '../model/state.js';
import { writeWholeFile } from '../writer/atomic-file.js';

export interface LoadedState {
  state: BackfillState;
  /** Set when a version-1 file was read and upgraded in memory. */
  migratedFrom: number | null;
}

export async function loadState(path: string): Promise<LoadedState> {
  let text: string;
  try {
    // One synchronous read: fs/promises reads a large file in many thread-pool round trips.
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyState(), migratedFrom: null };
    throw new ArchiveError(`state file ${path} cannot be read: ${errorMessage(err)}`);
  }
  const refuse = (why: string) =>
    new ArchiveError(
      `state file ${path} ${why}; it was left untouched. Fix or move it away (the next run then re-imports everything).`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw refuse(`is not valid JSON (${errorMessage(err)})`);
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > STATE_VERSION) {
    throw refuse(`has version ${version}, newer than this import-logs understands (${STATE_VERSION})`);
  }
  // The usual case: a state this tool wrote, used as it is; zod loads only for anything else.
  if (isExactState(raw)) return { state: raw, migratedFrom: null };
  const { BackfillState, BackfillStateV1, BackfillStateV2 } = await import('../model/state.js');
  if (version === 1) {
    const v1 = BackfillStateV1.safeParse(raw);
    if (!v1.success) throw refuse('is a version-1 state of an unexpected shape');
    const state = emptyState();
    // Version 1 kept no fingerprints: every session is converted again and rewritten.
    state.imported_session_keys = [...new Set(v1.data.imported_session_keys)].sort();
    return { state, migratedFrom: 1 };
  }
  if (version === 2) {
    const v2 = BackfillStateV2.safeParse(raw);
    if (!v2.success) throw refuse('is a version-2 state of an unexpected shape');
    // Its session files have no event keys: the sessions (and those whose source is gone) stay
    // listed, and every source is converted again.
    const state = emptyState();
    state.imported_session_keys = [...new Set(v2.data.imported_session_keys)].sort();
    state.sessions = v2.data.sessions;
    // Its entries do not say the size of their files: taken as they are now.
    for (const entry of Object.values(state.sessions)) {
      try {
        entry.log_bytes = statSync(join(dirname(path), entry.log_path)).size;
      } catch {
        // missing: written again if its source is there
      }
    }
    if (v2.data.last_run !== undefined) state.last_run = v2.data.last_run;
    return { state, migratedFrom: 2 };
  }
  const parsed = BackfillState.safeParse(raw);
  if (!parsed.success)
    throw refuse(`does not match the version-${STATE_VERSION} shape (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return { state: parsed.data, migratedFrom: null };
}

/**
 * The state file's text: keys in the schema's order whatever order they were set in (so the next
 * load takes the fast path), imported_session_keys sorted.
 */
export function serializeState(state: BackfillState): string {
  const ordered: Record<string, unknown> = {};
  for (const key of STATE_FIELDS.state) if (state[key] !== undefined) ordered[key] = state[key];
  ordered.imported_session_keys = [...state.imported_session_keys].sort();
  return `${JSON.stringify(ordered)}\n`;
}

/** Writes a state serialized earlier (a checkpoint saves the state as it was before its batch). */
export async function writeStateText(path: string, text: string): Promise<void> {
  try {
    await writeWholeFile(path, text);
  } catch (err) {
    throw new ArchiveError(`state file ${path} cannot be written: ${errorMessage(err)}`);
  }
}
