/**
 * The logs dirs a command that reads the local index looks at (the chosen one, or with `--all`
 * every logs dir of the store), each with its `archive.db` brought up to date first (cheap when
 * nothing changed; built when missing).
 */
import { logsDirsOf, readGlobalIndex } from '../archive/read.js';
import { localIndexPath } from '../archive/layout.js';
import { updateLocalIndex } from '../database/local-index.js';
import { ArchiveError, UsageError } from '../errors.js';
import { parseSince, resolveLocations } from '../importer/locations.js';

export interface ScopeArgs {
  root?: string | undefined;
  store?: string | undefined;
  out?: string | undefined;
  all: boolean;
}

export async function indexedLogsDirs(args: ScopeArgs): Promise<string[]> {
  const locations = resolveLocations(args);
  let dirs = [locations.logsDir];
  if (args.all) {
    if (locations.storeDir === null)
      throw new UsageError('--all needs a store (--store DIR or $IMPORT_LOGS_HOME), not --out alone');
    dirs = logsDirsOf((await readGlobalIndex(locations.storeDir)) ?? []);
  }
  for (const dir of dirs) {
    await updateLocalIndex(dir).catch((err: unknown) => {
      throw new ArchiveError(`${localIndexPath(dir)}: ${(err as Error).message}`);
    });
  }
  return dirs;
}

/** A `--since`/`--until` value (a date or a duration back from now) as RFC 3339, or undefined. */
export function timeBound(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(parseSince(value, Date.now())).toISOString();
}
