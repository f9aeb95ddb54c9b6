/**
 * What a new user meets in the first minutes: every mistake answered with one sentence on stderr
 * and a documented exit code, logs that explain, and output that survives `| head`.
 */
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, utimesSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.js';
import { compactCount } from '../../src/cli/text-core.js';
import type { SessionLogIndexEntry } from '../../src/model/index-schema.js';
import { cleanupTemps, cliPath, runCli, tempDir } from '../support/harness.js';
import { failingCase, fixtureCases } from './fixture-homes.js';

afterAll(cleanupTemps);

/** A fixture home with sub-agents and cache writes, copied so that its files can be touched. */
const agentFlat = fixtureCases.find((c) => c.adapter.id === 'claude' && c.name === 'agent-flat');
const expectedIndex = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'expected', 'index.json'), 'utf8')) as { sessions: SessionLogIndexEntry[] })
    .sessions;

function copiedHome(): { flag: string; home: string; sessions: SessionLogIndexEntry[] } {
  const c = agentFlat!;
  const home = join(tempDir('home-copy-'), 'claude');
  cpSync(join(c.dir, 'input'), home, { recursive: true });
  return { flag: `--${c.adapter.home.flag}`, home, sessions: expectedIndex(c.dir) };
}

/** The sentences of a stderr: one per line, each `import-logs: …`, never a pino JSON line. */
function sentences(stderr: string): string[] {
  const lines = stderr.split('\n').filter(Boolean);
  for (const line of lines) expect(line).toMatch(/^import-logs: /);
  return lines;
}

