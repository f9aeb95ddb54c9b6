/**
 * Every file the tool reads or writes in a store and its logs dirs, named here and nowhere else:
 *
 *   <store>/sessions_index.json        every session of every logs dir of the store
 *   <store>/.sessions_index.lock       held while that index is merged
 *   <store>/logs/                      the logs dir (or projects/<slug>/logs/ under --root, or --out)
 *     sessions/<id>.jsonl              one normalized session
 *     index.json                       its sessions, for list and show
 *     backfill_state.json              what was imported from which source (compacted)
 *     backfill_state.journal           what changed since, one line per checkpoint
 *     backfill_sessions.json           the index entry of every session (compacted)
 *     backfill_state.digest            what a run that changes nothing needs of the state (a cache)
 *     last_run.json                    when each provider was last scanned, and what failed then
 *     backfill_dirs.json               the source directories as last listed (listed again once changed)
 *     .import.lock                     held by the running import
 *     archive.db                       the local index (SQLite)
 *     archive-db.stamp                 what archive.db was when last brought up to date
 *     push_ledger.json                 what was pushed to which server
 */
import { dirname, join } from 'node:path';

export const SESSIONS_DIR = 'sessions';
export const INDEX_FILE = 'index.json';
export const STATE_FILE = 'backfill_state.json';
export const STATE_JOURNAL_FILE = 'backfill_state.journal';
export const SESSION_ENTRIES_FILE = 'backfill_sessions.json';
export const STATE_DIGEST_FILE = 'backfill_state.digest';
export const LAST_RUN_FILE = 'last_run.json';
export const DIR_LISTINGS_FILE = 'backfill_dirs.json';
export const LOCK_FILE = '.import.lock';
export const LOCAL_INDEX_FILE = 'archive.db';
export const LOCAL_INDEX_STAMP_FILE = 'archive-db.stamp';
export const PUSH_LEDGER_FILE = 'push_ledger.json';
export const GLOBAL_INDEX_FILE = 'sessions_index.json';
export const STORE_LOCK_FILE = '.sessions_index.lock';

/** The logs dir of a store: `logs/`, or `projects/<slug>/logs/` for the sessions of a workspace root. */
export function storeLogsDir(storeDir: string, project: string): string {
  return project === '' ? join(storeDir, 'logs') : join(storeDir, 'projects', project, 'logs');
}

export const sessionsDirOf = (logsDir: string): string => join(logsDir, SESSIONS_DIR);
export const indexPath = (logsDir: string): string => join(logsDir, INDEX_FILE);
export const statePath = (logsDir: string): string => join(logsDir, STATE_FILE);
export const stateJournalPath = (logsDir: string): string => join(logsDir, STATE_JOURNAL_FILE);
export const sessionEntriesPath = (logsDir: string): string => join(logsDir, SESSION_ENTRIES_FILE);
export const stateDigestPath = (logsDir: string): string => join(logsDir, STATE_DIGEST_FILE);
export const lastRunPath = (logsDir: string): string => join(logsDir, LAST_RUN_FILE);
export const dirListingsPath = (logsDir: string): string => join(logsDir, DIR_LISTINGS_FILE);
export const localIndexPath = (logsDir: string): string => join(logsDir, LOCAL_INDEX_FILE);
export const localIndexStampPath = (logsDir: string): string => join(logsDir, LOCAL_INDEX_STAMP_FILE);
export const pushLedgerPath = (logsDir: string): string => join(logsDir, PUSH_LEDGER_FILE);
export const globalIndexPath = (storeDir: string): string => join(storeDir, GLOBAL_INDEX_FILE);

/** A session's `log_path` in the index: relative to its logs dir. */
export function sessionLogPath(wrapperId: string): string {
  return `${SESSIONS_DIR}/${wrapperId}.jsonl`;
}

/** The session file of `wrapperId` in a sessions dir. */
export function sessionFile(sessionsDir: string, wrapperId: string): string {
  return join(sessionsDir, `${wrapperId}.jsonl`);
}

/** The logs dir holding a session file (`<logs dir>/sessions/<id>.jsonl`). */
export function logsDirOfSessionFile(path: string): string {
  return dirname(dirname(path));
}
