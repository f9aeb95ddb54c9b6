/**
 * Killed merges: the home's sessions are cut short and grow again between rounds, so that every
 * forced run merges archived events the sources lost; the built CLI is SIGKILLed at seeded points
 * of those runs. After every kill the next plain run must leave an archive byte-identical to one
 * that went through the same source states without a kill, with no temp file and no lock left.
 */
import { appendFileSync, readFileSync } from 'node:fs';
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

const SEED = Number(process.env.RELIABILITY_SEED ?? 20261207);
const ROUNDS = Number(process.env.RELIABILITY_ROUNDS ?? 8);
type Phase = 'discovery' | 'session' | 'checkpoint';

describe('killed merging imports', () => {
  it(
    `recover from SIGKILL at ${ROUNDS} seeded points while merging (seed ${SEED}): archive equals an unkilled one`,
    async () => {
      const rand = seeded(SEED);
      const kits = activeKits();
      const sb = sandbox();
      const sessionsPerKit = 4;
      for (const kit of kits)
        writeFiles(
          sb.homeOf(kit),
          homeOf(kit, sessionsPerKit, 0, () => 4),
        );
      // The archive that sees every state of the home once, never killed.
      const reference = join(sb.root, 'reference');
      const countFile = join(sb.root, 'counts.json');
      const counting = await runCli(sb, importArgs(sb, kits, [], reference), { countFile });
      expect(counting.code, counting.stderr).toBe(0);
      const counts = JSON.parse(readFileSync(countFile, 'utf8')) as Record<Phase, number>;
      expect((await runCli(sb, importArgs(sb, kits))).code).toBe(0);

      const phases: Phase[] = Array.from(
        { length: ROUNDS },
        (_, i) => (['session', 'checkpoint', 'session', 'discovery'] as const)[i % 4]!,
      );
      let kills = 0;
      let retained = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // Each round: one session per provider cut to one turn (what it loses is kept), another grown.
        for (const kit of kits) {
          const cut = specOf(Math.floor(rand() * sessionsPerKit), 0);
          writeFiles(sb.homeOf(kit), kit.session({ ...cut, turns: 1 }));
          const grown = specOf(Math.floor(rand() * sessionsPerKit), 0);
          const ts = new Date(Date.UTC(2026, 3, 1, round)).toISOString();
          appendFileSync(
            join(sb.homeOf(kit), kit.mainFile(grown)),
            kit.userLine(grown, `more in round ${round}`, ts, round),
          );
        }
        const ref = await runCli(sb, importArgs(sb, kits, [], reference));
        expect(ref.code, ref.stderr).toBe(0);
        retained += (JSON.parse(ref.stdout) as { retained: unknown[] }).retained.length;

        const phase = phases[round]!;
        const point = 1 + Math.floor(rand() * counts[phase]);
        const killed = await runCli(sb, importArgs(sb, kits, ['--force']), { fault: `${phase}:${point}:kill` });
        const where = `round ${round}: ${phase} #${point} of ${counts[phase]}`;
        if (killed.signal === 'SIGKILL') kills++;
        else expect(killed.code, `${where}: ${killed.stderr}`).toBe(0);

        const rerun = await runCli(sb, importArgs(sb, kits));
        expect(rerun.code, `${where}: ${rerun.stderr}`).toBe(0);
        expectSameArchive(readArchive(sb.logs), readArchive(reference), where);
        expect(leftovers(sb.logs), where).toEqual([]);
      }
      expect(retained).toBeGreaterThan(0);
      expect(kills).toBeGreaterThanOrEqual(Math.ceil(ROUNDS / 2));
    },
    20_000 * ROUNDS,
  );
});
