/**
 * Gemini format drift made loud: the accounting table of record types (code and README agree),
 * unknown kinds kept and counted, the cross-check with `tokens.total`, and event keys.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentLogEvent } from '../../src/model/events.js';
import type { Handling } from '../../src/session/records.js';
import { buildHome, cleanupTemps, corpusFiles, importHome } from '../../test/support/harness.js';
import { convertHome } from '../../test/support/convert-home.js';
import { expectReadmeTable } from '../../test/support/drift.js';
import { CHECKPOINT_ROLES, RECORD_TYPES, PART_KINDS } from './convert.js';
import { geminiAdapter } from './index.js';
import { LINE_KINDS } from './records.js';

afterAll(cleanupTemps);

type Rec = Record<string, unknown>;
type Ev = AgentLogEvent & Rec;
const n = (v: unknown) => (typeof v === 'number' ? v : 0);

describe('gemini record types', () => {
  it.each([
    ['JSONL line', LINE_KINDS],
    ['message', RECORD_TYPES],
    ['content part', PART_KINDS],
    ['checkpoint turn role', CHECKPOINT_ROLES],
  ] as [string, Readonly<Record<string, Handling>>][])(
    'the README table lists exactly the %s types of the code, ignored ones with a reason',
    (kind, table) => expectReadmeTable('gemini', kind, table),
  );

  it('a JSONL line of a new shape, a new message type, a new part kind and a checkpoint role are kept and counted', async () => {
    const sid = 'd1d2d3d4-0000-4000-8000-000000000001';
    const lines = [
      {
        sessionId: sid,
        projectHash: 'x',
        startTime: '2026-05-01T10:00:00.000Z',
        lastUpdated: '2026-05-01T10:00:03.000Z',
        kind: 'main',
      },
      {
        id: 'u1',
        timestamp: '2026-05-01T10:00:01.000Z',
        type: 'user',
        content: [{ text: 'hello', thoughtSignature: 'x' }, { executableCode: { code: '1+1' } }],
      },
      { $unset: { summary: true } },
      { id: 'n1', timestamp: '2026-05-01T10:00:02.000Z', type: 'note', content: 'a new kind of message' },
    ];
    const home = buildHome({
      'tmp/p/chats/session-2026-05-01T10-00-d1d2d3d4.jsonl': `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
      'tmp/p/checkpoint-t.json': JSON.stringify([
        { role: 'user', parts: [{ text: 'hi' }] },
        { role: 'function', parts: [] },
      ]),
    });
    const { index, sessions } = await importHome(geminiAdapter, home);
    const chat = index.find((e) => e.provider_session_id === sid)!;
    expect(chat.completeness_reasons).toEqual([
      'unknown record type $unset (1 records)',
      'unknown record type note (1 records)',
      'unknown record type part:executableCode (1 records)',
    ]);
    const kept = (sessions.get(chat.wrapper_session_id) as Ev[]).filter((e) => e.type === 'provider_status');
    expect(kept.map((e) => [e.message, JSON.parse((e.data as { record: string }).record) as Rec])).toEqual([
      ['unknown record type part:executableCode', { executableCode: { code: '1+1' } }],
      ['unknown record type note', lines[3]],
      ['unknown record type $unset', lines[2]],
    ]);
    const checkpoint = index.find((e) => e.format === 'gemini:checkpoint')!;
    expect(checkpoint.completeness_reasons).toContain('unknown record type role:function (1 records)');
  });
});

describe('gemini tokens.total cross-check', () => {
  const files = corpusFiles('gemini').filter((f) => /\.jsonl?$/.test(f));
  const messages = (f: string): Rec[] =>
    f.endsWith('.jsonl')
      ? readFileSync(f, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Rec)
          .filter((r) => typeof r.id === 'string')
      : ((JSON.parse(readFileSync(f, 'utf8')) as Rec).messages as Rec[]);

  it.skipIf(files.length === 0)(
    'in the corpus, total = input + output + thoughts + tool (cached is inside input)',
    () => {
      const tokens = files.flatMap((f) =>
        messages(f)
          .map((m) => m.tokens)
          .filter((t): t is Rec => typeof t === 'object' && t !== null),
      );
      expect(tokens.length).toBeGreaterThan(0);
      for (const t of tokens)
        expect(n(t.input) + n(t.output) + n(t.thoughts) + n(t.tool), JSON.stringify(t)).toBe(t.total);
      expect(tokens.some((t) => n(t.cached) > 0 && n(t.tool) === 0 && n(t.thoughts) > 0)).toBe(true);
    },
  );

  it('a message whose total does not add up makes the session partial, with both numbers', async () => {
    const doc = {
      sessionId: 'c1c2c3c4-0000-4000-8000-000000000001',
      projectHash: 'x',
      startTime: '2026-05-02T10:00:00.000Z',
      lastUpdated: '2026-05-02T10:00:02.000Z',
      messages: [
        { id: 'u1', timestamp: '2026-05-02T10:00:01.000Z', type: 'user', content: 'hi' },
        {
          id: 'g1',
          timestamp: '2026-05-02T10:00:02.000Z',
          type: 'gemini',
          content: 'hello',
          model: 'gemini-2.5-pro',
          tokens: { input: 100, output: 10, cached: 40, thoughts: 5, tool: 0, total: 150 },
        },
        {
          id: 'g2',
          timestamp: '2026-05-02T10:00:03.000Z',
          type: 'gemini',
          content: 'again',
          model: 'gemini-2.5-pro',
          tokens: { input: 100, output: 10, cached: 40, thoughts: 5, tool: 0, total: 115 },
        },
      ],
    };
    const { index } = await importHome(
      geminiAdapter,
      buildHome({ 'tmp/p/chats/session-2026-05-02T10-00-c1c2c3c4.json': JSON.stringify(doc, null, 2) }),
    );
    expect(index[0]!.completeness).toBe('partial');
    expect(index[0]!.completeness_reasons).toEqual([
      'usage differs from tokens.total of message g1: 115 emitted (input 60 + cache read 40 + output 15), 150 stated',
    ]);
  });
});

const corpus = corpusFiles('gemini').filter((f) => /\.jsonl?$/.test(f));

describe.skipIf(corpus.length === 0)('gemini event keys on the corpus', () => {
  const layout = Object.fromEntries(
    corpus.map((f, i) => [
      `tmp/p${i}/chats/${/__(session-[^/]+)$/.exec(f)?.[1] ?? `session-2026-01-01T00-00-f${String(i).padStart(7, '0')}${f.slice(f.lastIndexOf('.'))}`}`,
      { copy: f },
    ]),
  );
  const converted = convertHome(geminiAdapter, buildHome(layout));

  it('every event has a key made of its message id, unique in its session', async () => {
    const sessions = await converted;
    expect(sessions.length).toBeGreaterThan(0);
    for (const { draft, events } of sessions) {
      const keys = events.map((e) => e.key);
      expect(
        keys.every((k) => typeof k === 'string'),
        draft.id,
      ).toBe(true);
      expect(new Set(keys).size, draft.id).toBe(keys.length);
      for (const e of events)
        if ('message_id' in e && e.message_id !== undefined) expect(e.key!.split('#')[0], draft.id).toBe(e.message_id);
    }
  });
});
