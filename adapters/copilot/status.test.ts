/** Copilot status records on synthetic sessions: what `provider_status` says for each kind. */
import { afterAll, describe, expect, it } from 'vitest';
import { buildHome, cleanupTemps } from '../../test/support/harness.js';
import { convertHome, sessionById } from '../../test/support/convert-home.js';
import { copilotAdapter } from './index.js';

afterAll(cleanupTemps);

const record = (type: string, data: Record<string, unknown>, id: string, second: number) =>
  JSON.stringify({ type, data, id, timestamp: `2026-01-01T00:00:0${second}.000Z`, parentId: null });

describe('copilot status records', () => {
  it('session.info and session.warning keep their message text and data', async () => {
    const lines = [
      record('session.start', { sessionId: 'w1', context: { cwd: '/w' } }, 'e1', 0),
      record('session.info', { infoType: 'mcp', message: 'MCP server started' }, 'e2', 1),
      record('session.warning', { warningType: 'policy', message: 'Third-party MCP servers are disabled' }, 'e3', 2),
      record('session.warning', {}, 'e4', 3),
      record('session.mode_changed', { newMode: 'plan' }, 'e5', 4),
    ];
    const sessions = await convertHome(
      copilotAdapter,
      buildHome({ 'session-state/w1.jsonl': `${lines.join('\n')}\n` }),
    );
    const status = sessionById(sessions, 'w1').events.flatMap((e) => (e.type === 'provider_status' ? [e] : []));
    expect(status.map((e) => [e.message, e.data])).toEqual([
      ['session started', { sessionId: 'w1', context: { cwd: '/w' } }],
      ['MCP server started', { infoType: 'mcp', message: 'MCP server started' }],
      [
        'Third-party MCP servers are disabled',
        { warningType: 'policy', message: 'Third-party MCP servers are disabled' },
      ],
      ['session warning', {}],
      ['session.mode_changed', { newMode: 'plan' }],
    ]);
  });
});
