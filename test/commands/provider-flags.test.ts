/** The provider flag list the build writes matches the adapters, and --help reads it without loading them. */
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.js';
import { describeAdapters, providerNames } from '../../src/cli/provider-flags.js';
import { repoRoot, runCli } from '../support/harness.js';

const list = join(repoRoot, 'dist', 'adapters', 'provider-flags.json');
const registry = join(repoRoot, 'dist', 'adapters', 'index.js');

describe('provider names', () => {
  it('are repeated or comma-separated, trimmed, in lower case, without empty or repeated names', () => {
    expect(providerNames(undefined)).toEqual([]);
    expect(providerNames([])).toEqual([]);
    expect(providerNames(['claude,'])).toEqual(['claude']);
    expect(providerNames([' Claude , codex', 'gemini', ',', '', 'codex'])).toEqual(['claude', 'codex', 'gemini']);
  });

  it('`--provider NAME,` selects NAME in every command that takes it', () => {
    const a = adapters[0]!;
    const imported = runCli(['--dry-run', '--json', '--provider', `${a.id},`]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(Object.keys(JSON.parse(imported.stdout).providers)).toEqual([a.id]);
    const doctor = runCli(['doctor', '--json', '--provider', `${a.id},`]);
    expect(doctor.stderr).toBe('');
    expect((JSON.parse(doctor.stdout) as { providers: { id: string }[] }).providers.map((p) => p.id)).toEqual([a.id]);
    expect(runCli(['list', '--provider', `${a.id},`]).code).toBe(0);
  });
});

describe('provider flags', () => {
  it('the build wrote the flags of every adapter', () => {
    expect(JSON.parse(readFileSync(list, 'utf8'))).toEqual(describeAdapters(adapters));
  });

  it('a list older than the compiled registry is not used: --help still names every flag', () => {
    const now = Date.now() / 1000;
    utimesSync(list, now - 60, now - 60);
    try {
      const { code, stdout } = runCli(['--help']);
      expect(code).toBe(0);
      for (const a of adapters) expect(stdout).toContain(`--${a.home.flag}`);
    } finally {
      utimesSync(list, now, now);
      utimesSync(registry, now - 1, now - 1);
    }
  });
});
