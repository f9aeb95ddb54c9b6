/** index.json of a logs dir and the store's sessions_index.json, written once per checkpoint. */
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { GlobalSessionIndex, type GlobalSessionEntry, type SessionLogIndexEntry } from '../model/index-schema.js';
import { DIR_MODE, FILE_MODE } from './atomic-file.js';

export const INDEX_FILE = 'index.json';
export const GLOBAL_INDEX_FILE = 'sessions_index.json';

export function compareEntries(a: SessionLogIndexEntry, b: SessionLogIndexEntry): number {
  if (a.started_at !== b.started_at) return a.started_at < b.started_at ? -1 : 1;
  return a.wrapper_session_id < b.wrapper_session_id ? -1 : a.wrapper_session_id > b.wrapper_session_id ? 1 : 0;
}

export function sortedEntries(entries: Iterable<SessionLogIndexEntry>): SessionLogIndexEntry[] {
  return [...entries].sort(compareEntries);
}

export async function writeLogsIndex(logsDir: string, entries: Iterable<SessionLogIndexEntry>): Promise<void> {
  const body = JSON.stringify({ sessions: sortedEntries(entries) }, null, 2);
  await writeFileAtomic(join(logsDir, INDEX_FILE), `${body}\n`, { mode: FILE_MODE });
}

/** Replaces this logs dir's entries in the store-wide index; other logs dirs' entries stay. */
export async function updateGlobalIndex(
  storeDir: string,
  logsDir: string,
  project: string,
  entries: Iterable<SessionLogIndexEntry>,
): Promise<string | null> {
  const path = join(storeDir, GLOBAL_INDEX_FILE);
  let warning: string | null = null;
  let current: GlobalSessionEntry[] = [];
  try {
    const parsed = GlobalSessionIndex.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (parsed.success) current = parsed.data.sessions;
    else warning = `${path} was not a valid session index; it was rebuilt`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warning = `${path} could not be read; it was rebuilt`;
  }
  const inThisDir = (p: string) => {
    const rel = relative(logsDir, p);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };
  const kept = current.filter((e) => !inThisDir(e.log_path));
  for (const entry of entries) {
    kept.push({
      session_id: entry.wrapper_session_id,
      project,
      log_path: join(logsDir, entry.log_path),
      provider: entry.provider,
      started_at: entry.started_at,
    });
  }
  kept.sort((a, b) =>
    a.started_at !== b.started_at ? (a.started_at < b.started_at ? -1 : 1) : a.log_path < b.log_path ? -1 : a.log_path > b.log_path ? 1 : 0,
  );
  await mkdir(storeDir, { recursive: true, mode: DIR_MODE });
  await writeFileAtomic(path, `${JSON.stringify({ sessions: kept }, null, 2)}\n`, { mode: FILE_MODE });
  return warning;
}
