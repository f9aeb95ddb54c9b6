/** `import-logs show` on a real import: prefixes, ambiguity, the human rendering, --json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLogEvent } from '../../src/model/event-line.js';
import { cleanupTemps, importHome, runCli } from '../support/harness.js';
import { testAdapter } from '../support/test-adapter.mjs';
import { toyHome, toyStore } from './stores.js';

afterAll(cleanupTemps);

let env: Record<string, string>;
let store: string;
let logsDir: string;
beforeAll(async () => {
  ({ env, store, logsDir } = await toyStore());
});

describe('import-logs show', () => {
  it('renders one line per event: time, type, summary; tool calls with their result status; usage', () => {
    const { code, stdout } = runCli(['show', 'testprov-abc123'], env);
    expect(code).toBe(0);
    expect(stdout).toContain('testprov-abc123def456  (testprov, partial)');
    expect(stdout).toMatch(/^reasons: +unknown record type weird \(1 records\)$/m);
    expect(stdout).toContain('── 2026-04-07');
    expect(stdout).toMatch(/^15:24:09  user +Why is my prompt slow\? It takes 2 s\.$/m);
    expect(stdout).toMatch(/^15:24:11  tool +\[ok\] Bash: cat ~\/\.zshrc$/m);
    expect(stdout).toMatch(/^15:24:13  tool +\[failed\] Read: \/etc\/x$/m);
    expect(stdout).not.toMatch(/^\S+ +result/m); // results are folded into their calls
    expect(stdout).toMatch(/^15:24:15  usage +in 200 · cache read 1,000 · out 300$/m);
    expect(stdout).toMatch(/^15:24:16  status    unknown record type weird$/m); // the unknown record is kept
    expect(stdout).toMatch(/^10 events; usage over 1 model call: in 200 · cache read 1,000 · out 300$/m);
    expect(stdout).not.toContain('\u001b');
  });

  it('accepts a prefix of the native id too', () => {
    const { code, stdout } = runCli(['show', 'abc123'], env);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('testprov-abc123def456  (testprov, partial)');
  });

  it('--json prints the session file as it is: valid event lines', () => {
    const { code, stdout } = runCli(['show', '--json', 'testprov-abc9'], env);
    expect(code).toBe(0);
    expect(stdout).toBe(readFileSync(join(logsDir, 'sessions', 'testprov-abc999.jsonl'), 'utf8'));
    for (const line of stdout.trimEnd().split('\n')) AgentLogEvent.parse(JSON.parse(line));
  });

  it('an ambiguous prefix lists the candidates and exits 2', () => {
    const { code, stdout, stderr } = runCli(['show', 'testprov-abc'], env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('testprov-abc matches 2 sessions');
    expect(stderr).toMatch(/^ +testprov-abc999 +2026-04-08 10:00/m);
    expect(stderr).toMatch(/^ +testprov-abc123def456 +2026-04-07 15:24/m);
  });

  it('a prefix of a parent and its sub-agents names the parent; more of the id names the sub-agent', () => {
    expect(runCli(['show', 'testprov-par12345'], env).stdout.split('\n')[0]).toBe(
      'testprov-par12345678  (testprov, full)',
    );
    expect(runCli(['show', 'testprov-par12345678-a'], env).stdout.split('\n')[0]).toBe(
      'testprov-par12345678-agent-x1  (testprov, full)',
    );
  });

  it('PARENT/REST, as list shortens a sub-agent id, names the sub-agent; an unknown parent or rest exits 2', () => {
    for (const id of ['testprov-par12345/agent-x1', 'testprov-par12345/a', 'par12345678/agent']) {
      expect(runCli(['show', id], env).stdout.split('\n')[0], id).toBe(
        'testprov-par12345678-agent-x1  (testprov, full)',
      );
    }
    const noRest = runCli(['show', 'testprov-par12345/b'], env);
    expect(noRest.code).toBe(2);
    expect(noRest.stderr).toContain('no session id starts with testprov-par12345/b');
    expect(runCli(['show', 'testprov-nosuch/a'], env).code).toBe(2);
  });

  it('an unknown id exits 2 and says where it looked', () => {
    const { code, stderr } = runCli(['show', 'nosuch'], env);
    expect(code).toBe(2);
    expect(stderr).toContain('no session id starts with nosuch');
  });

  it('finds sessions of every logs dir of the store; the same session in two logs dirs is one', async () => {
    const projectLogs = join(store, 'projects', 'work-other', 'logs');
    await importHome(testAdapter, toyHome(), { logsDir: projectLogs, storeDir: store, root: '/work/other' });
    const { code, stdout } = runCli(['show', 'testprov-zz'], env);
    expect(code).toBe(0);
    expect(stdout).toContain(`file:     ~/store/logs/sessions/testprov-zz-other.jsonl`);
    const inProject = runCli(['show', 'testprov-zz', '--out', projectLogs], env);
    expect(inProject.stdout).toContain(`file:     ~/store/projects/work-other/logs/sessions/testprov-zz-other.jsonl`);
  });
});
