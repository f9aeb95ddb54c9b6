/**
 * The Copilot adapter over the real files of ../shared/corpus/copilot/ (read in place, laid out as a
 * `~/.copilot` in a temp home), checked against facts a separate simple pass computes from the
 * native files, plus the layout rules the fixtures do not show.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { AgentLogEvent } from '../../src/model/events.js';
import { buildHome, cleanupTemps, corpusDir, corpusFiles, importHome, tempDir } from '../../test/support/harness.js';
import { copilotAdapter } from './index.js';

afterAll(cleanupTemps);

type Raw = Record<string, unknown> & { type: string; data: Record<string, unknown>; timestamp: string };
type Ev = AgentLogEvent & Record<string, unknown>;

const iso = (s: unknown) => new Date(String(s)).toISOString();
const rawLines = (path: string): Raw[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Raw);
const of = (events: Ev[], type: string) => events.filter((e) => e.type === type);
const text = (s: unknown): s is string => typeof s === 'string' && s.trim() !== '';
const isStart = (r: Raw) => r.type === 'session.start' || r.type === 'session.resume';

/**
 * The workspace as the README names it: start/resume `context.cwd`, else `gitRoot`, else the
 * workspace.yaml `cwd` (else `git_root`), else the folder a `folder_trust` info message names.
 */
function rawWorkspace(raw: Raw[], yamlPath: string | null): string | null {
  for (const r of raw.filter(isStart)) {
    const ctx = r.data.context as { cwd?: string; gitRoot?: string } | undefined;
    if (text(ctx?.cwd)) return ctx.cwd;
    if (text(ctx?.gitRoot)) return ctx.gitRoot;
  }
  if (yamlPath !== null) {
    const y = parseYaml(readFileSync(yamlPath, 'utf8')) as { cwd?: string; git_root?: string };
    if (text(y.cwd)) return y.cwd;
    if (text(y.git_root)) return y.git_root;
  }
  const trust = raw.find((r) => r.type === 'session.info' && r.data.infoType === 'folder_trust');
  const folder = /^Folder (.+) has been added to trusted folders/.exec(String(trust?.data.message ?? ''));
  return folder ? folder[1]! : null;
}

/** The models a session notes, in order: start/resume `selectedModel`, `model_change`, `assistant.message` model. */
function rawModels(raw: Raw[]): string[] {
  return raw.flatMap((r) => {
    const m = isStart(r)
      ? r.data.selectedModel
      : r.type === 'session.model_change'
        ? r.data.newModel
        : r.type === 'assistant.message'
          ? r.data.model
          : undefined;
    return text(m) ? [m] : [];
  });
}

const corpus = corpusDir('copilot');

