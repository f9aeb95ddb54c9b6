/**
 * Real races, repeated: two imports of one logs dir started at the same instant, as two cron jobs
 * would. Each exits 0 or 75, at least one imports, and the archive always equals a clean import.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps } from '../support/harness.js';
import { homeOf, specOf } from '../reliability/kits.js';
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
} from '../reliability/support.js';

afterAll(cleanupTemps);

const SEED = Number(process.env.RELIABILITY_SEED ?? 1);
const ROUNDS = Math.max(1, Math.floor(Number(process.env.RELIABILITY_ROUNDS ?? 200) / 4));

describe('racing imports', () => {
  it(`${ROUNDS} rounds of two imports started together (seed ${SEED})`, async () => {
    const rand = seeded(SEED);
    const kits = activeKits();
    const sb = sandbox();
    for (const kit of kits) writeFiles(sb.homeOf(kit), homeOf(kit, 6, 0));
    for (let round = 0; round < ROUNDS; round++) {
      const kit = kits[Math.floor(rand() * kits.length)]!;
      const spec = specOf(Math.floor(rand() * 6), 0);
      appendFileSync(
        join(sb.homeOf(kit), kit.mainFile(spec)),
        kit.userLine(spec, `round ${round}`, new Date(Date.UTC(2026, 4, 1, 0, round)).toISOString(), round),
      );
      const [a, b] = await Promise.all([runCli(sb, importArgs(sb, kits)), runCli(sb, importArgs(sb, kits))]);
      const codes = [a.code, b.code].sort();
      expect(
        [
          [0, 0],
          [0, 75],
        ],
        `round ${round}: ${a.stderr}${b.stderr}`,
      ).toContainEqual(codes);
      const clean = join(sb.root, `clean-${round}`);
      expect((await runCli(sb, importArgs(sb, kits, [], clean))).code).toBe(0);
      expectSameArchive(readArchive(sb.logs), readArchive(clean), `round ${round}`);
      expect(leftovers(sb.logs)).toEqual([]);
    }
  });
});
