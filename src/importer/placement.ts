/**
 * Where an archive may go. Never inside a provider home: the import would read its own output as
 * sources, and the agent's cleanup deletes old `.jsonl` files there. Never over a directory that
 * holds something else: an unrelated `index.json` would be overwritten without a word.
 */
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Adapter, HomeEnvironment } from '../../adapters/types.js';
import { UsageError } from '../errors.js';
import { INDEX_FILE, SESSIONS_DIR, STATE_FILE, indexPath, sessionsDirOf } from '../archive/layout.js';
import { resolveHomes } from './discover.js';
import { isInside } from '../util/paths.js';

/** A directory the run writes, and what named it (`--out`, `--store`, `IMPORT_LOGS_HOME`, …). */
export interface OutputDir {
  path: string;
  via: string;
}

/** The real path of `path`, or of its deepest existing parent with the rest appended (it may not exist yet). */
function realish(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realish(parent), basename(abs));
  }
}

/** Exit 2, naming both, when an output dir is inside (or is) a home of any provider. */
export function refuseInsideHomes(
  outputs: readonly OutputDir[],
  adapters: readonly Adapter[],
  homeFlags: Record<string, string | undefined>,
  environment: HomeEnvironment,
): void {
  for (const adapter of adapters) {
    for (const home of resolveHomes(adapter, homeFlags[adapter.id], environment).looked) {
      const homeReal = realish(home.path);
      for (const out of outputs) {
        if (!isInside(homeReal, realish(out.path)) && !isInside(resolve(home.path), resolve(out.path))) continue;
        throw new UsageError(
          `${out.via} ${out.path} is inside the ${adapter.title} home ${home.path} (${home.via}): the import would read its own output, and ${adapter.title}'s cleanup may delete it. Choose a directory outside every provider home.`,
        );
      }
    }
  }
}

/** An `index.json` of our shape: `{"sessions": [...]}`. */
function isOurIndex(path: string): boolean {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof value === 'object' && value !== null && Array.isArray((value as { sessions?: unknown }).sessions);
  } catch {
    return false;
  }
}

/** What a run leaves in `sessions/`: session files, and hidden temp files. */
function isOurSessionsDir(path: string): boolean {
  return readdirSync(path).every((name) => name.endsWith('.jsonl') || name.startsWith('.'));
}

/**
 * Whether `logsDir` may be written: missing or empty, or a logs dir of import-logs, recognized by
 * its state file, or else (a state moved away, a first run killed before its first checkpoint) by
 * an `index.json` of our shape, a `sessions/` dir of session files, or nothing but hidden files (a
 * lock, temp files), with no `index.json` of another shape beside them.
 */
export function refuseForeignLogsDir(logsDir: string): void {
  let names: string[];
  try {
    names = readdirSync(logsDir);
  } catch {
    return; // missing (created by the run), or not a dir (the run says so when it writes)
  }
  if (names.length === 0 || names.includes(STATE_FILE)) return;
  const look = (check: () => boolean) => {
    try {
      return check();
    } catch {
      return false; // cannot be looked at: not something a run left
    }
  };
  const sessionsPath = sessionsDirOf(logsDir);
  const ourIndex = names.includes(INDEX_FILE) && look(() => isOurIndex(indexPath(logsDir)));
  const otherIndex = names.includes(INDEX_FILE) && !ourIndex;
  const ourSessions =
    names.includes(SESSIONS_DIR) && look(() => statSync(sessionsPath).isDirectory() && isOurSessionsDir(sessionsPath));
  const onlyHidden = names.every((name) => name.startsWith('.') && look(() => statSync(join(logsDir, name)).isFile())); // a lock, temp files
  if (!otherIndex && (ourIndex || ourSessions || onlyHidden)) return;
  const shown = [...names].sort().slice(0, 3).join(', ') + (names.length > 3 ? `, … (${names.length} in all)` : '');
  throw new UsageError(
    `logs dir ${logsDir} is not empty and is not an import-logs logs dir (it holds ${shown}${otherIndex ? `, and its ${INDEX_FILE} is not ours` : ''}): nothing was written. Choose a new or empty directory, or the logs dir of an earlier import.`,
  );
}
