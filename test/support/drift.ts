/** Helper of the drift tests: the record-type table of an adapter README. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Handling } from '../../src/session/records.js';
import { repoRoot } from './harness.js';

/**
 * The "Record types" table of `adapters/<provider>/README.md` (columns: record | type | handling):
 * for each record kind, each backquoted type name of the second column with its handling text.
 */
function readmeRecordTypes(provider: string): Map<string, Map<string, string>> {
  const text = readFileSync(join(repoRoot, 'adapters', provider, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('## Record types'));
  const table = new Map<string, Map<string, string>>();
  for (const row of section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| record ') && !l.startsWith('|---'))) {
    const [kind, names, handling] = row.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim());
    if (!table.has(kind!)) table.set(kind!, new Map());
    for (const m of names!.matchAll(/`([^`]+)`/g)) table.get(kind!)!.set(m[1]!, handling!);
  }
  return table;
}

/**
 * The README's table lists exactly the types of the adapter's table for that record kind, the
 * ignored ones as `ignored: <the reason in the code>`.
 */
export function expectReadmeTable(provider: string, kind: string, table: Readonly<Record<string, Handling>>): void {
  const readme = readmeRecordTypes(provider).get(kind);
  expect(readme, kind).toBeDefined();
  expect([...readme!.keys()].sort()).toEqual(Object.keys(table).sort());
  for (const [name, handling] of Object.entries(table)) {
    const text = readme!.get(name)!;
    expect(text.startsWith('ignored:'), name).toBe(typeof handling === 'object');
    if (typeof handling === 'object') expect(text, name).toContain(handling.ignored);
  }
}
