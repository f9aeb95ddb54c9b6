/**
 * One import at a time per logs dir. The lock file names its holder, and the holder refreshes its
 * mtime every LOCK_REFRESH_MS while it runs (a heartbeat). A lock is stale, and taken over, when
 * its process is gone (a killed run on this host) or when it was not refreshed for STALE_PERIODS
 * periods, whatever its host (a run on another machine sharing the dir, a restored backup, a
 * suspended process). Taking over renames the stale lock away first, so two runs that both find
 * it stale cannot both win. The same kind of lock on another file, the store dir's
 * STORE_LOCK_FILE, held for a moment, serializes updates of the store-wide index by imports of
 * different logs dirs.
 */
import { linkSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CliError, LockedError } from '../errors.js';
import { LOCK_FILE } from '../archive/layout.js';
import { writeNewFile } from '../writer/atomic-file.js';

const POLL_MS = 100;
/** How often a holder refreshes its lock's mtime. */
const LOCK_REFRESH_MS = 10_000;
/** A lock not refreshed for this many periods is stale, whatever its host. */
export const STALE_PERIODS = 6;

export interface LockInfo {
  pid: number;
  host: string;
  started_at: string;
}

/** The lock's heartbeat clock; tests inject a period and a time. */
export interface LockClock {
  periodMs: number;
  now: () => number;
}

const realClock: LockClock = { periodMs: LOCK_REFRESH_MS, now: Date.now };

interface FoundLock {
  info: LockInfo;
  /** Last refresh by its holder. */
  mtimeMs: number;
}

function readLock(path: string): FoundLock | null {
  try {
    const mtimeMs = statSync(path).mtimeMs;
    const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? { info, mtimeMs } : null;
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

/** Whether process `pid` of this host, which took a lock at `lockedAt`, still runs. */
function pidAlive(pid: number, lockedAt: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A process that started after the lock was written is another one under a reused pid (after
  // a reboot, say): the lock is stale. Without that check such a lock would block every run.
  const at = Date.parse(lockedAt);
  const started = Number.isNaN(at) ? null : processStartMs(pid);
  return started === null || started <= at + START_SLACK_MS;
}

function isHeld(lock: FoundLock, clock: LockClock): boolean {
  if (clock.now() - lock.mtimeMs > STALE_PERIODS * clock.periodMs) return false;
  if (lock.info.host !== hostname()) return true; // refreshed lately on another machine
  return pidAlive(lock.info.pid, lock.info.started_at);
}

/** The import that holds a logs dir's lock now, if any (a stale lock is none). */
export function lockHolder(logsDir: string, clock: LockClock = realClock): LockInfo | null {
  const found = readLock(join(logsDir, LOCK_FILE));
  return found && isHeld(found, clock) ? found.info : null;
}

export interface Lock {
  release(): void;
  /** Throws (exit 75) when another run took the lock over: this one was not refreshed in time. */
  assertHeld(): void;
}

/** Locks held by this process: an abrupt exit releases them. */
const heldLocks = new Set<Lock>();

/** Releases every lock this process holds (the last act of an abrupt exit). */
export function releaseHeldLocks(): void {
  for (const lock of [...heldLocks]) lock.release();
}

export interface LockOptions {
  file?: string;
  /** How long to wait for the holder to finish (0: fail at once with exit code 75). */
  waitMs?: number;
  clock?: LockClock;
  /** Stops waiting (the run was interrupted). */
  signal?: AbortSignal;
}

/** Takes the lock `file` in `dir`, waiting up to `waitMs` for its holder to finish. */
export async function acquireLock(dir: string, opts: LockOptions = {}): Promise<Lock> {
  const file = opts.file ?? LOCK_FILE;
  const clock = opts.clock ?? realClock;
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    try {
      const lock = tryLock(dir, file, clock);
      removeDeadTemps(dir, file);
      return lock;
    } catch (err) {
      if (!(err instanceof CliError) || !(err instanceof LockedError) || Date.now() >= deadline) throw err;
    }
    await sleep(POLL_MS, undefined, opts.signal ? { signal: opts.signal } : {});
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
    if (!Number.isInteger(pid) || pid === process.pid || pidAlive(pid, '')) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // gone already
    }
  }
}

const heldBy = (found: FoundLock | null, mine: LockInfo) =>
  found !== null &&
  found.info.pid === mine.pid &&
  found.info.host === mine.host &&
  found.info.started_at === mine.started_at;

/** The lock `path`, now ours: refreshed every period until released. */
function holding(path: string, mine: LockInfo, clock: LockClock): Lock {
  const refresh = () => {
    if (!heldBy(readLock(path), mine)) return;
    const now = new Date(clock.now());
    try {
      utimesSync(path, now, now);
    } catch {
      // removed meanwhile: assertHeld says so at the next checkpoint
    }
  };
  refresh(); // the clock's time, not the file system's
  const timer = setInterval(refresh, clock.periodMs);
  timer.unref();
  const lock: Lock = {
    release() {
      clearInterval(timer);
      heldLocks.delete(lock);
      if (!heldBy(readLock(path), mine)) return;
      try {
        unlinkSync(path);
      } catch {
        // gone already
      }
    },
    assertHeld() {
      const found = readLock(path);
      if (heldBy(found, mine)) return;
      const by = found ? ` by pid ${found.info.pid} on ${found.info.host}` : '';
      throw new LockedError(
        `the lock ${path} was taken over${by}: this run was not refreshing it (suspended?); it stops here`,
      );
    },
  };
  heldLocks.add(lock);
  return lock;
}

function tryLock(dir: string, file: string, clock: LockClock): Lock {
  const path = join(dir, file);
  const mine: LockInfo = { pid: process.pid, host: hostname(), started_at: new Date(clock.now()).toISOString() };
  const temp = `${path}.${process.pid}`;
  writeNewFile(temp, JSON.stringify(mine));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(temp, path); // atomic: fails if a lock exists
        return holding(path, mine, clock);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readLock(path);
      if (holder && isHeld(holder, clock)) {
        const { pid, host, started_at } = holder.info;
        throw new LockedError(
          `another import holds the lock ${path} (pid ${pid} on ${host}, started ${started_at}); try again later`,
        );
      }
      const aside = `${path}.stale-${process.pid}`;
      try {
        renameSync(path, aside);
      } catch {
        continue; // someone else moved it: try again
      }
      const moved = readLock(aside);
      if (moved && isHeld(moved, clock)) {
        // We raced a run that had just taken over: give its lock back.
        try {
          linkSync(aside, path);
        } catch {
          // it has a lock of its own again
        }
        unlinkSync(aside);
        throw new LockedError(`another import holds the lock ${path} (pid ${moved.info.pid}); try again later`);
      }
      unlinkSync(aside);
    }
    throw new LockedError(`could not take the lock ${path}: it keeps changing hands`);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
}