describe.skipIf(corpus === null)('copilot corpus', () => {
  const files = corpusFiles('copilot');
  const jsonl = files.filter((f) => f.endsWith('.jsonl'));
  const legacy = files.filter((f) => f.endsWith('.json') && !f.endsWith('vscode.metadata.json'));
  const yamlFile = files.find((f) => f.endsWith('workspace.yaml'));
  const metaFile = files.find((f) => f.endsWith('vscode.metadata.json'));

  // Lay the corpus out as a Copilot home: each file where the CLI that wrote it would have put it.
  const layout: Record<string, string | { copy: string }> = {};
  const idOf = new Map<string, string>();
  let sidecarSession: string | null = null;
  for (const f of jsonl) {
    const start = rawLines(f).find((r) => r.type === 'session.start')!;
    const id = String(start.data.sessionId);
    idOf.set(f, id);
    const hasContext = start.data.context !== undefined;
    if (!hasContext && sidecarSession === null && yamlFile) {
      // A session without a start context, in the directory layout with the real sidecars.
      sidecarSession = id;
      layout[`session-state/${id}/events.jsonl`] = { copy: f };
      layout[`session-state/${id}/workspace.yaml`] = { copy: yamlFile };
      if (metaFile) layout[`session-state/${id}/vscode.metadata.json`] = { copy: metaFile };
    } else if (String(start.data.copilotVersion).startsWith('0.')) layout[`session-state/${id}.jsonl`] = { copy: f };
    else layout[`session-state/${id}/events.jsonl`] = { copy: f };
  }
  for (const f of legacy) {
    const doc = JSON.parse(readFileSync(f, 'utf8')) as { sessionId: string; startTime: string };
    idOf.set(f, doc.sessionId);
    layout[`history-session-state/session_${doc.sessionId}_${Date.parse(doc.startTime)}.json`] = { copy: f };
  }
  const home = buildHome(layout);
  // The workspace each session must have, from the raw files (legacy JSON has none).
  const workspaceOf = new Map<string, string | null>([
    ...jsonl.map(
      (f) =>
        [
          `copilot-${idOf.get(f)}`,
          rawWorkspace(rawLines(f), idOf.get(f) === sidecarSession ? yamlFile! : null),
        ] as const,
    ),
    ...legacy.map((f) => [`copilot-${idOf.get(f)}`, null] as const),
  ]);
  const run = importHome(copilotAdapter, home);
  const session = async (file: string) => {
    const { sessions, index } = await run;
    const wrapper = `copilot-${idOf.get(file)}`;
    return {
      events: (sessions.get(wrapper) ?? []) as Ev[],
      entry: index.find((e) => e.wrapper_session_id === wrapper)!,
    };
  };

  it('imports every session of every layout once, without errors', async () => {
    const { summary, index } = await run;
    expect(summary.errors).toEqual([]);
    expect(index.map((e) => e.provider_session_id).sort()).toEqual([...new Set(idOf.values())].sort());
    expect(index.map((e) => e.format).sort()).toEqual(
      Object.keys(layout)
        .filter((k) => !k.endsWith('.yaml') && !k.endsWith('metadata.json'))
        .map((k) =>
          k.startsWith('history')
            ? 'copilot:legacy-json'
            : k.endsWith('events.jsonl')
              ? 'copilot:dir'
              : 'copilot:jsonl',
        )
        .sort(),
    );
  });

  it.each(jsonl.map((f) => [basename(f), f]))(
    '%s: one tool_call per toolCallId, results joined to their names',
    async (_n, f) => {
      const raw = rawLines(f);
      const names = new Map<string, string>();
      for (const r of raw) {
        if (r.type === 'tool.execution_start') {
          const d = r.data as { toolCallId: string; toolName: string; mcpServerName?: string; mcpToolName?: string };
          names.set(d.toolCallId, d.mcpServerName ? `${d.mcpServerName}/${d.mcpToolName ?? d.toolName}` : d.toolName);
        }
        if (r.type === 'assistant.message') {
          for (const t of (r.data.toolRequests ?? []) as {
            toolCallId: string;
            name: string;
            mcpServerName?: string;
            mcpToolName?: string;
          }[]) {
            if (!names.has(t.toolCallId))
              names.set(t.toolCallId, t.mcpServerName ? `${t.mcpServerName}/${t.mcpToolName ?? t.name}` : t.name);
          }
        }
      }
      const { events } = await session(f);
      const calls = of(events, 'tool_call');
      expect(calls.map((c) => c.tool_id).sort()).toEqual([...names.keys()].sort());
      for (const c of calls) expect(c.tool_name).toBe(names.get(c.tool_id as string));
      const completes = raw.filter((r) => r.type === 'tool.execution_complete');
      const results = of(events, 'tool_result');
      expect(results.length).toBe(completes.length);
      for (const r of results) {
        expect(r.tool_name).toBe(names.get(r.tool_id as string));
        expect(r.tool_kind).toBeDefined();
      }
    },
  );

  it.each(jsonl.map((f) => [basename(f), f]))(
    '%s: usage is the sum of modelMetrics over shutdowns, each part counted once',
    async (_n, f) => {
      const shutdowns = rawLines(f).filter((r) => r.type === 'session.shutdown');
      const want = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, calls: 0 };
      type Metric = { usage: Record<string, number>; tokenDetails?: Record<string, { tokenCount: number }> };
      for (const s of shutdowns) {
        for (const m of Object.values((s.data.modelMetrics ?? {}) as Record<string, Metric>)) {
          // tokenDetails has the parts apart; else inputTokens holds cache reads and writes.
          const d = m.tokenDetails;
          want.input += d
            ? d.input!.tokenCount
            : (m.usage.inputTokens ?? 0) - (m.usage.cacheReadTokens ?? 0) - (m.usage.cacheWriteTokens ?? 0);
          want.output += d ? d.output!.tokenCount : (m.usage.outputTokens ?? 0);
          want.cacheRead += d ? d.cache_read!.tokenCount : (m.usage.cacheReadTokens ?? 0);
          want.cacheWrite += d ? d.cache_write!.tokenCount : (m.usage.cacheWriteTokens ?? 0);
          want.calls++;
        }
      }
      const { entry, events } = await session(f);
      expect(entry.usage).toEqual({
        input_tokens: want.input,
        output_tokens: want.output,
        cache_read_tokens: want.cacheRead,
        cache_creation_tokens: want.cacheWrite,
        calls: want.calls,
      });
      expect(of(events, 'usage').length).toBe(want.calls);
      expect(entry.completeness_reasons.includes('usage unavailable')).toBe(shutdowns.length === 0);
      expect(entry.completeness_reasons.filter((r) => r.startsWith('usage differs'))).toEqual([]);
    },
  );

  it.each(jsonl.map((f) => [basename(f), f]))('%s: native timestamps, prompts, model and workspace', async (_n, f) => {
    const raw = rawLines(f);
    const times = new Set(raw.map((r) => iso(r.timestamp)));
    const { events, entry } = await session(f);
    for (const e of events) expect(times.has(e.ts), `${e.type} ${e.ts}`).toBe(true);
    const sorted = [...times].sort();
    expect(entry.started_at).toBe(sorted[0]);
    expect(entry.ended_at).toBe(sorted[sorted.length - 1]);
    const typed = raw.filter((r) => r.type === 'user.message' && String(r.data.content ?? '').trim() !== '');
    expect(
      of(events, 'user_message')
        .filter((e) => e.role === 'user')
        .map((e) => e.content),
    ).toEqual(typed.map((r) => r.data.content));
    // The expanded prompt is kept beside the typed one exactly when it differs.
    const expanded = typed.map((r) =>
      typeof r.data.transformedContent === 'string' &&
      r.data.transformedContent.trim() !== '' &&
      r.data.transformedContent !== r.data.content
        ? r.data.transformedContent
        : undefined,
    );
    expect(
      of(events, 'user_message')
        .filter((e) => e.role === 'user')
        .map((e) => (e.data as { transformedContent?: string } | undefined)?.transformedContent),
    ).toEqual(expanded);
    const workspace = rawWorkspace(raw, idOf.get(f) === sidecarSession ? yamlFile! : null);
    expect(entry.workspace_path).toBe(workspace);
    expect(events[0]!.type).toBe('session_started');
    expect(events[0]!.cwd).toBe(workspace ?? undefined);
    // session_started names the first model noted, the index the most noted (ties: the first).
    const models = rawModels(raw);
    if (models.length === 0) {
      expect(events[0]!.model).toBeUndefined();
      expect(entry.model).toBeNull();
    } else {
      expect(events[0]!.model).toBe(models[0]);
      const count = (m: string) => models.filter((x) => x === m).length;
      expect(entry.model).toBe(models.reduce((best, m) => (count(m) > count(best) ? m : best)));
    }
  });

  it.each(legacy.map((f) => [basename(f), f]))('%s: legacy chatMessages with timeline times', async (_n, f) => {
    const doc = JSON.parse(readFileSync(f, 'utf8')) as {
      startTime: string;
      chatMessages: { role: string; content?: string; tool_calls?: { id: string }[] }[];
      timeline: { type: string; timestamp: string; callId?: string; text?: string }[];
    };
    const { events, entry } = await session(f);
    const ids = new Set([
      ...doc.chatMessages.flatMap((m) => (m.tool_calls ?? []).map((c) => c.id)),
      ...doc.timeline.flatMap((t) => (t.callId ? [t.callId] : [])),
    ]);
    const calls = of(events, 'tool_call');
    expect(calls.length).toBe(ids.size);
    expect(new Set(calls.map((c) => c.tool_id))).toEqual(ids);
    // Assistant texts: every non-empty one of the chat, plus the timeline `copilot` texts no chat
    // text matched (equal text, each timeline entry matched once).
    const chatTexts = doc.chatMessages.flatMap((m) => (m.role === 'assistant' && text(m.content) ? [m.content] : []));
    const unmatched = [...chatTexts];
    const timelineOnly = doc.timeline.flatMap((t) => {
      if (t.type !== 'copilot' || !text(t.text)) return [];
      const i = unmatched.indexOf(t.text);
      if (i < 0) return [t.text];
      unmatched.splice(i, 1);
      return [];
    });
    expect(
      of(events, 'assistant_message')
        .map((e) => e.content)
        .sort(),
    ).toEqual([...chatTexts, ...timelineOnly].sort());
    const times = new Set([iso(doc.startTime), ...doc.timeline.map((t) => iso(t.timestamp))]);
    for (const e of events) expect(times.has(e.ts)).toBe(true);
    expect(entry.started_at).toBe(iso(doc.startTime));
    // No cwd or model exists in this format.
    expect(entry.workspace_path).toBeNull();
    expect(entry.model).toBeNull();
    expect(entry.usage.calls).toBe(0);
    expect(entry.completeness_reasons).toContain('usage unavailable');
  });

  it.each(legacy.map((f) => [basename(f), f]))(
    '%s: with chatMessages emptied, the timeline alone is the transcript',
    async (_n, f) => {
      const doc = JSON.parse(readFileSync(f, 'utf8')) as {
        sessionId: string;
        chatMessages: unknown[];
        timeline: { type: string; timestamp: string; text?: string; callId?: string; name?: string }[];
      };
      doc.chatMessages = [];
      const h = tempDir('home-');
      const path = join(h, 'history-session-state', `session_${doc.sessionId}_1.json`);
      buildHome({ [`history-session-state/session_${doc.sessionId}_1.json`]: '' }, h);
      writeFileSync(path, JSON.stringify(doc));
      const { sessions } = await importHome(copilotAdapter, h);
      const events = [...sessions.values()][0] as Ev[];
      const count = (type: string) =>
        doc.timeline.filter((t) => t.type === type && (type === 'tool_call_completed' || (t.text ?? '').trim() !== ''))
          .length;
      expect(of(events, 'tool_call').length).toBe(count('tool_call_completed'));
      expect(of(events, 'tool_result').length).toBe(count('tool_call_completed'));
      expect(of(events, 'assistant_message').length).toBe(count('copilot'));
      expect(of(events, 'user_message').map((e) => e.content)).toEqual(
        doc.timeline.filter((t) => t.type === 'user').map((t) => t.text),
      );
      const body = events.slice(1, -1);
      expect(body.map((e) => e.ts)).toEqual(
        doc.timeline.flatMap((t) =>
          t.type === 'tool_call_completed'
            ? [iso(t.timestamp), iso(t.timestamp)]
            : (t.text ?? '').trim() !== ''
              ? [iso(t.timestamp)]
              : [],
        ),
      );
    },
  );

  it('is deterministic and incremental', async () => {
    const first = await run;
    const again = await importHome(copilotAdapter, home);
    expect([...again.raw.entries()]).toEqual([...first.raw.entries()]);
    const rerun = await importHome(copilotAdapter, home, { logsDir: first.logsDir });
    expect(rerun.summary.providers.copilot!.pending_units).toBe(0);
    expect([...rerun.raw.entries()]).toEqual([...first.raw.entries()]);
  });

  it('--root keeps only the sessions whose workspace is inside it', async () => {
    // Roots from the raw workspaces: each one, its parent folder, and a string prefix that is not a folder of it.
    const workspaces = [...new Set([...workspaceOf.values()].filter((w): w is string => w !== null))];
    expect(workspaces.length).toBeGreaterThan(1);
    for (const root of workspaces.flatMap((w) => [w, dirname(w), w.slice(0, -1)])) {
      const scoped = await importHome(copilotAdapter, home, { root });
      const inside = [...workspaceOf]
        .filter(([, w]) => w !== null && (w === root || w.startsWith(`${root}/`)))
        .map(([id]) => id);
      expect(scoped.index.map((e) => e.wrapper_session_id).sort(), root).toEqual(inside.sort());
    }
  });
});

