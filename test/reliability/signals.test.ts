/**
 * SIGINT and SIGTERM, sent for real to the built CLI held at seeded points of a corpus import
 * (while walking the homes, writing or renaming a session file, writing or renaming the state or
 * an index). One signal: the run stops at its next safe point and exits 130 / 143 with a
 * consistent checkpoint (index and state name the same sessions, each file in place) and no temp
 * file or lock left. Two signals: it exits at once, with the same code, leaving no temp file or
 * lock and no damaged file. Either way the next run converges to a clean import, byte for byte.
 * `RELIABILITY_SEED` and `RELIABILITY_ROUNDS` vary it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionLogIndexEntry } from '../../src/model/index-schema.js';
import { loadState } from '../../src/archive/state-file.js';
import { cleanupTemps } from '../support/harness.js';
import { corpusHomes, hasCorpus } from './corpus-homes.js';
import { expectSameArchive, leftovers, readArchive, runCli, sandbox, seeded, startCli } from './support.js';

afterAll(cleanupTemps);

const SEED = Number(process.env.RELIABILITY_SEED ?? 20261207);
const ROUNDS = Number(process.env.RELIABILITY_ROUNDS ?? 12);
type Phase = 'discovery' | 'session' | 'checkpoint';
const EXIT_CODE = { SIGINT: 130, SIGTERM: 143 } as const;

async function until(what: string, ok: () => boolean): Promise<void> {
  while (!ok()) await sleep(10); // bounded by the test's timeout
}

/** Index and state of a logs dir (each must parse), and whether every session they name is in place. */
async function checkpointOf(logs: string) {
  const indexPath = join(logs, 'index.json');
  const index = existsSync(indexPath)
    ? (JSON.parse(readFileSync(indexPath, 'utf8')) as { sessions: SessionLogIndexEntry[] }).sessions
    : [];
  // The state as the tool reads it: its files with the journal folded in.
  const { state, journal } = await loadState(join(logs, 'backfill_state.json'));
  const entries = await journal.allEntries();
  const stateIds = Object.keys(state.sessions).map((key) => entries.get(key)?.wrapper_session_id);
  for (const entry of [...index, ...Object.values(state.sessions)])
    expect(existsSync(join(logs, entry.log_path)), entry.log_path).toBe(true);
  return { indexIds: index.map((e) => e.wrapper_session_id).sort(), stateIds: stateIds.sort() };
}

describe.skipIf(!hasCorpus)('signals', () => {
  it(
    `SIGINT / SIGTERM, once or twice, at ${ROUNDS} seeded points of a corpus import (seed ${SEED})`,
    async () => {
      const rand = seeded(SEED);
      const sb = sandbox();
      const homes = corpusHomes(join(sb.root, 'homes'));
      const args = (logs: string, extra: string[] = []) => ['--out', logs, '--json', ...homes, ...extra];

      const clean = join(sb.root, 'clean');
      const countFile = join(sb.root, 'counts.json');
      expect((await runCli(sb, args(clean), { countFile })).code).toBe(0);
      const cleanArchive = readArchive(clean);
      const firstCounts = JSON.parse(readFileSync(countFile, 'utf8')) as Record<Phase, number>;
      // Later runs find the homes' directories recorded (once 2 s old) and stat them instead of
      // listing them: the --force points are drawn from such a run, the one with the fewest.
      await sleep(2100);
      expect((await runCli(sb, args(clean))).code).toBe(0);
      // A --force run over a full archive makes other checkpoint writes (a journal line, where a
      // first import writes the state files): its points are drawn from its own counts.
      expect((await runCli(sb, args(clean, ['--force']), { countFile })).code).toBe(0);
      const forceCounts = JSON.parse(readFileSync(countFile, 'utf8')) as Record<Phase, number>;

      let seconds = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const phase = (['session', 'checkpoint', 'discovery'] as const)[round % 3]!;
        // Every other round interrupts a first import; the others a --force run over a full archive.
        const fresh = round % 4 < 2;
        const counts = fresh ? firstCounts : forceCounts;
        const point = 1 + Math.floor(rand() * counts[phase]);
        const signal = rand() < 0.5 ? 'SIGINT' : 'SIGTERM';
        const twice = round % 2 === 1;
        if (fresh) rmSync(sb.logs, { recursive: true, force: true });
        const where = `round ${round}: ${signal}${twice ? ' twice' : ''} at ${phase} #${point} of ${counts[phase]}${fresh ? ', first import' : ', --force'}`;

        // Held at the point, it gets the signal; with `twice`, it is held again at the next write or
        // rename of an index or the state (as it stops), and gets the second one there.
        const held = join(sb.root, `held-${round}`);
        const faults = twice ? `${phase}:${point}:pause,checkpoint:1:pause` : `${phase}:${point}:pause`;
        const run = startCli(sb, args(sb.logs, fresh ? [] : ['--force']), { fault: faults, faultSignal: held });
        let ended = false;
        void run.done.then(() => (ended = true));
        await until('the run to reach its point', () => existsSync(held));
        process.kill(run.pid, signal);
        rmSync(held);
        let second = false;
        if (twice) {
          await until('the run to stop or to be held again', () => ended || existsSync(held));
          if (existsSync(held)) {
            process.kill(run.pid, signal);
            rmSync(held);
            second = true;
          }
        }
        const stopped = await run.done;
        expect(stopped.code, `${where}: ${stopped.stderr}`).toBe(EXIT_CODE[signal]);
        if (second) expect(stopped.stdout, `${where}: the second signal ends it at once, without a summary`).toBe('');
        expect(leftovers(sb.logs), where).toEqual([]);
        seconds += second ? 1 : 0;
        const now = readArchive(sb.logs);
        for (const [name, text] of now.files)
          expect(text, `${where}: ${name} is whole`).toBe(cleanArchive.files.get(name));
        const { indexIds, stateIds } = await checkpointOf(sb.logs);
        if (!twice) {
          expect(indexIds, `${where}: index and state agree`).toEqual(stateIds);
          expect(JSON.parse(stopped.stdout).exit_code, where).toBe(EXIT_CODE[signal]);
        }

        const next = await runCli(sb, args(sb.logs));
        expect(next.code, `${where}, next run: ${next.stderr}`).toBe(0);
        expectSameArchive(readArchive(sb.logs), cleanArchive, `${where}, next run`);
        expect(leftovers(sb.logs), where).toEqual([]);
      }
      if (ROUNDS >= 4) expect(seconds, 'runs that got a second signal').toBeGreaterThan(0);
    },
    20_000 * ROUNDS,
  );

  it('a SIGTERM while the local index is built after the import still ends the run with 143', async () => {
    const sb = sandbox();
    const homes = corpusHomes(join(sb.root, 'homes'));
    const args = ['--out', sb.logs, '--json', ...homes];
    const clean = join(sb.root, 'clean');
    expect((await runCli(sb, ['--out', clean, '--json', ...homes])).code).toBe(0);
    // Held as the build from nothing reads its second session file: the import itself is over.
    const held = join(sb.root, 'held');
    const run = startCli(sb, args, { fault: 'index:2:pause', faultSignal: held });
    await until('the build to reach its point', () => existsSync(held));
    process.kill(run.pid, 'SIGTERM');
    rmSync(held);
    const stopped = await run.done;
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(JSON.parse(stopped.stdout).exit_code).toBe(143);
    expect(leftovers(sb.logs)).toEqual([]);
    const next = await runCli(sb, args);
    expect(next.code, next.stderr).toBe(0);
    expectSameArchive(readArchive(sb.logs), readArchive(clean), 'next run');
  }, 60_000);
});
