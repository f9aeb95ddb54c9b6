/** Every committed fixture case converts to exactly its committed expected output. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { adapters } from '../../adapters/index.js';
import { convertCase, listCases, readExpected } from '../../src/check/fixtures.js';
import { repoRoot, silentLog } from '../support/harness.js';

const cases = await listCases(join(repoRoot, 'fixtures'), adapters);

describe.skipIf(cases.length === 0)('fixtures', () => {
  it.each(cases.map((c) => [`${c.adapter.id}/${c.name}`, c] as const))('%s matches expected/', async (_label, c) => {
    const actual = await convertCase(c, silentLog);
    const expected = await readExpected(c);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [path, text] of actual) expect(text, path).toBe(expected.get(path));
  });
});
