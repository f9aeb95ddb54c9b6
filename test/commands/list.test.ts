/** `import-logs list` on a real import: newest first, filters, --all, --json against the schema. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCompleteness } from '../../src/model/events.js';
import { ListedSession } from '../../src/model/reports.js';
import { cleanupTemps, importHome, runCli } from '../support/harness.js';
import { testAdapter } from '../support/test-adapter.mjs';
import { toyHome, toyStore } from './stores.js';

afterAll(cleanupTemps);

let env: Record<string, string>;
let store: string;
beforeAll(async () => {
  ({ env, store } = await toyStore());
});

const ids = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { wrapper_session_id: string }).wrapper_session_id);

describe('import-logs list', () => {
  it('prints a table, newest first, with short unique ids, and a count', () => {
    const { code, stdout } = runCli(['list'], env);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^ID\s+STARTED\s+EVENTS\s+IN\s+CACHED\s+OUT\s+COST\s+MODEL\s+COMPLETENESS\s+PROJECT\s+TITLE$/,
    );
    expect(lines[1]).toMatch(/^testprov-abc999\s+2026-04-08 10:00\s+3\s/);
    expect(lines[2]).toMatch(
      /^testprov-abc123de\s+2026-04-07 15:24\s+10\s+200\s+1\.0k\s+300\s+\S+\s+\S+\s+partial\s+\/work\/dotfiles\s+Fix the \ufffd\[31mprompt please$/,
    );
    expect(lines[3]).toMatch(/^testprov-zz-other\s+2026-03-01 08:00/);
    // A sub-agent's id extends its parent's: the parent's short id is still short, and so is the sub-agent's.
    expect(lines[4]).toMatch(/^testprov-par12345\/agent-x1\s+2026-02-01 08:00/);
    expect(lines[5]).toMatch(/^testprov-par12345\s+2026-02-01 08:00/);
    expect(lines.at(-1)).toContain(`5 sessions in ~/store/logs`);
    expect(stdout).not.toContain('\u001b');
  });

  it('--json prints one index entry per line, newest first, valid against the list schema', () => {
    const { code, stdout } = runCli(['list', '--json'], env);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      const entry = ListedSession.strict().parse(JSON.parse(line));
      expect(entry.logs_dir).toBe(join(store, 'logs'));
    }
    expect(ids(stdout)).toEqual([
      'testprov-abc999',
      'testprov-abc123def456',
      'testprov-zz-other',
      'testprov-par12345678-agent-x1',
      'testprov-par12345678',
    ]);
  });

  it('filters by completeness, provider, since and limit', () => {
    expect(ids(runCli(['list', '--json', '--completeness', 'partial'], env).stdout)).toEqual(['testprov-abc123def456']);
    expect(ids(runCli(['list', '--json', '--completeness', 'full', '--limit', '1'], env).stdout)).toEqual([
      'testprov-abc999',
    ]);
    expect(ids(runCli(['list', '--json', '--since', '2026-04-07T16:00:00Z'], env).stdout)).toEqual(['testprov-abc999']);
    expect(ids(runCli(['list', '--json', '--provider', 'testprov'], env).stdout)).toHaveLength(5);
    const filtered = runCli(['list', '--completeness', 'metadata_only'], env);
    expect(filtered.stdout.trim()).toBe(`0 of 5 sessions in ~/store/logs.`);
  });

  it('--project takes a path that no longer exists (or never did)', () => {
    expect(ids(runCli(['list', '--json', '--project', '/work/dotfiles'], env).stdout)).toEqual([
      'testprov-abc123def456',
    ]);
    expect(ids(runCli(['list', '--json', '--project', '/work/dot'], env).stdout)).toEqual([]);
  });

  it("--completeness offers exactly the model's levels", () => {
    const choices = /\[choices: ([^\]]*)\]/.exec(runCli(['list', '--help']).stdout)?.[1];
    expect(choices?.split(', ').map((c) => JSON.parse(c) as string)).toEqual(LogCompleteness.options);
  });

  it('exits 2 on an unknown provider or a bad --since, naming it', () => {
    const provider = runCli(['list', '--provider', 'nosuch'], env);
    expect(provider.code).toBe(2);
    expect(provider.stderr).toContain('unknown provider nosuch');
    const since = runCli(['list', '--since', 'someday'], env);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since someday');
  });

  it('--all lists every logs dir of the store, --root one project', async () => {
    const projectLogs = join(store, 'projects', 'work-other', 'logs');
    await importHome(testAdapter, toyHome(), { logsDir: projectLogs, storeDir: store, root: '/work/other' });
    expect(ids(runCli(['list', '--json', '--out', projectLogs], env).stdout)).toEqual(['testprov-zz-other']);
    const all = runCli(['list', '--json', '--all'], env)
      .stdout.trimEnd()
      .split('\n')
      .map((l) => ListedSession.parse(JSON.parse(l)));
    expect(all.map((s) => [s.wrapper_session_id, s.logs_dir])).toEqual([
      ['testprov-abc999', join(store, 'logs')],
      ['testprov-abc123def456', join(store, 'logs')],
      ['testprov-zz-other', join(store, 'logs')],
      ['testprov-zz-other', projectLogs],
      ['testprov-par12345678-agent-x1', join(store, 'logs')],
      ['testprov-par12345678', join(store, 'logs')],
    ]);
  });

  it('says so when nothing was imported yet', () => {
    const { code, stdout } = runCli(['list']);
    expect(code).toBe(0);
    expect(stdout).toContain('No import yet in');
  });

  // How fast is the bench's business; here, that all of a large index is read and ordered.
  it('lists 10,000 index entries, newest first', async () => {
    const { writeFileSync, mkdirSync } = await import('node:fs');
    const { stdout } = runCli(['list', '--json', '--limit', '1'], env);
    const template = JSON.parse(stdout) as ListedSession;
    const { logs_dir: _dir, ...entry } = template;
    const big = join(store, 'big');
    mkdirSync(big, { recursive: true });
    const sessions = Array.from({ length: 10_000 }, (_, i) => ({
      ...entry,
      wrapper_session_id: `testprov-s${String(i).padStart(5, '0')}`,
      started_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    }));
    writeFileSync(join(big, 'index.json'), JSON.stringify({ sessions }));
    const result = runCli(['list', '--out', big], env);
    expect(result.code).toBe(0);
    const rows = result.stdout
      .split('\n')
      .slice(1)
      .filter((l) => l.startsWith('testprov-s'));
    expect(rows).toHaveLength(10_000);
    expect(rows.map((l) => l.split(/\s/)[0])).toEqual(sessions.map((e) => e.wrapper_session_id).reverse());
  });
});
