/**
 * Gemini adapter tests. The corpus suite lays every real file of ../shared/corpus/gemini/ out as a
 * Gemini home (copied at test time into a temp dir) and checks the import against facts computed
 * here, from the raw file, by a separate simple replay.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHome, cleanupTemps, corpusFiles, importHome, tempDir } from '../../test/support/harness.js';
import type { AgentLogEvent } from '../../src/model/events.js';
import { sha256Hex } from '../../src/util/ids.js';
import { geminiAdapter } from './index.js';
import { projectIndex } from './workspace.js';

afterAll(cleanupTemps);

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The raw file, replayed naively: metadata and the final copy of each message, in first-seen order. */
function replay(path: string): { meta: Rec; messages: Rec[] } {
  const text = readFileSync(path, 'utf8');
  if (!path.endsWith('.jsonl')) {
    const doc = JSON.parse(text) as Rec;
    return { meta: doc, messages: doc.messages as Rec[] };
  }
  const meta: Rec = {};
  let order: string[] = [];
  const byId = new Map<string, Rec>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as Rec;
    if (typeof r.$rewindTo === 'string') {
      const at = order.indexOf(r.$rewindTo);
      order = at < 0 ? [] : order.slice(0, at);
    } else if (typeof r.id === 'string') {
      if (!byId.has(r.id) || !order.includes(r.id)) order.push(r.id);
      byId.set(r.id, r);
    } else if (isRec(r.$set)) {
      if (Array.isArray(r.$set.messages)) {
        order = (r.$set.messages as Rec[]).map((m) => m.id as string);
        for (const m of r.$set.messages as Rec[]) byId.set(m.id as string, m);
      }
      Object.assign(meta, r.$set);
    } else Object.assign(meta, r);
  }
  return { meta, messages: order.map((id) => byId.get(id)!) };
}

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p) => (isRec(p) && typeof p.text === 'string' && p.thought !== true ? p.text : '')).join('');
  return isRec(content) && typeof content.text === 'string' ? content.text : '';
}

const iso = (t: unknown) => new Date(String(t)).toISOString();
const n = (v: unknown) => (typeof v === 'number' ? v : 0);

const files = corpusFiles('gemini').filter((f) => /\.jsonl?$/.test(f));

