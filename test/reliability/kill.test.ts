/**
 * Killed runs: the built CLI imports a generated home of every provider and is SIGKILLed at 20
 * seeded points (while walking the homes, in the middle of a session file write or rename, in the
 * middle of a checkpoint write or rename), the home changing between rounds. After every kill the
 * next plain run must leave an archive byte-identical to a clean import of the same home, with no
 * temp file and no lock left. `RELIABILITY_SEED` and `RELIABILITY_ROUNDS` vary it (`npm run soak`).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps } from '../support/harness.js';
import { homeOf, specOf } from './kits.js';
import {
  activeKits,
  expectSameArchive,
  importArgs,
  leftovers,
  readArchive,
  runCli,
  sandbox,
  seeded,
  writeFiles,
} from './support.js';

afterAll(cleanupTemps);

const SEED = Number(process.env.RELIABILITY_SEED ?? 20261121);
const ROUNDS = Number(process.env.RELIABILITY_ROUNDS ?? 20);
type Phase = 'discovery' | 'session' | 'checkpoint';

describe('killed imports', () => {
  it(
    `recover from SIGKILL at ${ROUNDS} seeded points (seed ${SEED}): archive equals a clean run, nothing left behind`,
    async () => {
      const rand = seeded(SEED);
      const kits = activeKits();
      const sb = sandbox();
      const sessionsPerKit = 6;
      for (const kit of kits) writeFiles(sb.homeOf(kit), homeOf(kit, sessionsPerKit, 0));

      // How many operations of each phase a full run makes, to draw the points from.
      const countFile = join(sb.root, 'counts.json');
      const counting = await runCli(sb, importArgs(sb, kits, [], join(sb.root, 'count-logs')), { countFile });
      expect(counting.code, counting.stderr).toBe(0);
      const counts = JSON.parse(readFileSync(countFile, 'utf8')) as Record<Phase, number>;
      for (const phase of ['discovery', 'session', 'checkpoint'] as const)
        expect(counts[phase], phase).toBeGreaterThan(0);

      // The first kill after each change of the home is in a checkpoint: where a state saved ahead of
      // its indexes, or a lost dirty flag, would show.
      const phases: Phase[] = Array.from(
        { length: ROUNDS },
        (_, i) => (['checkpoint', 'session', 'discovery', 'session'] as const)[i % 4]!,
      );
      let kills = 0;
      let staleLocks = 0;
      let added = 0;
      let clean = '';
      let cleanRun: ReturnType<typeof runCli> = Promise.reject(new Error('no clean run yet'));
      cleanRun.catch(() => undefined);
      for (let round = 0; round < ROUNDS; round++) {
        // Every few rounds the home changes: sessions grow, a new one appears; a clean import of the
        // new home (into a logs dir of its own, alongside) is what the archive must equal.
        if (round % 4 === 0) {
          for (const kit of kits) {
            const spec = specOf(Math.floor(rand() * sessionsPerKit), 0);
            const ts = new Date(Date.UTC(2026, 3, 1, round)).toISOString();
            appendFileSync(
              join(sb.homeOf(kit), kit.mainFile(spec)),
              kit.userLine(spec, `more in round ${round}`, ts, round),
            );
          }
          const kit = kits[Math.floor(rand() * kits.length)]!;
          writeFiles(sb.homeOf(kit), kit.session(specOf(100 + added++, 2)));
          clean = join(sb.root, `clean-${round}`);
          cleanRun = runCli(sb, importArgs(sb, kits, [], clean));
        }

        const phase = phases[round]!;
        const point = 1 + Math.floor(rand() * counts[phase]);
        const killed = await runCli(sb, importArgs(sb, kits, ['--force']), { fault: `${phase}:${point}:kill` });
        const where = `round ${round}: ${phase} #${point} of ${counts[phase]}`;
        if (killed.signal === 'SIGKILL') {
          kills++;
          if (existsSync(join(sb.logs, '.import.lock'))) staleLocks++;
        } else {
          expect(killed.code, `${where}: ${killed.stderr}`).toBe(0); // the run ended before that point
        }

        const rerun = await runCli(sb, importArgs(sb, kits));
        expect(rerun.code, `${where}: ${rerun.stderr}`).toBe(0);
        expect((await cleanRun).code).toBe(0);
        expectSameArchive(readArchive(sb.logs), readArchive(clean), where);
        expect(leftovers(sb.logs), where).toEqual([]);
      }
      expect(kills).toBeGreaterThanOrEqual(Math.ceil(ROUNDS * 0.75));
      if (ROUNDS >= 4) expect(staleLocks).toBeGreaterThan(0); // a killed run's lock was taken over
    },
    10_000 * ROUNDS,
  );
});
