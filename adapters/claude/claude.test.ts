/**
 * Claude adapter tests: discovery rules, cross-file resume dedupe, retention, and every real file
 * of ../shared/corpus/claude/ imported from a home laid out as on disk, checked against facts a
 * separate simple pass computes from the raw lines.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentLogEvent } from '../../src/model/events.js';
import { normalizeTimestamp } from '../../src/util/time.js';
import { buildHome, cleanupTemps, corpusFiles, importHome, type ImportResult } from '../../test/support/harness.js';
import { claudeAdapter, claudeUnits } from './index.js';

afterAll(cleanupTemps);

const line = (o: Record<string, unknown>) => `${JSON.stringify(o)}\n`;
const P = 'projects/-home-dev-w';

describe('claude discovery and units', () => {
  it('reads every CLAUDE_CONFIG_DIR entry, else ~/.claude and the XDG dir', () => {
    const fromEnv = claudeAdapter.home.resolve({ env: { CLAUDE_CONFIG_DIR: '/a, ~/b' }, homedir: '/h' });
    expect(fromEnv.map((c) => c.path)).toEqual(['/a', '/h/b']);
    const dflt = claudeAdapter.home.resolve({ env: { XDG_CONFIG_HOME: '/x' }, homedir: '/h' });
    expect(dflt.map((c) => c.path)).toEqual(['/h/.claude', '/x/claude']);
  });

  it('groups a session file with its folder, and a flat agent file alone', () => {
    const f = (rel: string) => ({ path: `/home/${rel}`, rel, size: 1, mtimeMs: 1, ino: 1, dev: 1 });
    const units = claudeUnits(
      [f(`${P}/s1.jsonl`), f(`${P}/s1/subagents/agent-a1.jsonl`), f(`${P}/s1/tool-results/t.txt`), f(`${P}/agent-b.jsonl`), f(`${P}/s2/subagents/agent-c.jsonl`)],
      '/home',
    );
    expect(units.map((u) => [u.key, u.files.map((x) => basename(x.rel))])).toEqual([
      [`/home/${P}/s1.jsonl`, ['s1.jsonl', 'agent-a1.jsonl', 't.txt']],
      [`/home/${P}/agent-b.jsonl`, ['agent-b.jsonl']],
      [`/home/${P}/s2.jsonl`, ['agent-c.jsonl']],
    ]);
  });

  it('reads cleanupPeriodDays, defaulting to 30', async () => {
    expect((await claudeAdapter.retention(buildHome({ 'settings.json': '{"cleanupPeriodDays": 7}' })))?.days).toBe(7);
    expect((await claudeAdapter.retention(buildHome({ 'settings.json': '{}' })))?.days).toBe(30);
  });
});

describe('claude resumed copies', () => {
  const A = 'aaaaaaaa-0000-4000-8000-000000000001';
  const B = 'aaaaaaaa-0000-4000-8000-000000000002';
  const copied = [
    line({ type: 'user', uuid: 'c1', sessionId: A, cwd: '/w', timestamp: '2025-08-01T10:00:00.000Z', message: { role: 'user', content: 'first' } }),
    line({ type: 'assistant', uuid: 'c2', sessionId: A, cwd: '/w', timestamp: '2025-08-01T10:00:01.000Z', requestId: 'r', message: { id: 'm', model: 'x', content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: 1, output_tokens: 5 } } }),
  ].join('');
  const own = line({ type: 'user', uuid: 'c3', sessionId: B, cwd: '/w', timestamp: '2025-08-02T10:00:00.000Z', message: { role: 'user', content: 'second' } });

  it('keeps the copied history once, in its own session, when the original file is gone', async () => {
    const r = await importHome(claudeAdapter, buildHome({ [`${P}/${B}.jsonl`]: copied + own }));
    expect(r.index.map((e) => [e.wrapper_session_id, e.event_count, e.usage.output_tokens]).sort()).toEqual([
      [`claude-${A}`, 5, 5],
      [`claude-${B}`, 3, 0],
    ]);
  });

  it('does not emit the copy twice when the original is imported too', async () => {
    const r = await importHome(claudeAdapter, buildHome({ [`${P}/${A}.jsonl`]: copied, [`${P}/${B}.jsonl`]: copied + own }));
    const prompts = [...r.sessions.values()].flat().filter((e) => e.type === 'user_message');
    expect(prompts.map((e) => e.content).sort()).toEqual(['first', 'second']);
    expect(r.summary.warnings).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The real corpus, read in place: each file placed where Claude Code keeps it.

type Raw = Record<string, any>;
const files = corpusFiles('claude');
const readRaw = (path: string): Raw[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Raw];
      } catch {
        return [];
      }
    });

interface Expected {
  file: string;
  wrapperId: string;
  parent: string | null;
  prompts: number;
  toolUses: number;
  toolResults: number;
  outputTokens: number;
  inputTokens: number;
  calls: number;
  /** Sorted `tool_use_id` of the tool_result blocks, and the name of each tool_use by its id. */
  resultIds: string[];
  toolNames: Map<string, string>;
  /** The first `cwd` of the conversation lines. */
  workspace: string | null;
  /** Most used model, counted once per response (ties: the first seen), and the first seen. */
  model: string | null;
  firstModel: string | null;
  completeness: string;
  warmup: boolean;
  times: Set<string>;
  first: string | undefined;
  last: string | undefined;
}

