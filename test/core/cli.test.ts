/** The built CLI as users and cron run it: output, exit codes, dry run, check. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.js';
import pino from 'pino';
import { listCases } from '../../src/check/fixtures.js';
import { LOG_LEVELS } from '../../src/log.js';
import { cleanupTemps, cliPath, repoRoot, runCli, tempDir } from '../support/harness.js';
import { cleanHomes, homeFlags } from '../commands/fixture-homes.js';

afterAll(cleanupTemps);

const run = runCli;

describe('import-logs', () => {
  it('on a machine with no agent history prints "No sessions found" and exits 0', () => {
    const { code, stdout, home } = run([]);
    expect(code).toBe(0);
    expect(stdout).toContain('No sessions found');
    expect(existsSync(join(home, 'store', 'logs', 'sessions'))).toBe(true);
  });

  it('--json prints a machine summary', () => {
    const { code, stdout } = run(['--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ exit_code: 0, bytes_read: 0, errors: [], dry_run: false });
    expect(Object.keys(summary.providers).sort()).toEqual(adapters.map((a) => a.id).sort());
  });

  it('exits 2 on a usage error, saying what was wrong', () => {
    const unknown = run(['--provider', 'nosuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown provider nosuch');
    const since = run(['--since', 'last tuesday']);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since last tuesday');
    expect(run(['--no-such-flag']).code).toBe(2);
  });

  it('exits 2 on a LOG_LEVEL that is not a log level, naming it and the levels, before converting anything', () => {
    const home = cleanHomes()[0]!;
    const out = join(tempDir('logs-'), 'logs');
    const args = ['--out', out, '--provider', home.adapter.id, ...homeFlags([home])];
    for (const extra of [[], ['--quiet']]) {
      const { code, stdout, stderr } = run([...args, ...extra], { LOG_LEVEL: 'warning' });
      expect(code).toBe(2);
      expect(stderr).toContain('LOG_LEVEL=warning');
      expect(stderr).toContain(LOG_LEVELS.join(', '));
      expect(stderr).not.toContain('internal error');
      expect(stdout).toBe('');
    }
    expect(existsSync(out)).toBe(false);
    const check = run(['check', '--fixtures', join(repoRoot, 'fixtures'), '--provider', home.adapter.id], { LOG_LEVEL: 'warning' });
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('LOG_LEVEL=warning');
    const valid = run(args, { LOG_LEVEL: 'info' });
    expect(valid.stderr).not.toContain('LOG_LEVEL');
    expect(valid.code).toBe(0);
  });

  it('knows the log levels pino knows', () => {
    expect([...LOG_LEVELS].sort()).toEqual([...Object.keys(pino.levels.values), 'silent'].sort());
  });

  it('exits 3 when the state file is unusable, and names it', () => {
    const home = tempDir('home-');
    const logs = join(home, 'store', 'logs');
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, 'backfill_state.json'), 'not json');
    const { code, stderr } = run([], { HOME: home });
    expect(code).toBe(3);
    expect(stderr).toContain(join(logs, 'backfill_state.json'));
    expect(readFileSync(join(logs, 'backfill_state.json'), 'utf8')).toBe('not json');
  });

  it('--dry-run writes nothing', () => {
    const { code, stdout, home } = run(['--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toContain('dry run');
    expect(existsSync(join(home, 'store'))).toBe(false);
  });

  it('--help loads no zod (the model\'s lists it shows come from zod-free modules)', () => {
    // A resolve hook that reports every module of zod the CLI reaches.
    const hook = `export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes('/node_modules/zod/')) process.stderr.write('zod loaded\\n'); return r; }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const withHook = (args: string[]) =>
      spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, cliPath, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: tempDir('home-') } });
    for (const args of [['--help'], ['list', '--help'], ['schema', '--help']]) {
      const r = withHook(args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr, args.join(' ')).not.toContain('zod loaded');
    }
    expect(withHook(['schema']).stderr).toContain('zod loaded');
  });

  it('--help answers', () => {
    const { code, stdout } = run(['--help']);
    expect(code).toBe(0);
    for (const a of adapters) expect(stdout).toContain(`--${a.home.flag}`);
  });
});

const cases = await listCases(join(repoRoot, 'fixtures'), adapters);

describe.skipIf(cases.length === 0)('import-logs check', () => {
  it('exits 0 on the committed fixtures', () => {
    const { code, stdout } = run(['check', '--fixtures', join(repoRoot, 'fixtures')]);
    expect(stdout).toContain(`${cases.length} passed, 0 failed`);
    expect(code).toBe(0);
  });

  it('exits 1 with a unified diff when an expected file was edited', () => {
    const copy = tempDir('fixtures-');
    cpSync(join(repoRoot, 'fixtures'), copy, { recursive: true });
    const c = cases[0]!;
    const sessionsDir = join(copy, c.adapter.id, c.name, 'expected', 'sessions');
    const target = existsSync(sessionsDir) && readdirSync(sessionsDir).length > 0 ? join(sessionsDir, readdirSync(sessionsDir)[0]!) : join(copy, c.adapter.id, c.name, 'expected', 'index.json');
    writeFileSync(target, readFileSync(target, 'utf8').replace(/"seq":2,/, '"seq":20,').replace(/"backfilled": true/, '"backfilled": false'));
    const { code, stdout } = run(['check', '--fixtures', copy, '--provider', c.adapter.id]);
    expect(code).toBe(1);
    expect(stdout).toContain(`FAILED  ${c.adapter.id}/${c.name}`);
    expect(stdout).toMatch(/^@@ /m);
    expect(stdout).toMatch(/^[-+]/m);
  });
});
