/**
 * Locks that cannot wedge: a holder refreshes its lock's mtime every period; a lock not refreshed
 * for STALE_PERIODS periods is stale, whatever its host. Real lock files, with the clock and the
 * period injected (no test depends on how fast the machine is).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import { STALE_PERIODS, acquireLock, lockHolder, type LockClock } from '../../src/importer/lock.js';
import { GLOBAL_INDEX_FILE, STORE_LOCK_FILE } from '../../src/archive/layout.js';
import { updateGlobalIndex } from '../../src/importer/store-index.js';
import { cleanupTemps, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

const PERIOD = 10_000;
/** The injected clocks start now: a lock of this very process names a time after its start. */
const T0 = Date.now();
/** A clock stopped at `at` (ms). */
const stoppedAt = (at: number): LockClock => ({ periodMs: PERIOD, now: () => at });

/** Writes a lock file as another run would, last refreshed at `refreshedAt`. */
function foreignLock(
  dir: string,
  refreshedAt: number,
  holder: { pid: number; host: string },
  file = '.import.lock',
): string {
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ ...holder, started_at: new Date(refreshedAt - 3_600_000).toISOString() }));
  utimesSync(path, new Date(refreshedAt), new Date(refreshedAt));
  return path;
}

/** mtime in whole ms (utimes goes through a float of seconds). */
const mtimeOf = (path: string) => Math.round(statSync(path).mtimeMs);

const otherHost = { pid: 4242, host: `not-${hostname()}` };
const lockedOut = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
};

describe('a lock left by a run on another host', () => {
  it('refreshed within the last periods: it holds (exit 75, naming it)', async () => {
    const dir = tempDir();
    foreignLock(dir, T0 - (STALE_PERIODS - 1) * PERIOD, otherHost);
    const err = await lockedOut(acquireLock(dir, { clock: stoppedAt(T0) }));
    expect(err.exitCode).toBe(75);
    expect(err.message).toContain(`pid 4242 on ${otherHost.host}`);
    expect(lockHolder(dir, stoppedAt(T0))?.host).toBe(otherHost.host);
  });

  it(`not refreshed for ${STALE_PERIODS} periods: stale, taken over`, async () => {
    const dir = tempDir();
    const path = foreignLock(dir, T0 - (STALE_PERIODS + 1) * PERIOD, otherHost);
    expect(lockHolder(dir, stoppedAt(T0))).toBeNull();
    const lock = await acquireLock(dir, { clock: stoppedAt(T0) });
    try {
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
      expect(mtimeOf(path)).toBe(T0);
    } finally {
      lock.release();
    }
    expect(existsSync(path)).toBe(false);
  });
});

describe('a lock of a live process on this host', () => {
  it('holds while refreshed; once not refreshed for the stale time (a suspended or hung run), it is taken over', async () => {
    const dir = tempDir();
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const holder = { pid: live.pid!, host: hostname() };
      const path = join(dir, '.import.lock');
      writeFileSync(path, JSON.stringify({ ...holder, started_at: new Date().toISOString() }));
      const refreshed = mtimeOf(path);
      expect((await lockedOut(acquireLock(dir, { clock: stoppedAt(refreshed + PERIOD) }))).exitCode).toBe(75);
      const lock = await acquireLock(dir, { clock: stoppedAt(refreshed + (STALE_PERIODS + 1) * PERIOD) });
      expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
      lock.release();
    } finally {
      live.kill('SIGKILL');
    }
  });
});

describe('the holder', () => {
  it('refreshes its lock every period (heartbeat)', async () => {
    const dir = tempDir();
    let now = T0;
    const lock = await acquireLock(dir, { clock: { periodMs: 5, now: () => now } });
    try {
      const path = join(dir, '.import.lock');
      expect(mtimeOf(path)).toBe(T0);
      now = T0 + 60_000;
      while (mtimeOf(path) !== now) await sleep(5); // the next beat; the test's timeout bounds it
      expect(lockHolder(dir, { periodMs: 5, now: () => now })?.pid).toBe(process.pid);
    } finally {
      lock.release();
    }
  });

  it("knows when its lock was taken over (assertHeld: exit 75), and then leaves the new holder's lock alone", async () => {
    const dir = tempDir();
    const lock = await acquireLock(dir, { clock: stoppedAt(T0) });
    lock.assertHeld();
    const path = foreignLock(dir, T0, otherHost);
    const err = (() => {
      try {
        lock.assertHeld();
        return null;
      } catch (e) {
        return e as CliError;
      }
    })();
    expect(err?.exitCode).toBe(75);
    expect(err?.message).toContain(`taken over by pid 4242 on ${otherHost.host}`);
    lock.release();
    expect(JSON.parse(readFileSync(path, 'utf8')).host).toBe(otherHost.host);
  });
});

describe('the store lock', () => {
  it('left by another host and not refreshed for an hour: the store index is updated anyway', async () => {
    const store = tempDir();
    foreignLock(store, Date.now() - 3_600_000, otherHost, STORE_LOCK_FILE);
    const logsDir = join(store, 'logs');
    await updateGlobalIndex(store, logsDir, '', []);
    expect(JSON.parse(readFileSync(join(store, GLOBAL_INDEX_FILE), 'utf8'))).toEqual({ sessions: [] });
    expect(existsSync(join(store, STORE_LOCK_FILE))).toBe(false);
  });
});