/** A separate, plain reading of one native file: what its imported session must show. */
function expectedOf(path: string, raw: Raw[]): Expected {
  const name = basename(path).replace(/^[^_]+__/, '');
  const conv = raw.filter((r) => r.type === 'user' || r.type === 'assistant' || r.type === 'system');
  const sid: string = raw.find((r) => typeof r.sessionId === 'string')?.sessionId ?? name.replace(/\.jsonl$/, '');
  const agent = name.startsWith('agent-') ? name.replace(/^agent-|\.jsonl$/g, '') : null;
  const blocks = (r: Raw): Raw[] => (Array.isArray(r.message?.content) ? r.message.content : []);
  const users = conv.filter((r) => r.type === 'user');
  const textOf = (r: Raw) => (typeof r.message.content === 'string' ? r.message.content : blocks(r).find((b) => b.type === 'text')?.text);
  const typed = users.filter((r) => {
    if (r.isMeta || r.isCompactSummary || blocks(r).some((b) => b.type === 'tool_result')) return false;
    const t = textOf(r);
    return typeof t === 'string' && !/^\s*(<|\[Request interrupted|Caveat:)/.test(t);
  });
  const responses = new Map<string, Raw>();
  const modelOf = new Map<string, string>();
  for (const r of conv) {
    // API errors (synthetic lines) have no usage and no model.
    if (r.type !== 'assistant' || r.message?.model === '<synthetic>' || r.isApiErrorMessage) continue;
    const key = `${r.message.id}/${r.requestId}`;
    const prev = responses.get(key);
    if (!prev || r.message.usage.output_tokens >= prev.message.usage.output_tokens) responses.set(key, r);
    if (!modelOf.has(key) && typeof r.message.model === 'string') modelOf.set(key, r.message.model);
  }
  const modelCounts = new Map<string, number>();
  for (const m of modelOf.values()) modelCounts.set(m, (modelCounts.get(m) ?? 0) + 1);
  const model = [...modelCounts].reduce<[string | null, number]>((best, [m, n]) => (n > best[1] ? [m, n] : best), [null, 0])[0];
  const toolNames = new Map<string, string>();
  for (const r of conv) if (r.type === 'assistant') for (const b of blocks(r)) if (b.type === 'tool_use') toolNames.set(b.id, b.name);
  const resultIds: string[] = users.flatMap(blocks).filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id);
  const usages = [...responses.values()].map((r) => r.message.usage);
  const spilled = users.some((r) => blocks(r).some((b) => b.type === 'tool_result' && JSON.stringify(b.content).includes('<persisted-output>')));
  const times = new Set(conv.map((r) => normalizeTimestamp(r.timestamp)).filter((t): t is string => t !== undefined));
  const sorted = [...times].sort();
  return {
    file: basename(path),
    wrapperId: agent ? `claude-${sid}-agent-${agent}` : `claude-${sid}`,
    parent: agent ? `claude-${sid}` : null,
    prompts: agent ? 0 : typed.length,
    toolUses: conv.flatMap((r) => (r.type === 'assistant' ? blocks(r) : [])).filter((b) => b.type === 'tool_use').length,
    toolResults: users.flatMap(blocks).filter((b) => b.type === 'tool_result').length,
    outputTokens: usages.reduce((n, u) => n + u.output_tokens, 0),
    inputTokens: usages.reduce((n, u) => n + u.input_tokens, 0),
    calls: usages.filter((u) => u.output_tokens + u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) > 0).length,
    resultIds: resultIds.sort(),
    toolNames,
    workspace: conv.find((r) => typeof r.cwd === 'string')?.cwd ?? null,
    model,
    firstModel: modelOf.values().next().value ?? null,
    completeness: users.length + responses.size === 0 ? 'metadata_only' : spilled ? 'partial' : 'full',
    warmup: agent !== null && textOf(users[0] ?? { message: { content: '' } }) === 'Warmup',
    times,
    first: sorted[0],
    last: sorted[sorted.length - 1],
  };
}