/** Runs the CLI with its stdout closed by the reader before anything is written (`| head -0`). */
function withClosedStdout(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe.runIf(agentFlat)('first minutes', () => {
  it('a reader that stops early (`list --json | head -1`) ends every command quietly with 0', async () => {
    const { flag, home } = copiedHome();
    const first = runCli([flag, home, '--provider', 'claude']);
    expect(first.code, first.stderr).toBe(0);
    const env = { HOME: first.home, IMPORT_LOGS_HOME: join(first.home, 'store') };
    for (const args of [
      ['list', '--json'],
      ['list'],
      ['schema'],
      ['doctor', '--provider', 'claude', '--json'],
      ['show', '--json', 'claude-4'],
      [flag, home, '--provider', 'claude', '--json', '--force'],
    ]) {
      const run = await withClosedStdout(args, env);
      expect({ args, ...run }).toEqual({ args, code: 0, stderr: '' });
    }
  });

  it('an explicit provider home that does not exist is exit 2, in one sentence naming the flag', () => {
    for (const adapter of adapters) {
      const run = runCli([`--${adapter.home.flag}`, '/nonexistent/home']);
      expect(run.code, adapter.id).toBe(2);
      expect(sentences(run.stderr)).toEqual([
        expect.stringContaining(`--${adapter.home.flag} /nonexistent/home: no such directory`),
      ]);
      expect(run.stdout).toBe('');
    }
  });

  it('--root on a directory without sessions is exit 2, saying where the sessions are', () => {
    const { flag, home, sessions } = copiedHome();
    const workspace = sessions[0]!.workspace_path!;
    const empty = tempDir('empty-project-');
    const first = runCli([flag, home, '--provider', 'claude', '--root', empty]);
    expect(first.code).toBe(2);
    expect(first.stdout).toBe('');
    const [sentence, ...more] = sentences(first.stderr);
    expect(more).toEqual([]);
    expect(sentence).toContain(`--root ${empty}: no session`);
    expect(sentence).toContain(
      `${sessions.length} sessions found elsewhere, most in ${workspace} (${sessions.length})`,
    );

    // The same run again reads nothing (its sources are unchanged): it says how to see again.
    const env = { HOME: first.home };
    const again = runCli([flag, home, '--provider', 'claude', '--root', empty], env);
    expect(again.code).toBe(2);
    expect(sentences(again.stderr)[0]).toContain('--force');
    expect(runCli([flag, home, '--provider', 'claude', '--root', empty, '--force'], env).stderr).toContain(
      `most in ${workspace}`,
    );

    // Once the store holds them, it names their projects from its indexes.
    expect(runCli([flag, home, '--provider', 'claude'], env).code).toBe(0);
    const known = runCli([flag, home, '--provider', 'claude', '--root', empty], env);
    expect(known.code).toBe(2);
    expect(known.stderr).toContain(`most in ${workspace} (${sessions.length})`);
  });

  it('after a --root or --out import, the commands it suggests keep them, and work as printed', () => {
    const { flag, home, sessions } = copiedHome();
    const out = join(tempDir('out-'), 'logs');
    const run = runCli([flag, home, '--provider', 'claude', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const suggested = /`(import-logs list[^`]*)`/.exec(run.stdout)?.[1];
    expect(suggested).toBe(`import-logs list --out ${out}`);
    const listed = runCli(suggested!.split(' ').slice(1), { HOME: run.home });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${sessions.length} sessions in ${out}`);
  });

  it('a failed source is said once, as a sentence; `check` that passes prints no log line', () => {
    const c = failingCase()!;
    const run = runCli([`--${c.adapter.home.flag}`, join(c.dir, 'input'), '--provider', c.adapter.id, '--json']);
    expect(run.code).toBe(1);
    const { errors } = JSON.parse(run.stdout) as { errors: { message: string }[] };
    expect(errors.length).toBeGreaterThan(0);
    expect(run.stderr).toBe('');
    const human = runCli([`--${c.adapter.home.flag}`, join(c.dir, 'input'), '--provider', c.adapter.id]);
    expect(human.stderr).toBe('');
    for (const e of errors) expect(human.stdout.split(e.message).length - 1, e.message).toBe(1);

    const check = runCli(['check', '--fixtures', join(c.dir, '..', '..')]);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stderr).toBe('');
  });

  it('--verbose (or LOG_LEVEL=debug) says per source why it was converted, skipped or failed', () => {
    const { flag, home } = copiedHome();
    const main = join(home, 'projects', '-home-dev-project', '44444444-4444-4444-8444-444444444444.jsonl');
    const args = [flag, home, '--provider', 'claude', '--verbose'];
    const first = runCli(args);
    expect(first.code).toBe(0);
    expect(sentences(first.stderr)).toContain(`import-logs: debug: [claude] ${main}: converted (new): 1 session`);
    const env = { HOME: first.home };
    const second = runCli(args, env);
    expect(sentences(second.stderr)).toContain(
      `import-logs: debug: [claude] ${main}: skipped: unchanged since the last import (size, time and inode as imported)`,
    );
    utimesSync(main, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    const third = runCli([flag, home, '--provider', 'claude'], { ...env, LOG_LEVEL: 'debug' });
    expect(sentences(third.stderr)).toContain(
      `import-logs: debug: [claude] ${main}: converted (projects/-home-dev-project/44444444-4444-4444-8444-444444444444.jsonl modified): 1 session`,
    );

    const c = failingCase()!;
    const failed = runCli([
      `--${c.adapter.home.flag}`,
      join(c.dir, 'input'),
      '--provider',
      c.adapter.id,
      '--verbose',
      '--json',
    ]);
    const { errors } = JSON.parse(failed.stdout) as { errors: { message: string }[] };
    const failedLines = sentences(failed.stderr).filter((l) => l.includes(': failed (new): '));
    expect(failedLines).toHaveLength(errors.length);
  });

  it('--log-format json gives pino JSON lines instead', () => {
    const { flag, home } = copiedHome();
    const run = runCli([flag, home, '--provider', 'claude', '--verbose', '--log-format', 'json']);
    expect(run.code).toBe(0);
    const lines = run.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; provider: string; msg: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.level === 20 && l.provider === 'claude')).toBe(true);
    expect(lines.map((l) => l.msg)).toContain('converted (new): 1 session');
  });

  it("mistakes on the command line get a sentence, not the parser's jargon", () => {
    const cases: [string[], string][] = [
      [['--concurrency', 'abc'], '--concurrency abc: expected a whole number of at least 1'],
      [['--workers', '1.5'], '--workers 1.5: expected a whole number of at least 0'],
      [['--wait', 'soon'], '--wait soon: expected a number of at least 0'],
      [['--since', '-3d'], '--since -3d: expected a value without a minus sign (3d means 3 days ago)'],
      [['--since=-3d'], 'without a minus sign: 3d means 3 days ago'],
      [['show'], 'show needs a session id'],
      [['lsit'], 'unknown command lsit: did you mean list?'],
      [['improt'], 'unknown command improt: did you mean import?'],
      [
        ['frobnicate'],
        'unknown command frobnicate: the commands are import, check, list, show, report, search, export, index, push, doctor, schema',
      ],
    ];
    for (const [args, says] of cases) {
      const run = runCli(args);
      expect(run.code, args.join(' ')).toBe(2);
      const lines = sentences(run.stderr);
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toContain(says);
      expect(lines[0]).not.toMatch(/NaN|Unknown argument|Not enough non-option/);
    }
  });

  it.runIf(availableParallelism() < 99)('--workers above the cores is used as the cores, with a warning', () => {
    const { flag, home } = copiedHome();
    const run = runCli([flag, home, '--provider', 'claude', '--workers', '99', '--json']);
    expect(run.code).toBe(0);
    const cores = availableParallelism();
    expect(run.stderr).toBe(`import-logs: --workers 99: this machine has ${cores} cores; using ${cores}\n`);
    expect(runCli([flag, home, '--provider', 'claude', '--workers', '99', '--quiet']).stderr).toBe('');
  });

  it('IN counts the same in list and show: input not read from cache, cache writes included', () => {
    const { flag, home, sessions } = copiedHome();
    const run = runCli([flag, home, '--provider', 'claude']);
    const env = { HOME: run.home };
    const s = sessions.find((e) => e.usage.cache_creation_tokens > 0 && e.parent_session_id === null)!;
    const inTokens = s.usage.input_tokens + s.usage.cache_creation_tokens;
    const shown = runCli(['show', s.wrapper_session_id], env);
    expect(shown.stdout).toMatch(
      new RegExp(
        `usage over \\d+ model calls?: in ${inTokens.toLocaleString('en-US')} \\(cache write ${s.usage.cache_creation_tokens.toLocaleString('en-US')}\\)`,
      ),
    );
    const row = runCli(['list'], env)
      .stdout.split('\n')
      .find((l) => l.startsWith(`${s.wrapper_session_id.slice(0, 10)}`) && !l.includes('↳'))!;
    const header = runCli(['list'], env).stdout.split('\n')[0]!;
    const cells = row.split(/\s{2,}/);
    expect(cells[header.split(/\s{2,}/).indexOf('IN')]).toBe(compactCount(inTokens));
  });
});
