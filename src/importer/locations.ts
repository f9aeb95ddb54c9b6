/** Where the archive lives: the store, and the logs dir of this run (SPEC §3). */
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { storeLogsDir } from '../archive/layout.js';
import { UsageError } from '../errors.js';
import { rootSlug } from '../util/ids.js';

/** The flags that say where the archive is (--root, --store, --out). */
export interface LocationFlags {
  root?: string | undefined;
  store?: string | undefined;
  out?: string | undefined;
}

export interface Locations {
  /** Store dir for sessions_index.json, or null when `--out` alone names the logs dir. */
  storeDir: string | null;
  logsDir: string;
  /** Real path of `--root`, if any. */
  root: string | null;
  /** Project name in the store-wide index: slug of the root, empty without one. */
  project: string;
}

function defaultStore(env: NodeJS.ProcessEnv, homedir: string): string {
  if (env.IMPORT_LOGS_HOME) return resolve(env.IMPORT_LOGS_HOME);
  const data =
    env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir, '.local', 'share');
  return join(data, 'import-logs');
}

export function resolveLocations(opts: LocationFlags, env = process.env, home = homedir()): Locations {
  let root: string | null = null;
  if (opts.root !== undefined) {
    try {
      root = realpathSync(resolve(opts.root));
    } catch {
      throw new UsageError(`--root ${opts.root}: no such directory`);
    }
  }
  const project = root === null ? '' : rootSlug(root);
  const explicitStore = opts.store !== undefined || env.IMPORT_LOGS_HOME !== undefined;
  const storeDir = opts.store !== undefined ? resolve(opts.store) : defaultStore(env, home);
  if (opts.out !== undefined) {
    return { storeDir: explicitStore ? storeDir : null, logsDir: resolve(opts.out), root, project };
  }
  return { storeDir, logsDir: storeLogsDir(storeDir, project), root, project };
}

/** `7d`, `12h`, `30m`, `2w` or a date; returns the epoch ms it names. */
export function parseSince(value: string, now: number): number {
  const m = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (m) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return now - Number(m[1]) * unit;
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    const sign = value.trim().startsWith('-') ? ', without a minus sign: 3d means 3 days ago' : '';
    throw new UsageError(`--since ${value}: expected a date (2026-11-01) or a duration (7d, 12h, 30m, 2w)${sign}`);
  }
  return ms;
}
