/**
 * Overlapping imports, driven through the built CLI with a run held still at a chosen point (the
 * fault preload's `pause`): a second import of the same logs dir exits 75 naming the holder, or
 * waits with `--wait`; imports of different logs dirs sharing a store lose no index update.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps } from '../support/harness.js';
import { homeOf } from './kits.js';
import {
  firstKit,
  homeArgs,
  importArgs,
  leftovers,
  readArchive,
  runCli,
  sandbox,
  startCli,
  writeFiles,
  type Sandbox,
} from './support.js';

afterAll(cleanupTemps);

const kit = firstKit();

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Starts an import held at `point` until `release()` is called. */
async function heldImport(sb: Sandbox, point: string, args: string[]) {
  const signal = join(sb.root, `held-${point.replace(/:/g, '-')}`);
  const run = startCli(sb, args, { fault: `${point}:pause`, faultSignal: signal });
  await until('the held import', () => existsSync(signal));
  return { ...run, release: () => rmSync(signal) };
}

describe('two imports of one logs dir', () => {
  it('the second exits 75 naming the holder; the first finishes untouched', async () => {
    const sb = sandbox();
    writeFiles(sb.homeOf(kit), homeOf(kit, 5, 0));
    const first = await heldImport(sb, 'discovery:1', importArgs(sb, [kit]));
    const second = await runCli(sb, importArgs(sb, [kit]));
    expect(second.code).toBe(75);
    expect(second.stderr).toContain(`another import holds the lock ${join(sb.logs, '.import.lock')} (pid ${first.pid}`);
    // --json: a monitor still gets its summary, saying 75 and why.
    expect(JSON.parse(second.stdout)).toMatchObject({
      exit_code: 75,
      logs_dir: sb.logs,
      providers: {},
      message: expect.stringContaining('another import holds the lock'),
    });
    // --quiet (cron): not a failure, so not a word either, or cron mails it.
    const quiet = await runCli(sb, ['--out', sb.logs, ...homeArgs(sb, [kit]), '--quiet']);
    expect(quiet).toMatchObject({ code: 75, stdout: '', stderr: '' });
    first.release();
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect(readArchive(sb.logs).files.size).toBe(5);
    expect(leftovers(sb.logs)).toEqual([]);
  });

  it('with --wait, the second waits for the first, then finds everything imported', async () => {
    const sb = sandbox();
    writeFiles(sb.homeOf(kit), homeOf(kit, 5, 0));
    const first = await heldImport(sb, 'session:1', importArgs(sb, [kit]));
    const second = startCli(sb, importArgs(sb, [kit], ['--wait', '30']));
    const early = await Promise.race([second.done, sleep(700).then(() => 'waiting')]);
    expect(early).toBe('waiting');
    first.release();
    expect((await first.done).code).toBe(0);
    const waited = await second.done;
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout).providers[kit.id]).toMatchObject({
      unchanged_sessions: 5,
      new_sessions: 0,
      pending_units: 0,
    });
    expect(leftovers(sb.logs)).toEqual([]);
  });

  it('--wait gives up with 75 when the holder does not finish in time', async () => {
    const sb = sandbox();
    writeFiles(sb.homeOf(kit), homeOf(kit, 1, 0));
    const first = await heldImport(sb, 'discovery:1', importArgs(sb, [kit]));
    const started = Date.now();
    const second = await runCli(sb, importArgs(sb, [kit], ['--wait', '0.5']));
    expect(second.code).toBe(75);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    first.release();
    expect((await first.done).code).toBe(0);
  });
});

describe('lock leftovers', () => {
  it("temp files of a run killed while taking the lock are removed; a live taker's are not", async () => {
    const sb = sandbox();
    writeFiles(sb.homeOf(kit), homeOf(kit, 1, 0));
    const gone = spawnSync(process.execPath, ['-e', '']).pid; // a pid that has exited
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const live = alive.pid!;
      writeFiles(sb.logs, {
        [`.import.lock.${gone}`]: '{}',
        [`.import.lock.stale-${gone}`]: '{}',
        [`.import.lock.${live}`]: '{}',
      });
      const run = await runCli(sb, importArgs(sb, [kit]));
      expect(run.code, run.stderr).toBe(0);
      expect(readdirSync(sb.logs).filter((n) => n.startsWith('.import.lock'))).toEqual([`.import.lock.${live}`]);
    } finally {
      alive.kill('SIGKILL');
    }
  });
});

describe('a lock left by a run on another host', () => {
  it('not refreshed for an hour: taken over, the import runs (before, it exited 75 forever)', async () => {
    const sb = sandbox();
    writeFiles(sb.homeOf(kit), homeOf(kit, 2, 0));
    const lock = join(sb.logs, '.import.lock');
    const hourAgo = new Date(Date.now() - 3_600_000);
    writeFiles(sb.logs, {
      '.import.lock': JSON.stringify({ pid: 4242, host: `not-${hostname()}`, started_at: hourAgo.toISOString() }),
    });
    utimesSync(lock, hourAgo, hourAgo);
    const run = await runCli(sb, importArgs(sb, [kit]));
    expect(run.code, run.stderr).toBe(0);
    expect(readArchive(sb.logs).files.size).toBe(2);
    expect(leftovers(sb.logs)).toEqual([]);
  });
});

describe('imports of two logs dirs sharing a store', () => {
  it("never lose each other's entries in sessions_index.json", async () => {
    const sb = sandbox();
    const store = join(sb.root, 'store');
    const homeA = join(sb.root, 'home-a');
    const homeB = join(sb.root, 'home-b');
    writeFiles(homeA, homeOf(kit, 3, 0));
    writeFiles(homeB, homeOf(kit, 4, 10));
    const logsA = join(sb.root, 'logs-a');
    const logsB = join(sb.root, 'logs-b');
    const args = (home: string, logs: string) => ['--out', logs, '--store', store, '--json', `--${kit.flag}`, home];
    // A is held in the middle of writing the store index (it has read it already); B then runs.
    const a = await heldImport(sb, 'checkpoint:3', args(homeA, logsA));
    const b = startCli(sb, args(homeB, logsB));
    await until('B to reach the store index', () => existsSync(join(logsB, 'index.json')));
    await sleep(300);
    a.release();
    expect((await a.done).code).toBe(0);
    expect((await b.done).code).toBe(0);
    const global = JSON.parse(readFileSync(join(store, 'sessions_index.json'), 'utf8')) as {
      sessions: { log_path: string }[];
    };
    const inA = global.sessions.filter((e) => e.log_path.startsWith(`${logsA}/`)).length;
    const inB = global.sessions.filter((e) => e.log_path.startsWith(`${logsB}/`)).length;
    expect({ inA, inB }).toEqual({ inA: 3, inB: 4 });
    expect(leftovers(store)).toEqual([]);
  });
});
