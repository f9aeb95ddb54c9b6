/** The provider flag list the build writes matches the adapters, and --help reads it without loading them. */
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.js';
import { describeAdapters } from '../../src/cli/provider-flags.js';
import { repoRoot, runCli } from '../support/harness.js';

const list = join(repoRoot, 'dist', 'adapters', 'provider-flags.json');
const registry = join(repoRoot, 'dist', 'adapters', 'index.js');

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
