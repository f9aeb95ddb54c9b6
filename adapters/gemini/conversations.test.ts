/**
 * Gemini conversations that share a sessionId: a sub-agent recorded under its parent's id (builds
 * before v0.31, real corpus pair) and the A2A server's `a2a-server` sessions (files written here,
 * modeled on the facts); copies of one conversation still collapse to the newest.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentLogEvent } from '../../src/model/events.js';
import { sha256Hex } from '../../src/util/ids.js';
import { buildHome, cleanupTemps, corpusFiles, eventsText, importHome } from '../../test/support/harness.js';
import { convertHome } from '../../test/support/convert-home.js';
import { geminiAdapter } from './index.js';

afterAll(cleanupTemps);

type Rec = Record<string, unknown>;
type Ev = AgentLogEvent & Rec;
const stamp = (t: unknown) => new Date(String(t)).toISOString().replace(/:/g, '-');

const pair = corpusFiles('gemini').filter((f) => f.includes('fabien-lessirard-dotfiles__'));

describe.skipIf(pair.length !== 2)('a sub-agent in its own file under the parent sessionId (corpus pair)', () => {
  const docs = pair.map((f) => ({
    f,
    name: f.slice(f.indexOf('__') + 2),
    doc: JSON.parse(readFileSync(f, 'utf8')) as Rec & { messages: Rec[] },
  }));
  const [parent, child] = [...docs].sort((a, b) => (String(a.doc.startTime) < String(b.doc.startTime) ? -1 : 1));
  const sid = String(parent!.doc.sessionId);
  const root = '/home/dev/dashboard';

  it('the pair shares the sessionId, with disjoint message ids and a later startTime', () => {
    expect(child!.doc.sessionId).toBe(sid);
    const ids = new Set(parent!.doc.messages.map((m) => m.id));
    expect(child!.doc.messages.some((m) => ids.has(m.id))).toBe(false);
    expect(String(child!.doc.startTime) > String(parent!.doc.startTime)).toBe(true);
  });

  it('gives two sessions, the later one a sub-agent of the first, each from both of its copies', async () => {
    // As in the user's home: both files in the hashed dir and again in the slug dir (a migration copy).
    const layout: Record<string, string | { copy: string }> = {
      'projects.json': JSON.stringify({ projects: { [root]: 'dashboard' } }),
    };
    for (const { f, name } of docs) {
      layout[`tmp/${sha256Hex(root)}/chats/${name}`] = { copy: f };
      layout[`tmp/dashboard/chats/${name}`] = { copy: f };
    }
    const { index, sessions, summary } = await importHome(geminiAdapter, buildHome(layout));
    expect(summary.errors).toEqual([]);
    const childId = `${sid}-${stamp(child!.doc.startTime)}`;
    expect(
      index.map((e) => [
        e.wrapper_session_id,
        e.provider_session_id,
        e.parent_session_id,
        e.tags,
        e.source_paths.length,
        e.started_at,
      ]),
    ).toEqual([
      [`gemini-${sid}`, sid, null, [], 2, new Date(String(parent!.doc.startTime)).toISOString()],
      [
        `gemini-${childId}`,
        sid,
        `gemini-${sid}`,
        ['subagent'],
        2,
        new Date(String(child!.doc.startTime)).toISOString(),
      ],
    ]);
    for (const [id, { doc }] of [
      [`gemini-${sid}`, parent!],
      [`gemini-${childId}`, child!],
    ] as const) {
      const events = sessions.get(id) as Ev[];
      const ids = new Set(events.map((e) => e.message_id).filter((m) => m !== undefined));
      expect([...ids].sort()).toEqual(
        doc.messages
          .filter((m) => m.type === 'user' || (m.type === 'gemini' && m.content !== ''))
          .map((m) => m.id)
          .sort(),
      );
    }
  });

  it('ids are stable: the parent alone keeps its id; with the sub-agent beside it, it still does', async () => {
    const alone = await importHome(geminiAdapter, buildHome({ [`tmp/p/chats/${parent!.name}`]: { copy: parent!.f } }));
    const both = await importHome(
      geminiAdapter,
      buildHome({
        [`tmp/p/chats/${parent!.name}`]: { copy: parent!.f },
        [`tmp/p/chats/${child!.name}`]: { copy: child!.f },
      }),
    );
    expect(alone.index.map((e) => e.wrapper_session_id)).toEqual([`gemini-${sid}`]);
    // The same events; the last line's entry lists each home's source paths.
    expect(eventsText(both.raw.get(`gemini-${sid}`)!)).toBe(eventsText(alone.raw.get(`gemini-${sid}`)!));
  });
});

describe('copies of one conversation and the A2A server', () => {
  const header = (sid: string, start: string, updated: string, extra: Rec = {}) =>
    JSON.stringify({
      sessionId: sid,
      projectHash: 'x',
      startTime: start,
      lastUpdated: updated,
      kind: 'main',
      ...extra,
    });
  const user = (id: string, ts: string, text: string) => ({ id, timestamp: ts, type: 'user', content: [{ text }] });
  const gemini = (id: string, ts: string, text: string) => ({
    id,
    timestamp: ts,
    type: 'gemini',
    content: text,
    model: 'gemini-2.5-pro',
    tokens: { input: 10, output: 2, cached: 0, thoughts: 0, tool: 0, total: 12 },
  });
  /** An A2A server file: header, then one checkpoint of the whole conversation. */
  const a2a = (start: string, updated: string, messages: Rec[]) =>
    `${header('a2a-server', start, updated)}\n${JSON.stringify({ $set: { messages, lastUpdated: updated } })}\n`;

  it('each A2A server session is a session of its own; a copy (same startTime) collapses to the newest', async () => {
    const s1 = '2026-06-03T07:46:10.000Z';
    const s2 = '2026-06-03T09:12:00.000Z';
    const first = [user('u1', s1, 'deploy the app'), gemini('g1', '2026-06-03T07:46:20.000Z', 'Deployed.')];
    const home = buildHome({
      'tmp/shell/chats/session-2026-06-03T07-46-a2a-serv.jsonl': a2a(s1, '2026-06-03T07:46:20.000Z', first.slice(0, 1)),
      'tmp/shell/chats/session-2026-06-03T07-50-a2a-serv.jsonl': a2a(s1, '2026-06-03T07:46:30.000Z', first),
      'tmp/shell/chats/session-2026-06-03T09-12-a2a-serv.jsonl': a2a(s2, '2026-06-03T09:12:30.000Z', [
        user('u2', s2, 'list the buckets'),
        gemini('g2', '2026-06-03T09:12:30.000Z', 'Two buckets.'),
      ]),
      'tmp/shell/logs.json': JSON.stringify([
        { sessionId: 'a2a-server', messageId: 0, type: 'user', message: 'deploy the app', timestamp: s1 },
      ]),
    });
    const { index, sessions, summary } = await importHome(geminiAdapter, home);
    expect(summary.errors).toEqual([]);
    expect(
      index.map((e) => [
        e.wrapper_session_id,
        e.provider_session_id,
        e.parent_session_id,
        e.source_paths.length,
        e.completeness,
      ]),
    ).toEqual([
      [`gemini-a2a-server-${stamp(s1)}`, 'a2a-server', null, 2, 'full'],
      [`gemini-a2a-server-${stamp(s2)}`, 'a2a-server', null, 1, 'full'],
    ]);
    const text = (id: string) =>
      (sessions.get(id) as Ev[])
        .filter((e) => e.type === 'user_message' || e.type === 'assistant_message')
        .map((e) => e.content);
    expect(text(`gemini-a2a-server-${stamp(s1)}`)).toEqual(['deploy the app', 'Deployed.']);
    expect(text(`gemini-a2a-server-${stamp(s2)}`)).toEqual(['list the buckets', 'Two buckets.']);
  });

  it('copies with a message in common are one conversation even when their startTimes differ', async () => {
    const sid = '7a7a7a7a-0000-4000-8000-000000000001';
    const m = [user('u1', '2026-03-01T10:00:01.000Z', 'hello'), gemini('g1', '2026-03-01T10:00:02.000Z', 'hi')];
    const home = buildHome({
      'tmp/p/chats/session-2026-03-01T10-00-7a7a7a7a.jsonl': `${header(sid, '2026-03-01T10:00:00.000Z', '2026-03-01T10:00:02.000Z')}\n${m.map((x) => JSON.stringify(x)).join('\n')}\n`,
      'tmp/p/chats/session-2026-03-02T08-00-7a7a7a7a.jsonl': `${header(sid, '2026-03-02T08:00:00.000Z', '2026-03-02T08:00:05.000Z')}\n${JSON.stringify(m[0])}\n${JSON.stringify(user('u2', '2026-03-02T08:00:05.000Z', 'again'))}\n`,
    });
    const sessions = await convertHome(geminiAdapter, home);
    expect(sessions.map((s) => [s.draft.id, s.draft.sourcePaths?.length])).toEqual([[sid, 2]]);
  });
});
