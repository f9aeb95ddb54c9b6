/**
 * One import at a time per logs dir. The lock file names its holder; a lock whose process is gone
 * (a killed run) is taken over. Taking over renames the stale lock away first, so two runs that
 * both find it stale cannot both win. The same kind of lock on another file, the store dir's
 * STORE_LOCK_FILE, held for a moment, serializes updates of the store-wide index by imports of
 * different logs dirs.
 */
import { linkSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from '../errors.js';
import { FILE_MODE } from '../writer/atomic-file.js';

const LOCK_FILE = '.import.lock';
/** Lock of the store dir, held while `sessions_index.json` is read, merged and rewritten. */
export const STORE_LOCK_FILE = '.sessions_index.lock';
const POLL_MS = 100;

export interface LockInfo {
  pid: number;
  host: string;
  started_at: string;
}

function readLock(path: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : null;
  } catch {
    return null;
  }
}

/** Clock ticks per second of `/proc/<pid>/stat` start times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;
/** Slack for comparing start times: the boot time in `/proc/stat` has whole seconds. */
const START_SLACK_MS = 2000;

/** When process `pid` started (ms since the epoch), where `/proc` tells; null elsewhere. */
function processStartMs(pid: number): number | null {
  try {
    const boot = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    // Fields after the command name, which may itself hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return boot === undefined || !Number.isFinite(ticks) ? null : Number(boot) * 1000 + (ticks * 1000) / USER_HZ;
  } catch {
    return null;
  }
}

function isAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // cannot tell for another machine: assume it runs
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A process that started after the lock was written is another one under a reused pid (after
  // a reboot, say): the lock is stale. Without that check such a lock would block every run.
  const lockedAt = Date.parse(info.started_at);
  const started = Number.isNaN(lockedAt) ? null : processStartMs(info.pid);
  return started === null || started <= lockedAt + START_SLACK_MS;
}

/** The import that holds a logs dir's lock now, if any (a stale lock of a dead process is none). */
export function lockHolder(logsDir: string): LockInfo | null {
  const holder = readLock(join(logsDir, LOCK_FILE));
  return holder && isAlive(holder) ? holder : null;
}

export interface Lock {
  release(): void;
}

/**
 * Takes the lock `file` in `dir`, waiting up to `waitMs` for its holder to finish (0: fail at once
 * with exit code 75).
 */
export async function acquireLock(dir: string, opts: { file?: string; waitMs?: number } = {}): Promise<Lock> {
  const file = opts.file ?? LOCK_FILE;
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    try {
      const lock = tryLock(dir, file);
      removeDeadTemps(dir, file);
      return lock;
    } catch (err) {
      if (!(err instanceof CliError) || err.exitCode !== EXIT.locked || Date.now() >= deadline) throw err;
    }
    await sleep(POLL_MS);
  }
}

/** Temp files of lock takers that were killed between writing them and removing them. */
function removeDeadTemps(dir: string, file: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const pattern = new RegExp(`^${file.replace(/\./g, '\\.')}\\.(?:stale-)?(\\d+)$`);
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive({ pid, host: hostname(), started_at: '' })) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // gone already
    }
  }
}

function tryLock(dir: string, file: string): Lock {
  const path = join(dir, file);
  const mine: LockInfo = { pid: process.pid, host: hostname(), started_at: new Date().toISOString() };
  const temp = `${path}.${process.pid}`;
  writeFileSync(temp, JSON.stringify(mine), { mode: FILE_MODE });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(temp, path); // atomic: fails if a lock exists
        return {
          release() {
            const holder = readLock(path);
            if (holder?.pid === process.pid && holder.host === mine.host) unlinkSync(path);
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readLock(path);
      if (holder && isAlive(holder)) {
        throw new CliError(
          `another import holds the lock ${path} (pid ${holder.pid} on ${holder.host}, started ${holder.started_at}); try again later`,
          EXIT.locked,
        );
      }
      const aside = `${path}.stale-${process.pid}`;
      try {
        renameSync(path, aside);
      } catch {
        continue; // someone else moved it: try again
      }
      const moved = readLock(aside);
      if (moved && isAlive(moved)) {
        // We raced a run that had just taken over: give its lock back.
        try {
          linkSync(aside, path);
        } catch {
          // it has a lock of its own again
        }
        unlinkSync(aside);
        throw new CliError(`another import holds the lock ${path} (pid ${moved.pid}); try again later`, EXIT.locked);
      }
      unlinkSync(aside);
    }
    throw new CliError(`could not take the lock ${path}: it keeps changing hands`, EXIT.locked);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
}
