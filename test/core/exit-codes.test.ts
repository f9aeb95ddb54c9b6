/** Exit codes are decided in one table (src/errors.ts), the one README documents. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { repoRoot } from '../support/harness.js';

/** The codes of README's "Exit codes" table, in its order. */
function readmeCodes(): number[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Exit codes\n'));
  return [...(section ?? '').matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
}

describe('exit codes', () => {
  it("are README's table, row for row", () => {
    expect(readmeCodes()).toEqual(Object.values(EXIT));
  });

  it('are never chosen as a number outside src/errors.ts', () => {
    const numeric = /process\.exit\(\s*\d|exitCode\s*=\s*\d|exit_code:\s*\d/;
    const found = readdirSync(join(repoRoot, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && f !== 'errors.ts')
      .flatMap((f) =>
        readFileSync(join(repoRoot, 'src', f), 'utf8')
          .split('\n')
          .filter((line) => numeric.test(line))
          .map((line) => `${f}: ${line.trim()}`),
      );
    expect(found).toEqual([]);
  });
});