describe.skipIf(files.length === 0)('gemini corpus', () => {
  const root = '/home/dev/projects/corpus-owner';
  const raw = new Map(files.map((f) => [f, replay(f)]));
  const layout: Record<string, string | { copy: string }> = { 'tmp/corpus-owner/.project_root': root };
  // Each file under the name the CLI gave it (a pair sharing a sessionId sits side by side), else
  // under a name made from its sessionId.
  const nameOf = new Map<string, string>();
  for (const f of files) {
    const { meta } = raw.get(f)!;
    const id8 = String(meta.sessionId).slice(0, 8);
    const ext = f.endsWith('.jsonl') ? 'jsonl' : 'json';
    const native = /__(session-[^/]+)$/.exec(f)?.[1];
    nameOf.set(f, native ?? `session-2026-01-01T00-00-${id8}.${ext}`);
    layout[`tmp/corpus-owner/chats/${nameOf.get(f)!}`] = { copy: f };
  }

  it('imports every file as one session with native times, messages, tools, reasoning order and usage', async () => {
    const home = buildHome(layout);
    const result = await importHome(geminiAdapter, home);
    expect(result.summary.errors).toEqual([]);
    expect(result.index).toHaveLength(files.length);
    for (const f of files) {
      const { meta, messages } = raw.get(f)!;
      const label = basename(f);
      const entry = result.index.find((e) => e.source_paths.some((p) => p.endsWith(`/${nameOf.get(f)!}`)));
      expect(entry, label).toBeDefined();
      expect(entry!.provider_session_id, label).toBe(meta.sessionId);
      const events = result.sessions.get(entry!.wrapper_session_id)!;
      const of = (type: string) => events.filter((e) => e.type === type) as (AgentLogEvent & Rec)[];

      // Native times: the session starts at startTime; each message keeps its own timestamp.
      expect(entry!.started_at, label).toBe(iso(meta.startTime));
      expect(entry!.workspace_path, label).toBe(root);
      const users = messages.filter((m) => m.type === 'user');
      const prompts = users.filter(
        (m) => text(m.displayContent ?? m.content).trim() !== '' || text(m.content).trim() !== '',
      );
      expect(
        of('user_message').map((e) => e.ts),
        label,
      ).toEqual(prompts.map((m) => iso(m.timestamp)));
      expect(
        of('user_message').map((e) => e.message_id),
        label,
      ).toEqual(prompts.map((m) => m.id));

      const gemini = messages.filter((m) => m.type === 'gemini');
      expect(
        of('assistant_message').map((e) => e.message_id),
        label,
      ).toEqual(gemini.filter((m) => text(m.content) !== '').map((m) => m.id));
      const notices = messages.filter((m) => m.type === 'info' || m.type === 'error' || m.type === 'warning');
      expect(of('provider_status').length, label).toBe(notices.length);

      // Tool calls: one call and one result per toolCalls[] entry, joined by id, status kept.
      const calls = gemini.flatMap((m) => (Array.isArray(m.toolCalls) ? (m.toolCalls as Rec[]) : []));
      expect(
        of('tool_call').map((e) => e.tool_name),
        label,
      ).toEqual(calls.map((c) => c.name));
      expect(
        of('tool_result').map((e) => e.success),
        label,
      ).toEqual(calls.map((c) => c.status === 'success'));
      expect(
        of('tool_result').map((e) => e.tool_id),
        label,
      ).toEqual(of('tool_call').map((e) => e.tool_id));

      // Reasoning comes before the answer of its message.
      const seqOf = (type: string, id: unknown) =>
        events.filter((e) => e.type === type && (e as Rec).message_id === id).map((e) => e.seq);
      for (const m of gemini) {
        const thoughts = Array.isArray(m.thoughts) ? m.thoughts.length : 0;
        const reasoning = seqOf('reasoning', m.id);
        expect(reasoning.length, `${label} ${String(m.id)}`).toBe(thoughts);
        for (const answer of seqOf('assistant_message', m.id))
          for (const r of reasoning) expect(r).toBeLessThan(answer);
      }

      // Usage: the sum of the final copy of each message's tokens (cached ⊆ input; thoughts → output).
      const tokens = gemini.map((m) => m.tokens).filter(isRec);
      const counted = tokens.filter((t) => n(t.input) + n(t.output) + n(t.cached) + n(t.thoughts) + n(t.tool) > 0);
      expect(entry!.usage, label).toEqual({
        input_tokens: counted.reduce((s, t) => s + n(t.input) + n(t.tool) - n(t.cached), 0),
        output_tokens: counted.reduce((s, t) => s + n(t.output) + n(t.thoughts), 0),
        cache_read_tokens: counted.reduce((s, t) => s + n(t.cached), 0),
        cache_creation_tokens: 0,
        calls: counted.length,
      });

      // The index model is the most used one.
      const counts = new Map<string, number>();
      for (const m of gemini) if (typeof m.model === 'string') counts.set(m.model, (counts.get(m.model) ?? 0) + 1);
      const top = [...counts].reduce<[string, number] | null>(
        (best, c) => (best === null || c[1] > best[1] ? c : best),
        null,
      );
      expect(entry!.model, label).toBe(top?.[0] ?? null);

      // Completeness: full, unless no tool call was recorded in the v0.6–v0.8 window.
      const inGap = gemini.some((m) => iso(m.timestamp) >= '2025-09-15' && iso(m.timestamp) < '2025-10-21');
      expect(entry!.completeness, label).toBe(
        calls.length === 0 && inGap && !gemini.some((m) => 'toolCalls' in m) ? 'partial' : 'full',
      );
    }
  });

  it('merges twins and migrated copies by sessionId and honours --root', async () => {
    const jsonl = files.find((f) => f.endsWith('.jsonl')) ?? files[0]!;
    const { meta, messages } = raw.get(jsonl)!;
    const id8 = String(meta.sessionId).slice(0, 8);
    const ext = jsonl.endsWith('.jsonl') ? 'jsonl' : 'json';
    const header = JSON.stringify({
      sessionId: meta.sessionId,
      projectHash: meta.projectHash,
      startTime: '2026-06-01T00:00:00.000Z',
      lastUpdated: '2026-06-01T00:00:00.000Z',
    });
    const home = buildHome({
      'projects.json': JSON.stringify({ projects: { [root]: 'corpus-owner' } }),
      [`tmp/${sha256Hex(root)}/chats/session-2026-01-01T00-00-${id8}.${ext}`]: { copy: jsonl },
      [`tmp/corpus-owner/chats/session-2026-01-01T00-00-${id8}.${ext}`]: { copy: jsonl },
      [`tmp/corpus-owner/chats/session-2026-06-01T00-00-${id8}.jsonl`]: `${header}\n`,
    });
    const all = await importHome(geminiAdapter, home);
    expect(all.index).toHaveLength(1);
    expect(all.index[0]!.source_paths).toHaveLength(3);
    expect(all.index[0]!.workspace_path).toBe(root);
    const events = [...all.sessions.values()][0]!;
    expect(
      events.filter((e) => e.type === 'user_message' || e.type === 'assistant_message' || e.type === 'provider_status')
        .length,
    ).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'provider_status')).toHaveLength(
      messages.filter((m) => m.type === 'info' || m.type === 'error' || m.type === 'warning').length,
    );

    const inside = await importHome(geminiAdapter, home, { root });
    expect(inside.index.map((e) => e.provider_session_id)).toEqual([meta.sessionId]);
    const outside = await importHome(geminiAdapter, home, { root: '/home/dev/projects/someone-else' });
    expect(outside.index).toEqual([]);
  });

  it('writes byte-identical output for identical input', async () => {
    const home = buildHome(layout);
    const a = await importHome(geminiAdapter, home);
    const b = await importHome(geminiAdapter, home, { force: true });
    expect([...b.raw]).toEqual([...a.raw]);
  });
});

