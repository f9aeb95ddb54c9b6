/**
 * Reading the archive's index files (never transcripts): a logs dir's `index.json` and the store's
 * `sessions_index.json`. Used by `list`, `show` and `doctor`; they never take the import lock.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ArchiveError, errorMessage } from '../errors.js';
import {
  GlobalSessionIndex,
  SessionLogIndex,
  type GlobalSessionEntry,
  type SessionLogIndexEntry,
} from '../model/index-schema.js';
import { globalIndexPath, indexPath, logsDirOfSessionFile } from './layout.js';

/** Parses an index file; null when it does not exist. Anything unreadable is a clear error. */
async function readIndexFile<T>(path: string, schema: z.ZodType<T>): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ArchiveError(`${path} cannot be read: ${errorMessage(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ArchiveError(`${path} is not valid JSON (${errorMessage(err)}); the next import rewrites it`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid';
    throw new ArchiveError(`${path} is not a session index (${where}); the next import rewrites it`);
  }
  return parsed.data;
}

/** The sessions of a logs dir, or null when nothing was imported there yet. */
export async function readLogsIndex(logsDir: string): Promise<SessionLogIndexEntry[] | null> {
  return (await readIndexFile(indexPath(logsDir), SessionLogIndex))?.sessions ?? null;
}

/** Every session of every logs dir of a store, or null when the store has no index yet. */
export async function readGlobalIndex(storeDir: string): Promise<GlobalSessionEntry[] | null> {
  return (await readIndexFile(globalIndexPath(storeDir), GlobalSessionIndex))?.sessions ?? null;
}

/** The logs dir a store-wide entry lives in (`<logs dir>/sessions/<id>.jsonl`). */
export function logsDirOf(entry: GlobalSessionEntry): string {
  return logsDirOfSessionFile(entry.log_path);
}

/** The distinct logs dirs named in a store's index, in first-seen order. */
export function logsDirsOf(entries: readonly GlobalSessionEntry[]): string[] {
  return [...new Set(entries.map(logsDirOf))];
}