describe('copilot layouts', () => {
  const start = (id: string, ts: string) =>
    JSON.stringify({
      type: 'session.start',
      data: { sessionId: id, context: { cwd: '/w' } },
      id: `${id}-s`,
      timestamp: ts,
      parentId: null,
    });
  const user = (n: string, ts: string) =>
    JSON.stringify({ type: 'user.message', data: { content: `prompt ${n}` }, id: n, timestamp: ts, parentId: null });

  it('one session in the flat and directory layouts is one session: the newer owns its time', async () => {
    const home = buildHome({
      'session-state/s1.jsonl':
        [
          start('s1', '2026-01-01T00:00:00Z'),
          user('a', '2026-01-01T00:00:01Z'),
          user('b', '2026-01-01T00:00:02Z'),
        ].join('\n') + '\n',
      'session-state/s1/events.jsonl':
        [user('b', '2026-01-01T00:00:02Z'), user('c', '2026-01-01T00:00:03Z')].join('\n') + '\n',
      'session-state/s2/workspace.yaml': 'cwd: /w\n',
    });
    const { index, sessions, summary } = await importHome(copilotAdapter, home);
    expect(summary.errors).toEqual([]);
    expect(index.map((e) => e.wrapper_session_id)).toEqual(['copilot-s1']);
    expect(index[0]!.source_paths.length).toBe(2);
    expect(of(sessions.get('copilot-s1') as Ev[], 'user_message').map((e) => e.content)).toEqual([
      'prompt a',
      'prompt b',
      'prompt c',
    ]);
  });

  it('a file that is not JSON at all gives parse warnings, not a failure', async () => {
    const home = buildHome({
      'session-state/bad.jsonl': 'not json\n\u0000\u0000',
      'history-session-state/session_x_1.json': '',
    });
    const { index, summary } = await importHome(copilotAdapter, home);
    expect(summary.errors).toEqual([]);
    expect(index.map((e) => [e.wrapper_session_id, e.completeness])).toEqual([
      ['copilot-bad', 'metadata_only'],
      ['copilot-x', 'metadata_only'],
    ]);
  });
});