describe('gemini home and retention', () => {
  it('finds ~/.gemini, or $GEMINI_CLI_HOME/.gemini', () => {
    expect(geminiAdapter.home.resolve({ env: {}, homedir: '/h' })).toEqual([{ path: '/h/.gemini', via: 'default' }]);
    expect(geminiAdapter.home.resolve({ env: { GEMINI_CLI_HOME: '/iso' }, homedir: '/h' })).toEqual([
      { path: '/iso/.gemini', via: 'GEMINI_CLI_HOME' },
    ]);
  });

  it('reads general.sessionRetention, defaulting to 30 days', async () => {
    const retention = (settings?: string) =>
      geminiAdapter.retention(settings === undefined ? tempDir() : buildHome({ 'settings.json': settings }));
    expect((await retention())?.days).toBe(30);
    expect((await retention('{"general":{"sessionRetention":{"maxAge":"2w"}}}'))?.days).toBe(14);
    expect((await retention('{\n  // keep a day\n  "general": {"sessionRetention": {"maxAge": "24h"}}\n}'))?.days).toBe(
      1,
    );
    expect((await retention('{"general":{"sessionRetention":{"maxAge":"3m"}}}'))?.days).toBe(90);
    expect(await retention('{"general":{"sessionRetention":{"enabled":false,"maxAge":"7d"}}}')).toBeNull();
    expect((await retention('{"general":{}}'))?.days).toBe(30);
  });
});

