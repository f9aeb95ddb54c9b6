/**
 * Copilot format drift made loud: the accounting table of record types (code and README agree),
 * unknown types kept and counted, calls ended by `abort`, event keys and agent versions.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentLogEvent } from '../../src/model/events.js';
import { buildHome, cleanupTemps, corpusFiles, importHome } from '../../test/support/harness.js';
import { convertHome, sessionById } from '../../test/support/convert-home.js';
import { expectReadmeTable } from '../../test/support/drift.js';
import type { Handling } from '../../src/session/records.js';
import { CHAT_ROLES, MAPPERS, RECORD_TYPES, TIMELINE_TYPES } from './convert.js';
import { copilotAdapter } from './index.js';

afterAll(cleanupTemps);

type Rec = Record<string, unknown>;
type Ev = AgentLogEvent & Rec;
const line = (type: string, data: Rec, id: string, second: number) =>
  JSON.stringify({
    type,
    data,
    id,
    timestamp: `2026-06-10T08:00:${String(second).padStart(2, '0')}.000Z`,
    parentId: null,
  });
const start = (id: string) =>
  line('session.start', { sessionId: id, copilotVersion: '1.0.60', context: { cwd: '/w' } }, `${id}-start`, 0);
const jsonl = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('copilot record types', () => {
  it.each([
    ['event line', RECORD_TYPES],
    ['legacy `timeline` entry', TIMELINE_TYPES],
    ['legacy `chatMessages` role', CHAT_ROLES],
  ] as [string, Readonly<Record<string, Handling>>][])(
    'the README table lists exactly the %s types of the code, ignored ones with a reason',
    (kind, table) => expectReadmeTable('copilot', kind, table),
  );

  it('every mapped event type has its mapper, and every mapper a mapped type', () => {
    const mapped = Object.keys(RECORD_TYPES).filter((type) => RECORD_TYPES[type] === 'mapped');
    expect(Object.keys(MAPPERS).sort()).toEqual(mapped.sort());
  });

  it('a type outside the table makes the session partial and is kept as a provider_status event', async () => {
    // Kept as read: envelope keys the schema does not know included.
    const future = JSON.stringify({
      ...(JSON.parse(line('session.hologram', { depth: 3 }, 'e2', 1)) as Rec),
      hologramId: 'h1',
    });
    const home = buildHome({
      'session-state/u1/events.jsonl': jsonl(
        start('u1'),
        line('user.message', { content: 'hi' }, 'e1', 1),
        future,
        line('session.hologram', { depth: 4 }, 'e3', 2),
        line('system.message', { content: 'x' }, 'e4', 3),
      ),
    });
    const { index, sessions } = await importHome(copilotAdapter, home);
    expect(index[0]!.completeness).toBe('partial');
    expect(index[0]!.completeness_reasons).toContain('unknown record type session.hologram (2 records)');
    const kept = (sessions.get('copilot-u1') as Ev[]).filter(
      (e) => e.type === 'provider_status' && e.message === 'unknown record type session.hologram',
    );
    expect(kept.map((e) => JSON.parse((e.data as { record: string }).record) as Rec)).toEqual([
      JSON.parse(future),
      JSON.parse(line('session.hologram', { depth: 4 }, 'e3', 2)),
    ]);
    expect(kept.map((e) => e.ts)).toEqual(['2026-06-10T08:00:01.000Z', '2026-06-10T08:00:02.000Z']);
  });

  it('an unknown legacy timeline entry or chat role is counted and kept too', async () => {
    const doc = {
      sessionId: 'l1',
      startTime: '2025-10-01T10:00:00.000Z',
      chatMessages: [
        { role: 'user', content: 'hi' },
        { role: 'critic', content: 'meh' },
      ],
      timeline: [
        { type: 'user', id: 't1', timestamp: '2025-10-01T10:00:01.000Z', text: 'hi' },
        { type: 'hologram', id: 't2', timestamp: '2025-10-01T10:00:02.000Z' },
      ],
    };
    const { index } = await importHome(
      copilotAdapter,
      buildHome({ 'history-session-state/session_l1_1.json': JSON.stringify(doc) }),
    );
    expect(index[0]!.completeness_reasons).toEqual([
      'unknown record type chatMessages role critic (1 records)',
      'unknown record type timeline:hologram (1 records)',
      'usage unavailable',
    ]);
  });
});

describe('copilot abort', () => {
  const request = (id: string, second: number, ...calls: string[]) =>
    line(
      'assistant.message',
      {
        messageId: `m-${id}`,
        content: '',
        toolRequests: calls.map((c) => ({ toolCallId: c, name: 'bash', arguments: { command: 'sleep 60' } })),
      },
      id,
      second,
    );

  it('a call the abort ended gets a failed result when the turn is over; a call that still reports keeps its own', async () => {
    const home = buildHome({
      'session-state/a1/events.jsonl': jsonl(
        start('a1'),
        line('user.message', { content: 'run it' }, 'e1', 1),
        request('e2', 2, 'c1', 'c2'),
        line('tool.execution_start', { toolCallId: 'c1', toolName: 'bash' }, 'e3', 3),
        line('abort', { reason: 'user_initiated' }, 'e4', 4),
        line('tool.execution_complete', { toolCallId: 'c2', success: false, error: { message: 'cancelled' } }, 'e5', 5),
        line('user.message', { content: 'never mind' }, 'e6', 6),
      ),
    });
    const { sessions, index } = await importHome(copilotAdapter, home);
    const events = sessions.get('copilot-a1') as Ev[];
    const results = events.filter((e) => e.type === 'tool_result');
    expect(results.map((e) => [e.tool_id, e.success, e.error, e.ts, e.tool_name])).toEqual([
      ['c2', false, 'cancelled', '2026-06-10T08:00:05.000Z', 'bash'],
      ['c1', false, 'aborted (user_initiated): no result recorded', '2026-06-10T08:00:04.000Z', 'bash'],
    ]);
    // The failed result comes before the next prompt.
    expect(events.findIndex((e) => e.tool_id === 'c1' && e.type === 'tool_result')).toBeLessThan(
      events.findIndex((e) => e.content === 'never mind'),
    );
    expect(events.find((e) => e.type === 'provider_status' && String(e.message).startsWith('aborted'))?.message).toBe(
      'aborted (user_initiated)',
    );
    expect(index[0]!.completeness).toBe('partial'); // no shutdown: usage unavailable
  });

  it('an abort at the end of the file still closes its calls', async () => {
    const home = buildHome({
      'session-state/a2/events.jsonl': jsonl(start('a2'), request('e1', 1, 'c9'), line('abort', {}, 'e2', 2)),
    });
    const { events } = sessionById(await convertHome(copilotAdapter, home), 'a2');
    const results = events.flatMap((e) => (e.type === 'tool_result' ? [e] : []));
    expect(results.map((e) => [e.tool_id, e.success, e.error])).toEqual([
      ['c9', false, 'aborted (no reason given): no result recorded'],
    ]);
  });
});

const corpus = corpusFiles('copilot').filter((f) => f.endsWith('.jsonl'));

/** The newest of dotted versions (`1.0.59` > `1.0.34` > `0.0.354`). */
function newest(versions: string[]): string | undefined {
  const parts = (v: string) => v.split(/[.-]/).map(Number);
  return [...versions]
    .sort((a, b) => {
      const [x, y] = [parts(a), parts(b)];
      for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return 0;
    })
    .pop();
}

