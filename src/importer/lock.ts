/**
 * One import at a time per logs dir. The lock file names its holder; a lock whose process is gone
 * (a killed run) is taken over. Taking over renames the stale lock away first, so two runs that
 * both find it stale cannot both win.
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from '../errors.js';
import { FILE_MODE } from '../writer/atomic-file.js';

export const LOCK_FILE = '.import.lock';

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

function isAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // cannot tell for another machine: assume it runs
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The import that holds a logs dir's lock now, if any (a stale lock of a dead process is none). */
export function lockHolder(logsDir: string): LockInfo | null {
  const holder = readLock(join(logsDir, LOCK_FILE));
  return holder && isAlive(holder) ? holder : null;
}

export interface Lock {
  release(): void;
}

export function acquireLock(logsDir: string): Lock {
  const path = join(logsDir, LOCK_FILE);
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