describe('gemini bad input', () => {
  it('reports garbage and empty files without failing the other sessions', async () => {
    const header = JSON.stringify({
      sessionId: 'e1e2e3e4-0000-4000-8000-000000000001',
      projectHash: 'x',
      startTime: '2026-02-01T10:00:00.000Z',
      lastUpdated: '2026-02-01T10:00:00.000Z',
    });
    const prompt = JSON.stringify({ id: 'u', timestamp: '2026-02-01T10:00:01.000Z', type: 'user', content: 'hello' });
    const home = buildHome({
      'tmp/p/chats/session-2026-02-01T10-00-e1e2e3e4.jsonl': `${header}\n${prompt}\nnot json\n{"id":"q","type":"qwen","timestamp":"2026-02-01T10:00:02.000Z"}\n`,
      'tmp/p/chats/session-2026-02-01T10-05-00000000.jsonl': '',
      'tmp/p/chats/session-2026-02-01T10-06-11111111.jsonl': 'garbage\n',
      'tmp/p/logs.json':
        '[{"sessionId":"s","messageId":0,"type":"user","message":"hi","timestamp":"2026-02-01T09:00:00.000Z"},{"sessionId":"s","mess',
    });
    const result = await importHome(geminiAdapter, home);
    const entry = result.index.find((e) => e.provider_session_id === 'e1e2e3e4-0000-4000-8000-000000000001')!;
    expect(entry.completeness).toBe('partial');
    expect(entry.completeness_reasons).toEqual([
      '1 native record(s) could not be parsed',
      'unknown record type qwen (1 records)',
    ]);
    expect(result.summary.errors.map((e) => basename(e.path))).toEqual(['session-2026-02-01T10-06-11111111.jsonl']);
    expect(result.index.find((e) => e.provider_session_id === 's')?.format).toBe('gemini:logs');
    expect(result.summary.warnings.some((w) => w.includes('logs.json'))).toBe(true);
  });

  it('re-converts a session when a twin appears, without importing it twice', async () => {
    const sid = 'f1f2f3f4-0000-4000-8000-000000000002';
    const doc = {
      sessionId: sid,
      projectHash: 'x',
      startTime: '2026-03-01T10:00:00.000Z',
      lastUpdated: '2026-03-01T10:00:01.000Z',
      messages: [{ id: 'a', timestamp: '2026-03-01T10:00:01.000Z', type: 'user', content: 'first' }],
    };
    const home = buildHome({ 'tmp/p/chats/session-2026-03-01T10-00-f1f2f3f4.json': JSON.stringify(doc, null, 2) });
    const logsDir = tempDir();
    const first = await importHome(geminiAdapter, home, { logsDir });
    expect(first.summary.providers.gemini!.new_sessions).toBe(1);
    const lines = [
      JSON.stringify({ sessionId: sid, projectHash: 'x', startTime: doc.startTime, lastUpdated: doc.lastUpdated }),
      JSON.stringify(doc.messages[0]),
      JSON.stringify({ id: 'b', timestamp: '2026-03-02T09:00:00.000Z', type: 'user', content: 'second' }),
      JSON.stringify({ $set: { lastUpdated: '2026-03-02T09:00:00.000Z' } }),
    ];
    buildHome({ 'tmp/p/chats/session-2026-03-01T10-00-f1f2f3f4.jsonl': `${lines.join('\n')}\n` }, home);
    const second = await importHome(geminiAdapter, home, { logsDir });
    expect(second.summary.providers.gemini!.updated_sessions).toBe(1);
    expect(second.summary.warnings).toEqual([]);
    expect(second.index).toHaveLength(1);
    const events = [...second.sessions.values()][0]!;
    expect(events.filter((e) => e.type === 'user_message').map((e) => (e as Rec).content)).toEqual(['first', 'second']);
    const third = await importHome(geminiAdapter, home, { logsDir });
    expect(third.summary.providers.gemini!.unchanged_units).toBe(1);
  });
});

describe('gemini project index', () => {
  const filesOf = (home: string, rels: string[]) =>
    rels.map((rel) => {
      const st = statSync(join(home, rel));
      return { path: join(home, rel), rel, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, dev: st.dev };
    });

  it('is read once per discovery (file list), and again for a new one', async () => {
    const home = buildHome({
      'projects.json': JSON.stringify({ projects: { '/w/one': 'one' } }),
      'tmp/two/.project_root': '/w/two\n',
    });
    const rels = ['projects.json', 'tmp/two/.project_root', 'tmp/one/logs.json'];
    buildHome({ 'tmp/one/logs.json': '[]' }, home);
    const files = filesOf(home, rels);
    const stats = { bytesRead: 0 };
    const first = projectIndex(files, stats, () => {});
    expect(projectIndex(files, stats, () => {})).toBe(first);
    const index = await first;
    expect([index.resolve('one'), index.resolve('two'), index.resolve(sha256Hex('/w/two'))]).toEqual([
      '/w/one',
      '/w/two',
      '/w/two',
    ]);
    const read = stats.bytesRead;
    expect(read).toBeGreaterThan(0);
    await projectIndex(files, stats, () => {});
    expect(stats.bytesRead).toBe(read);

    writeFileSync(join(home, 'projects.json'), JSON.stringify({ projects: { '/w/uno': 'one' } }));
    const next = await projectIndex(filesOf(home, rels), stats, () => {});
    expect(next.resolve('one')).toBe('/w/uno');
  });
});
