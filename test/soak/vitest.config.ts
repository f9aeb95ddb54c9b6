// `npm run soak`: the long versions of the reliability suites, outside `npm test`.
// RELIABILITY_SEED (default: a new one each run, printed in the test name) and RELIABILITY_ROUNDS
// (default 200) repeat or lengthen a run.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    testTimeout: 3_600_000,
    pool: 'forks',
    env: {
      RELIABILITY_SEED: process.env.RELIABILITY_SEED ?? String(Date.now() % 1_000_000_007),
      RELIABILITY_ROUNDS: process.env.RELIABILITY_ROUNDS ?? '200',
    },
  },
});
