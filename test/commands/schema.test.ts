/** The committed JSON Schemas in schema/ are what the zod schemas generate; the CLI prints each. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JSON_SCHEMAS, jsonSchemaText } from '../../src/model/json-schemas.js';
import { SCHEMA_NAMES } from '../../src/model/names.js';
import { cleanupTemps, repoRoot, runCli } from '../support/harness.js';

afterAll(cleanupTemps);

describe('schema/', () => {
  it.each(SCHEMA_NAMES)('schema/%s is up to date (else: npm run build && npm run schema)', (name) => {
    expect(readFileSync(join(repoRoot, 'schema', JSON_SCHEMAS[name].file), 'utf8')).toBe(jsonSchemaText(name));
  });

  it('holds nothing else', () => {
    expect(readdirSync(join(repoRoot, 'schema')).sort()).toEqual(SCHEMA_NAMES.map((n) => JSON_SCHEMAS[n].file).sort());
  });
});

describe('import-logs schema', () => {
  it('prints the event line schema by default', () => {
    const { code, stdout } = runCli(['schema']);
    expect(code).toBe(0);
    expect(stdout).toBe(jsonSchemaText('event-line'));
    expect(JSON.parse(stdout)).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      oneOf: expect.any(Array),
    });
  });

  it.each(SCHEMA_NAMES)('prints %s', (name) => {
    const { code, stdout } = runCli(['schema', name]);
    expect(code).toBe(0);
    expect(stdout).toBe(jsonSchemaText(name));
  });

  it("offers exactly the model's schema names (the CLI keeps a copy so that --help does not load zod)", () => {
    const choices = /\[choices: ([^\]]*)\]/.exec(runCli(['schema', '--help']).stdout)?.[1];
    expect(choices?.split(', ').map((c) => JSON.parse(c) as string)).toEqual(SCHEMA_NAMES);
  });

  it('refuses an unknown name with exit 2', () => {
    expect(runCli(['schema', 'nosuch']).code).toBe(2);
  });
});
