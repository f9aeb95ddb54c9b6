/** index.json of a logs dir and the store's sessions_index.json, written once per checkpoint. */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GlobalSessionEntry, SessionLogIndexEntry } from '../model/index-schema.js';
import { isInside } from '../util/paths.js';
import { writeWholeFile } from '../writer/atomic-file.js';
import { globalIndexPath, indexPath } from './layout.js';

function compareEntries(a: SessionLogIndexEntry, b: SessionLogIndexEntry): number {
  if (a.started_at !== b.started_at) return a.started_at < b.started_at ? -1 : 1;
  return a.wrapper_session_id < b.wrapper_session_id ? -1 : a.wrapper_session_id > b.wrapper_session_id ? 1 : 0;
}

function sortedEntries(entries: Iterable<SessionLogIndexEntry>): SessionLogIndexEntry[] {
  return [...entries].sort(compareEntries);
}

/** The text of a logs dir's `index.json` listing `entries`. */
export function logsIndexText(entries: Iterable<SessionLogIndexEntry>): string {
  return `${JSON.stringify({ sessions: sortedEntries(entries) }, null, 2)}\n`;
}

export async function writeLogsIndex(logsDir: string, text: string): Promise<void> {
  await writeWholeFile(indexPath(logsDir), text);
}

const INDEX_HEAD = Buffer.from('{\n  "sessions": [');
const INDEX_TAIL = Buffer.from(']\n}\n');

/** Whether a file starts and ends as an index we write does (a cut or emptied one does not). */
function framedAsIndex(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size < INDEX_HEAD.length + INDEX_TAIL.length) return false;
    const head = Buffer.alloc(INDEX_HEAD.length);
    const tail = Buffer.alloc(INDEX_TAIL.length);
    readSync(fd, head, 0, head.length, 0);
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return head.equals(INDEX_HEAD) && tail.equals(INDEX_TAIL);
  } finally {
    closeSync(fd);
  }
}

/**
 * True when an index is missing, `index.json` is not of the size the state recorded when it was
 * written for its sessions (a stat; no size recorded: not written since they changed), or the
 * store's `sessions_index.json`, which holds other logs dirs' entries too, does not start and end
 * as an index does (its first and last bytes): the run then writes them again. A state without
 * sessions has no index to check.
 */
export function indexesDamaged(
  logsDir: string,
  storeDir: string | null,
  state: { sessions: number; index_bytes: number | null },
): boolean {
  if (state.sessions === 0) return false;
  if (state.index_bytes === null) return true;
  try {
    if (statSync(indexPath(logsDir)).size !== state.index_bytes) return true;
    return storeDir !== null && !framedAsIndex(globalIndexPath(storeDir));
  } catch {
    return true;
  }
}

/**
 * Replaces this logs dir's entries in the store-wide index; other logs dirs' entries stay. The
 * caller holds the store's lock. Returns a warning when the old index was unreadable and rebuilt.
 */
export async function mergeGlobalIndex(
  storeDir: string,
  logsDir: string,
  project: string,
  entries: Iterable<SessionLogIndexEntry>,
): Promise<string | null> {
  const path = globalIndexPath(storeDir);
  let warning: string | null = null;
  let current: GlobalSessionEntry[] = [];
  try {
    const { GlobalSessionIndex } = await import('../model/index-schema.js');
    const parsed = GlobalSessionIndex.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (parsed.success) current = parsed.data.sessions;
    else warning = `${path} was not a valid session index; it was rebuilt`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warning = `${path} could not be read; it was rebuilt`;
  }
  const kept = current.filter((e) => !isInside(logsDir, e.log_path));
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
    a.started_at !== b.started_at
      ? a.started_at < b.started_at
        ? -1
        : 1
      : a.log_path < b.log_path
        ? -1
        : a.log_path > b.log_path
          ? 1
          : 0,
  );
  await writeWholeFile(path, `${JSON.stringify({ sessions: kept }, null, 2)}\n`);
  return warning;
}