describe.skipIf(corpus.length === 0)('copilot keys and versions on the corpus', () => {
  const raw = (f: string) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Rec & { type: string; id: string; data: Rec });
  const layout = Object.fromEntries(
    corpus.map((f) => [`session-state/${String(raw(f)[0]!.data.sessionId)}/events.jsonl`, { copy: f }]),
  );
  const converted = convertHome(copilotAdapter, buildHome(layout));

  it.each(corpus.map((f) => [f.slice(f.lastIndexOf('/') + 1), f]))(
    '%s: every event is keyed by its record id, keys unique',
    async (_n, f) => {
      const records = raw(f);
      const session = (await converted).find((s) => s.draft.id === records[0]!.data.sessionId)!;
      const keys = session.events.map((e) => e.key);
      expect(keys.every((k) => typeof k === 'string')).toBe(true);
      expect(new Set(keys).size).toBe(keys.length);
      const ids = new Set(records.map((r) => r.id));
      for (const key of keys) expect(ids.has(key!.replace(/#\d+$/, '')), key).toBe(true);
    },
  );

  it.each(corpus.map((f) => [f.slice(f.lastIndexOf('/') + 1), f]))(
    '%s: the agent version is the newest copilotVersion of its starts and resumes',
    async (_n, f) => {
      const records = raw(f);
      const session = (await converted).find((s) => s.draft.id === records[0]!.data.sessionId)!;
      const versions = records
        .filter((r) => r.type === 'session.start' || r.type === 'session.resume')
        .map((r) => String(r.data.copilotVersion));
      expect(session.draft.agentVersion).toBe(newest(versions));
    },
  );

  it('testedVersion is the newest version of the corpus', () => {
    expect(copilotAdapter.testedVersion).toBe(newest(corpus.map((f) => String(raw(f)[0]!.data.copilotVersion))));
  });
});
