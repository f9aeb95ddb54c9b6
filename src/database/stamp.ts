/**
 * The local index's stamp: a small file beside `archive.db` saying which `index.json` the database
 * was last brought up to date with, of which version of the tables, and what the database file was
 * then (size, modification time in nanoseconds, inode). A run that finds all of it unchanged knows
 * the database is current without loading SQLite (most of what a no-op cost with the index);
 * anything else (no stamp, one unreadable, a database written or replaced since) sends it to the
 * database's own check.
 *
 * An update removes the stamp before it writes the database and writes it anew once the database
 * is closed: a run killed in between leaves no stamp, never one that vouches for a database it
 * does not describe.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { indexPath, localIndexPath, localIndexStampPath } from '../archive/layout.js';
import { writeWholeFile } from '../writer/atomic-file.js';

/** What `index.json` is now (null when there is none): the database holds the value it was indexed at. */
export function indexStamp(logsDir: string): string | null {
  try {
    const st = statSync(indexPath(logsDir));
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return null;
  }
}

interface Stamp {
  schema_version: number;
  index_stamp: string;
  db: string;
}

/** The database file as the stamp records it; null when there is none. */
function databaseFile(logsDir: string): string | null {
  const st = statSync(localIndexPath(logsDir), { bigint: true, throwIfNoEntry: false });
  return st === undefined ? null : `${st.size}:${st.mtimeNs}:${st.ino}`;
}

/** Whether the stamp says the database is of `schemaVersion` and current with `index.json` at `stamp`. */
export function stampCurrent(logsDir: string, schemaVersion: number, stamp: string): boolean {
  let saved: Partial<Stamp> | null;
  try {
    saved = JSON.parse(readFileSync(localIndexStampPath(logsDir), 'utf8')) as Partial<Stamp> | null;
  } catch {
    return false;
  }
  return saved?.schema_version === schemaVersion && saved.index_stamp === stamp && saved.db === databaseFile(logsDir);
}

/** Before the database is written: until the next `writeStamp`, no run trusts a stamp. */
export function removeStamp(logsDir: string): void {
  rmSync(localIndexStampPath(logsDir), { force: true });
}

/**
 * Records that the database, closed, is of `schemaVersion` and current with `index.json` at
 * `stamp`. Not synced, and a write that fails (a full disk) is let go: a stamp missing costs the
 * next run no more than the database's own check.
 */
export async function writeStamp(logsDir: string, schemaVersion: number, stamp: string): Promise<void> {
  const db = databaseFile(logsDir);
  if (db === null) return;
  const saved: Stamp = { schema_version: schemaVersion, index_stamp: stamp, db };
  await writeWholeFile(localIndexStampPath(logsDir), `${JSON.stringify(saved)}\n`, false).catch(() => undefined);
}
