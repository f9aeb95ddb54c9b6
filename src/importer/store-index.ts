/** The store-wide index, updated under the store's lock by imports of different logs dirs. */
import { mkdirSync } from 'node:fs';
import { ArchiveError, CliError, errorMessage } from '../errors.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import { DIR_MODE, removeTempFiles } from '../writer/atomic-file.js';
import { mergeGlobalIndex } from '../archive/indexes.js';
import { GLOBAL_INDEX_FILE, STORE_LOCK_FILE, globalIndexPath } from '../archive/layout.js';
import { acquireLock, type Lock } from './lock.js';

/** How long an import waits for another one to finish its update of the store-wide index. */
const STORE_LOCK_WAIT_MS = 60_000;

/**
 * Replaces this logs dir's entries in the store-wide index; other logs dirs' entries stay. Imports
 * of different logs dirs share the store: the read-merge-write runs under the store's lock, so
 * that no update is lost.
 */
export async function updateGlobalIndex(
  storeDir: string,
  logsDir: string,
  project: string,
  entries: Iterable<SessionLogIndexEntry>,
): Promise<string | null> {
  let lock: Lock | null = null;
  try {
    mkdirSync(storeDir, { recursive: true, mode: DIR_MODE });
    lock = await acquireLock(storeDir, { file: STORE_LOCK_FILE, waitMs: STORE_LOCK_WAIT_MS });
    removeTempFiles(storeDir, [GLOBAL_INDEX_FILE]);
    return await mergeGlobalIndex(storeDir, logsDir, project, entries);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new ArchiveError(`store index ${globalIndexPath(storeDir)} cannot be written: ${errorMessage(err)}`);
  } finally {
    lock?.release();
  }
}
