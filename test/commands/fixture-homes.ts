/** Provider homes from the committed fixtures, for running the commands as a user would. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adapters } from '../../adapters/index.js';
import type { Adapter } from '../../adapters/types.js';
import { listCases, type FixtureCase } from '../../src/check/fixtures.js';
import { repoRoot } from '../support/harness.js';

export const fixtureCases = await listCases(join(repoRoot, 'fixtures'), adapters);

interface Report {
  errors: unknown[];
}

function expected(c: FixtureCase): { sessions: number; errors: number } {
  const index = JSON.parse(readFileSync(join(c.dir, 'expected', 'index.json'), 'utf8')) as { sessions: unknown[] };
  const report = JSON.parse(readFileSync(join(c.dir, 'expected', 'report.json'), 'utf8')) as Report;
  return { sessions: index.sessions.length, errors: report.errors.length };
}

/** Per provider, its first case that imports cleanly: input dir and how many sessions it gives. */
export function cleanHomes(): { adapter: Adapter; input: string; sessions: number }[] {
  const out: { adapter: Adapter; input: string; sessions: number }[] = [];
  for (const adapter of adapters) {
    const c = fixtureCases.find((k) => k.adapter === adapter && expected(k).errors === 0 && expected(k).sessions > 0);
    if (c) out.push({ adapter, input: join(c.dir, 'input'), sessions: expected(c).sessions });
  }
  return out;
}

/** A case whose conversion reports a failed source, if the fixtures have one. */
export function failingCase(): FixtureCase | undefined {
  return fixtureCases.find((c) => expected(c).errors > 0);
}

/** `--<provider>-home DIR` flags for the given homes. */
export function homeFlags(homes: readonly { adapter: Adapter; input: string }[]): string[] {
  return homes.flatMap(({ adapter, input }) => [`--${adapter.home.flag}`, input]);
}
