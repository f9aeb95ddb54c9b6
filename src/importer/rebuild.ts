/**
 * The index entries of a logs dir read back from its session files, for a run that has no state
 * to take them from (the state file was moved away or deleted): each file's last line,
 * `session_ended`, carries its entry (`SessionTrailer`). Only the last bytes of each file are read.
 */
import { closeSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sessionLogPath } from '../archive/layout.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import type { BackfillState } from '../model/state.js';

/** Bytes read at a time, from the end, until the start of the last line. */
const CHUNK = 64 * 1024;

/** The last line of a file (its final `\n` left out), and the file's size and mtime. */
function lastLine(path: string): { text: string; size: number; mtimeMs: number } {
  const fd = openSync(path, 'r');
  try {
    const { size, mtimeMs } = fstatSync(fd);
    let end = size > 0 ? size - 1 : 0; // before the final newline
    const parts: Buffer[] = [];
    while (end > 0) {
      const start = Math.max(0, end - CHUNK);
      const buf = Buffer.allocUnsafe(end - start);
      readSync(fd, buf, 0, buf.length, start);
      const nl = buf.lastIndexOf(10);
      parts.unshift(nl < 0 ? buf : buf.subarray(nl + 1));
      if (nl >= 0) break;
      end = start;
    }
    return { text: Buffer.concat(parts).toString('utf8'), size, mtimeMs };
  } finally {
    closeSync(fd);
  }
}

export interface Rebuilt {
  /** Entries by session key, as their files were written (`source_missing` false). */
  entries: Map<string, SessionLogIndexEntry>;
  /** Session files that carry no entry (written before files had one, or damaged), by name. */
  unreadable: string[];
}

/** Reads the entry of every session file in `sessionsDir` (temp files left out). */
export async function entriesFromSessions(sessionsDir: string): Promise<Rebuilt> {
  const { SessionLogIndexEntry, SessionTrailer } = await import('../model/index-schema.js');
  const entries = new Map<string, SessionLogIndexEntry>();
  const unreadable: string[] = [];
  let names: string[];
  try {
    names = readdirSync(sessionsDir).filter((n) => n.endsWith('.jsonl') && !n.startsWith('.'));
  } catch {
    return { entries, unreadable };
  }
  for (const name of names.sort()) {
    try {
      const { text, size, mtimeMs } = lastLine(join(sessionsDir, name));
      const trailer = SessionTrailer.safeParse((JSON.parse(text) as { entry?: unknown }).entry);
      if (!trailer.success || trailer.data.log_path !== sessionLogPath(name.slice(0, -'.jsonl'.length)))
        throw new Error('no entry');
      const { session_key, ...rest } = trailer.data;
      // In the schema's order, as every entry of the index.
      const entry = SessionLogIndexEntry.parse({
        ...rest,
        log_bytes: size,
        source_missing: false,
        imported_at: new Date(mtimeMs).toISOString(),
      });
      entries.set(session_key, entry);
    } catch {
      unreadable.push(name);
    }
  }
  return { entries, unreadable };
}

/**
 * The entries of the session files, for a state that lists no session: the sessions are listed
 * again, and a conversion of their sources merges with them as with any archived file.
 */
export async function adoptSessionFiles(
  sessionsDir: string,
  warnings: string[],
): Promise<Map<string, SessionLogIndexEntry>> {
  const { entries, unreadable } = await entriesFromSessions(sessionsDir);
  if (entries.size > 0)
    warnings.push(`no state: the index was rebuilt from the ${entries.size} session file(s) in ${sessionsDir}`);
  if (unreadable.length > 0)
    warnings.push(
      `${unreadable.length} session file(s) in ${sessionsDir} carry no index entry (written before files kept one, or damaged): they stay there, listed again once their sources are imported`,
    );
  return entries;
}

/**
 * The entries of sessions the state lists but `entries` lacks (the entries file was deleted or
 * moved away), read back from their session files; a session whose file carries none is dropped
 * from the state (its file is gone or damaged: its sources, if any, import it again). Returns a
 * warning when any was missing.
 */
export async function fillMissingEntries(
  state: BackfillState,
  entries: Map<string, SessionLogIndexEntry>,
  sessionsDir: string,
): Promise<string | null> {
  const lacking = Object.keys(state.sessions).filter((key) => !entries.has(key));
  if (lacking.length === 0) return null;
  const { entries: found } = await entriesFromSessions(sessionsDir);
  for (const key of lacking) {
    const entry = found.get(key);
    if (entry === undefined) delete state.sessions[key];
    else entries.set(key, { ...entry, source_missing: state.sessions[key]!.source_missing });
  }
  return `the index entries of ${lacking.length} session(s) were missing from the state: read back from their session files in ${sessionsDir}`;
}
