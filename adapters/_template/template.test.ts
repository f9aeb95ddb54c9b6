/** The skeleton converts what its README says, on its own output (no importer). */
import { afterAll, describe, expect, it } from 'vitest';
import { buildHome, cleanupTemps } from '../../test/support/harness.js';
import { convertHome, sessionById } from '../../test/support/convert-home.js';
import { expectReadmeTable } from '../../test/support/drift.js';
import { RECORD_TYPES } from './convert.js';
import { templateAdapter } from './index.js';

afterAll(cleanupTemps);

const lines = (...records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('adapter template', () => {
  it('the README table lists exactly the record types of the code, ignored ones with a reason', () =>
    expectReadmeTable('_template', 'line', RECORD_TYPES));

  it('maps each row of its record table, keys every event and counts an unknown type', async () => {
    const home = buildHome({
      'sessions/s1.jsonl': lines(
        { type: 'session_meta', cwd: '/w', version: '1.2.3' },
        { type: 'prompt', ts: '2026-01-01T00:00:00Z', text: '<reminder>be brief</reminder>' },
        { type: 'prompt', ts: '2026-01-01T00:00:01Z', text: 'list files' },
        { type: 'answer', text: 'running ls', model: 'm1', usage: { input: 10, cached: 4, output: 3 } },
        { type: 'tool_call', name: 'run', call_id: 'c1', input: { cmd: 'ls' } },
        { type: 'tool_result', call_id: 'c1', output: 'a b' },
        { type: 'heartbeat' },
        { type: 'vote', up: true },
      ),
    });
    const { draft, events } = sessionById(await convertHome(templateAdapter, home), 's1');
    expect(draft.workspacePath).toBe('/w');
    expect(draft.agentVersion).toBe('1.2.3');
    expect(events.map((e) => [e.type, 'role' in e ? e.role : 'tool_kind' in e ? e.tool_kind : undefined])).toEqual([
      ['user_message', 'system_reminder'],
      ['user_message', 'user'],
      ['assistant_message', undefined],
      ['usage', undefined],
      ['tool_call', 'shell'],
      ['tool_result', undefined],
      ['provider_status', undefined],
    ]);
    expect(events[3]).toMatchObject({ input_tokens: 6, cache_read_tokens: 4, output_tokens: 3, model: 'm1' });
    expect(new Set(events.map((e) => e.key)).size).toBe(events.length);
    expect([...draft.unknownTypes]).toEqual([['vote', 1]]);
  });
});
