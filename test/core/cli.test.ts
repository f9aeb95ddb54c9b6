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
    const check = run(['check', '--fixtures', join(repoRoot, 'fixtures'), '--provider', home.adapter.id], {
      LOG_LEVEL: 'warning',
    });
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('LOG_LEVEL=warning');
    const valid = run(args, { LOG_LEVEL: 'info' });
    expect(valid.stderr).not.toContain('LOG_LEVEL');
    expect(valid.code).toBe(0);
  });

  it('knows the log levels pino knows', () => {
    expect([...LOG_LEVELS].sort()).toEqual([...Object.keys(pino.levels.values), 'silent'].sort());
    // In pino's order, lowest first: a logger compares levels by their place in the list.
    const numbered = LOG_LEVELS.filter((l) => l !== 'silent').map((l) => pino.levels.values[l]!);
    expect(numbered).toEqual([...numbered].sort((a, b) => a - b));
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

  /**
   * Runs the CLI saying `<package> loaded` for each of `packages` it reaches: imported (a resolve
   * hook) or required (in the require cache at exit).
   */
  const withHook = (packages: readonly string[], args: string[]) => {
    const list = JSON.stringify(packages);
    const hook = `export async function resolve(s, c, next) { const r = await next(s, c); for (const p of ${list}) if (r.url.includes('/node_modules/' + p + '/')) process.stderr.write(p + ' loaded\\n'); return r; }`;
    const register = [
      `import { createRequire, register } from 'node:module';`,
      `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`,
      `const cache = createRequire('/').cache;`,
      `process.on('exit', () => { for (const p of ${list}) if (Object.keys(cache).some((k) => k.includes('/node_modules/' + p + '/'))) process.stderr.write(p + ' loaded\\n'); });`,
    ].join('\n');
    return spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(register)}`, cliPath, ...args],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: tempDir('home-') },
      },
    );
  };

  it("--help loads no zod (the model's lists it shows come from zod-free modules)", () => {
    for (const args of [['--help'], ['list', '--help'], ['schema', '--help']]) {
      const r = withHook(['zod'], args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr, args.join(' ')).not.toContain('zod loaded');
    }
    expect(withHook(['zod'], ['schema']).stderr).toContain('zod loaded');
  });

  it('a re-run that finds nothing to convert loads neither zod, pino nor fast-glob', () => {
    const homes = cleanHomes();
    const args = ['--out', join(tempDir('logs-'), 'logs'), '--no-index', ...homeFlags(homes)];
    const watched = ['zod', 'pino', 'fast-glob'];
    const first = withHook(watched, args);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('zod loaded');
    for (const extra of [[], ['--verbose']]) {
      const again = withHook(watched, [...args, ...extra]);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stderr).not.toContain('zod loaded');
      expect(again.stderr).not.toContain('fast-glob loaded');
      // --verbose says why each source is skipped: pino then loads to say it.
      expect(again.stderr.includes('pino loaded'), extra.join(' ')).toBe(extra.length > 0);
    }
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
    const target =
      existsSync(sessionsDir) && readdirSync(sessionsDir).length > 0
        ? join(sessionsDir, readdirSync(sessionsDir)[0]!)
        : join(copy, c.adapter.id, c.name, 'expected', 'index.json');
    writeFileSync(
      target,
      readFileSync(target, 'utf8')
        .replace(/"seq":2,/, '"seq":20,')
        .replace(/"backfilled": true/, '"backfilled": false'),
    );
    const { code, stdout } = run(['check', '--fixtures', copy, '--provider', c.adapter.id]);
    expect(code).toBe(1);
    expect(stdout).toContain(`FAILED  ${c.adapter.id}/${c.name}`);
    expect(stdout).toMatch(/^@@ /m);
    expect(stdout).toMatch(/^[-+]/m);
    // --update writes the converted output back: the case passes again, with the file as committed.
    const update = run(['check', '--fixtures', copy, '--provider', c.adapter.id, '--update']);
    expect(update.code).toBe(0);
    const committed = target.replace(copy, join(repoRoot, 'fixtures'));
    expect(readFileSync(target, 'utf8')).toBe(readFileSync(committed, 'utf8'));
    expect(run(['check', '--fixtures', copy, '--provider', c.adapter.id]).code).toBe(0);
  });
});

describe('where import-logs looks and writes', () => {
  const fixtureHome = (provider: string, name: string) => join(repoRoot, 'fixtures', provider, name, 'input');
  const summaryOf = (stdout: string) =>
    JSON.parse(stdout) as {
      logs_dir: string;
      store: string;
      providers: Record<string, { homes: { path: string; via: string; found: boolean }[]; new_sessions: number }>;
    };

  it('finds Codex and Copilot homes through CODEX_HOME, COPILOT_HOME and XDG_CONFIG_HOME', () => {
    const xdg = tempDir('xdg-');
    cpSync(fixtureHome('copilot', 'dir-sidecars'), join(xdg, '.copilot'), { recursive: true });
    const { code, stdout } = run(['--json', '--provider', 'codex,copilot'], {
      CODEX_HOME: fixtureHome('codex', 'g2-envelope'),
      COPILOT_HOME: fixtureHome('copilot', 'flat-jsonl'),
      XDG_CONFIG_HOME: xdg,
    });
    expect(code).toBe(0);
    const { providers } = summaryOf(stdout);
    expect(providers.codex!.homes).toContainEqual({
      path: fixtureHome('codex', 'g2-envelope'),
      via: 'CODEX_HOME',
      found: true,
    });
    expect(providers.codex!.new_sessions).toBeGreaterThan(0);
    const via = providers.copilot!.homes.filter((h) => h.found).map((h) => h.via);
    expect(via).toEqual(['COPILOT_HOME', 'XDG_CONFIG_HOME']);
    // Each home brings its own sessions.
    const flat = summaryOf(
      run(['--json', '--provider', 'copilot'], { COPILOT_HOME: fixtureHome('copilot', 'flat-jsonl') }).stdout,
    );
    expect(providers.copilot!.new_sessions).toBeGreaterThan(flat.providers.copilot!.new_sessions);
  });

  it('keeps the store in $XDG_DATA_HOME/import-logs when IMPORT_LOGS_HOME is not set', () => {
    const data = tempDir('data-');
    const { code, stdout } = run(['--json'], { IMPORT_LOGS_HOME: '', XDG_DATA_HOME: data });
    expect(code).toBe(0);
    expect(summaryOf(stdout)).toMatchObject({
      store: join(data, 'import-logs'),
      logs_dir: join(data, 'import-logs', 'logs'),
    });
  });

  it('--root keeps the sessions of that directory, in the project logs dir of the store; a missing root exits 2', () => {
    const base = tempDir('root-');
    const project = join(base, 'project');
    const home = join(base, 'claude');
    mkdirSync(project);
    const line = (sid: string, cwd: string) =>
      `${JSON.stringify({ type: 'user', uuid: `${sid}-u1`, sessionId: sid, cwd, timestamp: '2026-04-01T10:00:00.000Z', message: { role: 'user', content: 'hello' } })}\n`;
    mkdirSync(join(home, 'projects', 'p'), { recursive: true });
    writeFileSync(join(home, 'projects', 'p', 'in-root.jsonl'), line('in-root', join(project, 'src')));
    writeFileSync(join(home, 'projects', 'p', 'elsewhere.jsonl'), line('elsewhere', join(base, 'other')));
    const { code, stdout } = run(['--json', '--provider', 'claude', '--claude-home', home, '--root', project]);
    expect(code).toBe(0);
    const summary = summaryOf(stdout);
    const slug = project.replace(/^\/+/, '').replace(/\//g, '-');
    expect(summary.logs_dir).toBe(join(summary.store, 'projects', slug, 'logs'));
    expect(readdirSync(join(summary.logs_dir, 'sessions'))).toEqual(['claude-in-root.jsonl']);
    const missing = run(['--provider', 'claude', '--claude-home', home, '--root', join(base, 'nosuch')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(join(base, 'nosuch'));
  });

  it('--concurrency 1 writes what the default writes; 0 is a usage error', () => {
    const out = (name: string) => join(tempDir(`${name}-`), 'logs');
    // Every Codex fixture in one home: many units, converted one at a time or several at once.
    const home = tempDir('codex-');
    for (const name of readdirSync(join(repoRoot, 'fixtures', 'codex')))
      cpSync(fixtureHome('codex', name), home, { recursive: true });
    const args = ['--provider', 'codex', '--codex-home', home];
    const [one, many] = [out('one'), out('many')];
    expect(run([...args, '--out', one, '--concurrency', '1']).code).toBe(0);
    expect(run([...args, '--out', many]).code).toBe(0);
    const files = (dir: string) => readdirSync(join(dir, 'sessions')).sort();
    expect(files(one)).toEqual(files(many));
    expect(files(one).length).toBeGreaterThan(5);
    for (const f of files(one))
      expect(readFileSync(join(one, 'sessions', f), 'utf8')).toBe(readFileSync(join(many, 'sessions', f), 'utf8'));
    const zero = run([...args, '--out', out('zero'), '--concurrency', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--concurrency 0');
  });
});
