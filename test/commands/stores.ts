/** Stores for the command tests: real imports of toy-provider homes, into a store laid out as the CLI expects. */
import { join } from 'node:path';
import { buildHome, importHome, tempDir } from '../support/harness.js';
import { testAdapter } from '../support/test-adapter.mjs';

const rec = (r: Record<string, unknown>) => JSON.stringify(r);

/** Two sessions with tool calls, usage, an unknown record (partial) and a control character in a title. */
export function toyHome(): string {
  return buildHome({
    'sessions/a.jsonl': [
      rec({
        sid: 'abc123def456',
        ts: '2026-04-07T15:24:08.120Z',
        kind: 'meta',
        title: 'Fix the \u001b[31mprompt\nplease',
        cwd: '/work/dotfiles',
        model: 'm-1',
      }),
      rec({
        sid: 'abc123def456',
        ts: '2026-04-07T15:24:09.120Z',
        kind: 'user',
        text: 'Why is my prompt slow?\nIt takes 2 s.',
      }),
      rec({
        sid: 'abc123def456',
        ts: '2026-04-07T15:24:10.120Z',
        kind: 'assistant',
        text: 'Let me look at your .zshrc.',
      }),
      rec({
        sid: 'abc123def456',
        ts: '2026-04-07T15:24:11.120Z',
        kind: 'tool',
        tool: 'Bash',
        id: 't1',
        input: { command: 'cat ~/.zshrc' },
      }),
      rec({ sid: 'abc123def456', ts: '2026-04-07T15:24:12.120Z', kind: 'result', id: 't1', output: 'export X=1' }),
      rec({
        sid: 'abc123def456',
        ts: '2026-04-07T15:24:13.120Z',
        kind: 'tool',
        tool: 'Read',
        id: 't2',
        input: { file_path: '/etc/x' },
      }),
      rec({ sid: 'abc123def456', ts: '2026-04-07T15:24:14.120Z', kind: 'result', id: 't2', error: true }),
      rec({
        sid: 'abc123def456',
        ts: '2026-04-07T15:24:15.120Z',
        kind: 'usage',
        input: 1200,
        output: 300,
        cached: 1000,
      }),
      rec({ sid: 'abc123def456', ts: '2026-04-07T15:24:16.120Z', kind: 'weird' }),
      '',
    ].join('\n'),
    'sessions/b.jsonl': `${rec({ sid: 'abc999', ts: '2026-04-08T10:00:00.000Z', kind: 'user', text: 'hello' })}\n`,
    'sessions/p.jsonl': [
      rec({ sid: 'par12345678', ts: '2026-02-01T08:00:00.000Z', kind: 'user', text: 'parent' }),
      rec({ sid: 'par12345678-agent-x1', ts: '2026-02-01T08:00:01.000Z', kind: 'user', text: 'sub-agent' }),
      '',
    ].join('\n'),
    'sessions/c.jsonl': `${rec({ sid: 'zz-other', ts: '2026-03-01T08:00:00.000Z', kind: 'user', text: 'old one', cwd: '/work/other' })}\n`,
  });
}

/** A store whose default logs dir holds the toy home's sessions; returns the CLI's environment for it. */
export async function toyStore(): Promise<{ env: Record<string, string>; store: string; logsDir: string }> {
  const home = tempDir('user-');
  const store = join(home, 'store');
  const logsDir = join(store, 'logs');
  await importHome(testAdapter, toyHome(), { logsDir, storeDir: store });
  return { env: { HOME: home, IMPORT_LOGS_HOME: store }, store, logsDir };
}