describe.skipIf(files.length === 0)('claude corpus (../shared/corpus/claude, read in place)', () => {
  const transcripts = files.filter((f) => f.endsWith('.jsonl'));
  const raws = new Map(transcripts.map((f) => [f, readRaw(f)]));
  // Layout: one project per source repository; an agent file with a .meta.json twin goes to the
  // 2.1.x `<sessionId>/subagents/` folder, other agent files stay flat (2.0.x).
  const layout: Record<string, { copy: string }> = {};
  for (const f of files) {
    const [repo, name] = basename(f).split('__') as [string, string];
    const agent = /^(agent-[^.]+)\./.exec(name)?.[1];
    const sidecar = agent !== undefined && files.some((g) => basename(g) === `${repo}__${agent}.meta.json`);
    const agentLines = agent !== undefined ? raws.get(transcripts.find((t) => basename(t) === `${repo}__${agent}.jsonl`) ?? '') : undefined;
    const sid = agentLines?.find((r) => typeof r.sessionId === 'string')?.sessionId as string | undefined;
    layout[sidecar && sid ? `projects/-${repo}/${sid}/subagents/${name}` : `projects/-${repo}/${name}`] = { copy: f };
  }
  let home: string;
  let result: ImportResult;
  const events = (id: string): AgentLogEvent[] => result.sessions.get(id) ?? [];

  it('imports every file without a failure', async () => {
    home = buildHome(layout);
    result = await importHome(claudeAdapter, home);
    expect(result.summary.errors).toEqual([]);
    expect(result.summary.providers.claude!.failed_units).toBe(0);
  });

  it.each(transcripts.map((f) => [basename(f), f] as const))('%s', (_name, path) => {
    const exp = expectedOf(path, raws.get(path)!);
    const entry = result.index.find((e) => e.wrapper_session_id === exp.wrapperId);
    expect(entry, exp.wrapperId).toBeDefined();
    const evs = events(exp.wrapperId);
    const of = (type: string) => evs.filter((e) => e.type === type);
    // Typed prompts, tool calls and their joined results.
    expect(of('user_message').filter((e) => 'role' in e && e.role === 'user')).toHaveLength(exp.prompts);
    expect(of('tool_call')).toHaveLength(exp.toolUses);
    expect(of('tool_result')).toHaveLength(exp.toolResults);
    // Every result carries the id of a tool_result block of its own file, and its call's name.
    const results = of('tool_result') as (AgentLogEvent & { tool_id?: string; tool_name?: string })[];
    expect(results.map((r) => r.tool_id).sort()).toEqual(exp.resultIds);
    for (const r of results) expect(r.tool_name, r.tool_id).toBe(exp.toolNames.get(r.tool_id!));
    // Workspace and model from the lines: the index has the most used model, session_started the first.
    expect(entry!.workspace_path).toBe(exp.workspace);
    expect(entry!.model).toBe(exp.model);
    const started = evs[0] as AgentLogEvent & { cwd?: string; model?: string };
    expect([started.type, started.cwd, started.model]).toEqual(['session_started', exp.workspace ?? undefined, exp.firstModel ?? undefined]);
    // Usage: one event per response, the max-output line of each.
    expect(entry!.usage.output_tokens).toBe(exp.outputTokens);
    expect(entry!.usage.input_tokens).toBe(exp.inputTokens);
    expect(entry!.usage.calls).toBe(exp.calls);
    // Sub-agents linked to their parent; Warmup agents marked.
    expect(entry!.parent_session_id).toBe(exp.parent);
    expect(entry!.tags.includes('warmup')).toBe(exp.warmup);
    expect(entry!.completeness).toBe(exp.completeness);
    // Native timestamps only: every event time is a time of the file (none: the file's mtime).
    if (exp.first) {
      expect(entry!.started_at).toBe(exp.first);
      expect(entry!.ended_at).toBe(exp.last);
      for (const e of evs) expect(exp.times.has(e.ts), `${e.type} at ${e.ts}`).toBe(true);
    }
  });

  it('writes byte-identical output when run again', async () => {
    const again = await importHome(claudeAdapter, home, { force: true });
    expect([...again.raw.keys()]).toEqual([...result.raw.keys()]);
    for (const [id, text] of again.raw) expect(text, id).toBe(result.raw.get(id));
  });

  it('keeps with --root only the sessions whose cwd is inside it', async () => {
    // Roots and sessions from the raw lines: the cwd most files share, its parent folder, and a
    // string prefix of it that is not a folder of it.
    const expected = transcripts.map((f) => expectedOf(f, raws.get(f)!));
    const cwds = expected.flatMap((x) => (x.workspace === null ? [] : [x.workspace]));
    const cwd = [...new Set(cwds)].sort((a, b) => cwds.filter((c) => c === b).length - cwds.filter((c) => c === a).length)[0]!;
    expect(cwds.filter((c) => c === cwd).length).toBeGreaterThan(1);
    expect(cwds.some((c) => !c.startsWith(`${dirname(cwd)}/`))).toBe(true);
    for (const root of [cwd, dirname(cwd), cwd.slice(0, -1)]) {
      const rooted = await importHome(claudeAdapter, home, { root });
      const inside = expected.filter((x) => x.workspace !== null && (x.workspace === root || x.workspace.startsWith(`${root}/`)));
      expect(rooted.index.map((e) => e.wrapper_session_id).sort(), root).toEqual(inside.map((x) => x.wrapperId).sort());
    }
  });
});
