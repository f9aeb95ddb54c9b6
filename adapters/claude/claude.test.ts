/**
 * Claude adapter tests: discovery rules, cross-file resume dedupe, retention, and every real file
 * of ../shared/corpus/claude/ imported from a home laid out as on disk, checked against facts a
 * separate simple pass computes from the raw lines.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentLogEvent } from '../../src/model/events.js';
import { normalizeTimestamp } from '../../src/util/time.js';
import { compareVersions } from '../../src/util/version.js';
import {
  buildHome,
  cleanupTemps,
  corpusFiles,
  importHome,
  repoRoot,
  type ImportResult,
} from '../../test/support/harness.js';
import { convertHome } from '../../test/support/convert-home.js';
import { RECORD_TYPES, apiErrorStatus, splitIdeContext } from './convert.js';
import { claudeAdapter } from './index.js';

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
    const units = claudeAdapter.units(
      [
        f(`${P}/s1.jsonl`),
        f(`${P}/s1/subagents/agent-a1.jsonl`),
        f(`${P}/s1/tool-results/t.txt`),
        f(`${P}/agent-b.jsonl`),
        f(`${P}/s2/subagents/agent-c.jsonl`),
      ],
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
    line({
      type: 'user',
      uuid: 'c1',
      sessionId: A,
      cwd: '/w',
      timestamp: '2025-08-01T10:00:00.000Z',
      message: { role: 'user', content: 'first' },
    }),
    line({
      type: 'assistant',
      uuid: 'c2',
      sessionId: A,
      cwd: '/w',
      timestamp: '2025-08-01T10:00:01.000Z',
      requestId: 'r',
      message: {
        id: 'm',
        model: 'x',
        content: [{ type: 'text', text: 'ok' }],
        usage: { input_tokens: 1, output_tokens: 5 },
      },
    }),
  ].join('');
  const own = line({
    type: 'user',
    uuid: 'c3',
    sessionId: B,
    cwd: '/w',
    timestamp: '2025-08-02T10:00:00.000Z',
    message: { role: 'user', content: 'second' },
  });

  it('keeps the copied history once, in its own session, when the original file is gone', async () => {
    const r = await importHome(claudeAdapter, buildHome({ [`${P}/${B}.jsonl`]: copied + own }));
    expect(r.index.map((e) => [e.wrapper_session_id, e.event_count, e.usage.output_tokens]).sort()).toEqual([
      [`claude-${A}`, 5, 5],
      [`claude-${B}`, 3, 0],
    ]);
  });

  it('does not emit the copy twice when the original is imported too', async () => {
    const r = await importHome(
      claudeAdapter,
      buildHome({ [`${P}/${A}.jsonl`]: copied, [`${P}/${B}.jsonl`]: copied + own }),
    );
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
  /** Cache writes kept for an hour (`cache_creation.ephemeral_1h_input_tokens`). */
  oneHourWrites: number;
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
  /** The newest `version` of the conversation lines. */
  agentVersion: string | undefined;
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
  const textOf = (r: Raw) =>
    typeof r.message.content === 'string' ? r.message.content : blocks(r).find((b) => b.type === 'text')?.text;
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
  const model = [...modelCounts].reduce<[string | null, number]>(
    (best, [m, n]) => (n > best[1] ? [m, n] : best),
    [null, 0],
  )[0];
  const toolNames = new Map<string, string>();
  for (const r of conv)
    if (r.type === 'assistant') for (const b of blocks(r)) if (b.type === 'tool_use') toolNames.set(b.id, b.name);
  const resultIds: string[] = users
    .flatMap(blocks)
    .filter((b) => b.type === 'tool_result')
    .map((b) => b.tool_use_id);
  const usages = [...responses.values()].map((r) => r.message.usage);
  const spilled = users.some((r) =>
    blocks(r).some((b) => b.type === 'tool_result' && JSON.stringify(b.content).includes('<persisted-output>')),
  );
  const times = new Set(conv.map((r) => normalizeTimestamp(r.timestamp)).filter((t): t is string => t !== undefined));
  const sorted = [...times].sort();
  return {
    file: basename(path),
    wrapperId: agent ? `claude-${sid}-agent-${agent}` : `claude-${sid}`,
    parent: agent ? `claude-${sid}` : null,
    prompts: agent ? 0 : typed.length,
    toolUses: conv.flatMap((r) => (r.type === 'assistant' ? blocks(r) : [])).filter((b) => b.type === 'tool_use')
      .length,
    toolResults: users.flatMap(blocks).filter((b) => b.type === 'tool_result').length,
    outputTokens: usages.reduce((n, u) => n + u.output_tokens, 0),
    inputTokens: usages.reduce((n, u) => n + u.input_tokens, 0),
    oneHourWrites: usages.reduce((n, u) => n + (u.cache_creation?.ephemeral_1h_input_tokens ?? 0), 0),
    calls: usages.filter(
      (u) =>
        u.output_tokens + u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) > 0,
    ).length,
    resultIds: resultIds.sort(),
    toolNames,
    workspace: conv.find((r) => typeof r.cwd === 'string')?.cwd ?? null,
    model,
    firstModel: modelOf.values().next().value ?? null,
    completeness: users.length + responses.size === 0 ? 'metadata_only' : spilled ? 'partial' : 'full',
    warmup: agent !== null && textOf(users[0] ?? { message: { content: '' } }) === 'Warmup',
    times,
    agentVersion: conv
      .map((r) => r.version as string | undefined)
      .filter((v): v is string => typeof v === 'string')
      .sort((a, b) => compareVersions(b, a)!)[0],
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
    const agentLines =
      agent !== undefined
        ? raws.get(transcripts.find((t) => basename(t) === `${repo}__${agent}.jsonl`) ?? '')
        : undefined;
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
    expect([started.type, started.cwd, started.model]).toEqual([
      'session_started',
      exp.workspace ?? undefined,
      exp.firstModel ?? undefined,
    ]);
    // Usage: one event per response, the max-output line of each.
    expect(entry!.usage.output_tokens).toBe(exp.outputTokens);
    expect(entry!.usage.input_tokens).toBe(exp.inputTokens);
    expect(entry!.usage.calls).toBe(exp.calls);
    const oneHour = of('usage').reduce(
      (n, e) => n + ('cache_creation_1h_tokens' in e ? e.cache_creation_1h_tokens! : 0),
      0,
    );
    expect(oneHour).toBe(exp.oneHourWrites);
    // Sub-agents linked to their parent; Warmup agents marked.
    expect(entry!.parent_session_id).toBe(exp.parent);
    expect(entry!.tags.includes('warmup')).toBe(exp.warmup);
    expect(entry!.completeness).toBe(exp.completeness);
    expect(entry!.agent_version).toBe(exp.agentVersion);
    // Native timestamps only: every event time is a time of the file (none: the file's mtime).
    if (exp.first) {
      expect(entry!.started_at).toBe(exp.first);
      expect(entry!.ended_at).toBe(exp.last);
      for (const e of evs) expect(exp.times.has(e.ts), `${e.type} at ${e.ts}`).toBe(true);
    }
  });

  it('agrees with every iterations[] the corpus records, and finds no version newer than tested', () => {
    const withIterations = [...raws.values()]
      .flat()
      .filter((r) => r.type === 'assistant' && (r.message?.usage?.iterations?.length ?? 0) > 0);
    expect(withIterations.length).toBeGreaterThan(0);
    for (const e of result.index) expect(e.completeness_reasons.filter((r) => r.includes('iterations'))).toEqual([]);
    expect(result.summary.providers.claude!.version_drift).toBeNull();
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
    const cwd = [...new Set(cwds)].sort(
      (a, b) => cwds.filter((c) => c === b).length - cwds.filter((c) => c === a).length,
    )[0]!;
    expect(cwds.filter((c) => c === cwd).length).toBeGreaterThan(1);
    expect(cwds.some((c) => !c.startsWith(`${dirname(cwd)}/`))).toBe(true);
    for (const root of [cwd, dirname(cwd), cwd.slice(0, -1)]) {
      const rooted = await importHome(claudeAdapter, home, { root });
      const inside = expected.filter(
        (x) => x.workspace !== null && (x.workspace === root || x.workspace.startsWith(`${root}/`)),
      );
      expect(rooted.index.map((e) => e.wrapper_session_id).sort(), root).toEqual(inside.map((x) => x.wrapperId).sort());
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Issue 14: drift made loud. Fixture cases written from the facts of 2.1.1xx files.

const fixtureHome = (name: string) => join(repoRoot, 'fixtures', 'claude', name, 'input');

describe('claude accounting table', () => {
  it('is the same in code and in the README', () => {
    const readme = readFileSync(join(repoRoot, 'adapters', 'claude', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Accounting'), readme.indexOf('### Event keys'));
    const fromReadme: string[] = [];
    for (const row of section
      .split('\n')
      .filter((l) => /^\| (line|system|assistant block|user block|journal) \|/.test(l))) {
      const [where, kinds, what] = row.split(' | ').map((c) => c.replace(/^\| | \|$/g, '').trim()) as [
        string,
        string,
        string,
      ];
      for (const kind of kinds.split(', ')) fromReadme.push(`${where} ${kind.replace(/`/g, '')}: ${what}`);
    }
    const fromCode = Object.entries(RECORD_TYPES).flatMap(([where, kinds]) =>
      Object.entries(kinds).map(([kind, a]) => `${where} ${kind}: ${'maps' in a ? a.maps : `ignored: ${a.ignored}`}`),
    );
    expect(fromReadme.sort()).toEqual(fromCode.sort());
  });
});

describe('claude IDE context in typed prompts', () => {
  it('splits <ide_opened_file> and <ide_selection> out of the prompt, leaving the typed text', () => {
    expect(
      splitIdeContext('<ide_opened_file>The user opened the file /a.ts in the IDE.</ide_opened_file>\nFix it'),
    ).toEqual({
      ide: ['<ide_opened_file>The user opened the file /a.ts in the IDE.</ide_opened_file>'],
      rest: 'Fix it',
    });
    expect(splitIdeContext('plain prompt mentioning <ide_ tags>')).toEqual({
      ide: [],
      rest: 'plain prompt mentioning <ide_ tags>',
    });
  });

  it('gives IDE context its own user_message with role ide_context, in string prompts and in text blocks', async () => {
    const [session] = await convertHome(claudeAdapter, fixtureHome('ide-context'));
    const messages = session!.events.flatMap((e) => (e.type === 'user_message' ? [e] : []));
    expect(messages.map((m) => [m.role, m.content.slice(0, 20)])).toEqual([
      ['ide_context', '<ide_opened_file>The'],
      ['user', 'Why does the login p'],
      ['ide_context', '<ide_selection>The u'],
      ['user', 'Move this before ren'],
      ['ide_context', '<ide_opened_file>The'],
    ]);
    expect(session!.draft.tags).toContain('entrypoint:claude-vscode');
  });
});

describe('claude system lines', () => {
  it('says the HTTP status and the retry of an api_error line, as recorded', () => {
    expect(
      apiErrorStatus({ error: { status: 529, message: 'x' }, retryAttempt: 1, maxRetries: 10, retryInMs: 541.6 }),
    ).toBe('HTTP 529, retry 1/10 in 541.6 ms');
    expect(
      apiErrorStatus({
        error: { message: '429 {"type":"rate_limit_error"}' },
        retryAttempt: 10,
        maxRetries: 10,
        retryInMs: 39653,
      }),
    ).toBe('HTTP 429, retry 10/10 in 39653 ms');
    expect(apiErrorStatus({ error: { connection: { code: 'ECONNRESET' } }, retryAttempt: 2 })).toBe(
      'connection error ECONNRESET, retry 2/?',
    );
    expect(apiErrorStatus({ cause: 'socket closed' })).toBe('no HTTP status recorded');
  });

  it('keeps an unknown system subtype and an unknown content block as records, and makes the session partial', async () => {
    const [session] = await convertHome(claudeAdapter, fixtureHome('system-lines'));
    const events = session!.events;
    const statuses = events.flatMap((e) => (e.type === 'provider_status' ? [e.message] : []));
    expect(statuses).toEqual([
      'api_error: HTTP 529, retry 1/10 in 541.6 ms: API error',
      'api_error: connection error ECONNRESET, retry 2/10 in 1187 ms',
      'api_error: HTTP 429, retry 3/10 in 4000 ms',
      'unknown record type assistant content block citations_delta',
      'unknown record type system/memory_saved',
      'turn_duration',
    ]);
    const kept = events.find(
      (e) => e.type === 'provider_status' && (e as { message: string }).message.endsWith('system/memory_saved'),
    ) as { data: { record: string } };
    expect(JSON.parse(kept.data.record)).toMatchObject({ subtype: 'memory_saved', content: 'Saved 2 memories' });
    // Counted on the session, which the writer turns into `partial` with these reasons.
    expect([...session!.draft.unknownTypes]).toEqual([
      ['assistant content block citations_delta', 1],
      ['system/memory_saved', 1],
    ]);
    expect([...session!.draft.reasons]).toEqual([]);
  });
});

describe('claude usage against iterations[]', () => {
  it('accepts usage equal to its message iterations (a compaction step apart), and says which response differs and by what', async () => {
    const r = await importHome(claudeAdapter, fixtureHome('usage-iterations'));
    expect(r.index[0]).toMatchObject({
      completeness: 'partial',
      // msg_u3's step also says its cache writes were kept for an hour, which its usage does not.
      completeness_reasons: [
        'usage differs from the iterations[] of response msg_u3: output_tokens 35 emitted, 52 stated; cache_creation_1h_tokens 0 emitted, 60 stated',
      ],
      // The top-level counts of the three responses, compaction not included.
      usage: {
        input_tokens: 3 + 2 + 1,
        output_tokens: 120 + 40 + 35,
        cache_read_tokens: 21000 + 9000 + 10240,
        cache_creation_tokens: 300 + 1200 + 60,
        calls: 3,
      },
    });
  });
});

describe('claude 2.1.170 workflow sub-agents', () => {
  it('imports each workflow agent as a sub-agent of the session that ran it, titled and tagged from the journal', async () => {
    const r = await importHome(claudeAdapter, fixtureHome('workflow-subagents'));
    const parent = 'claude-c4c4c4c4-0000-4000-8000-000000000004';
    const byId = Object.fromEntries(r.index.map((e) => [e.wrapper_session_id, e]));
    const ok = byId[`${parent}-agent-a5d81c02e9b7f4a60`]!;
    const failed = byId[`${parent}-agent-a7e20b3c4d5f61829`]!;
    for (const [agent, label] of [
      [ok, 'review:001.sql'],
      [failed, 'review:002.sql'],
    ] as const) {
      expect(agent).toMatchObject({
        parent_session_id: parent,
        title: label,
        completeness: 'full',
        agent_version: '2.1.170',
        format: 'claude:jsonl:subagents',
      });
      expect(agent.tags).toEqual(
        expect.arrayContaining([
          'subagent',
          'workflow',
          'phase:Review',
          'agent_type:workflow-subagent',
          'entrypoint:claude-desktop',
        ]),
      );
    }
    const ends = (id: string) => r.sessions.get(id)!.at(-1);
    expect(ends(ok.wrapper_session_id)).toMatchObject({ type: 'session_ended', success: true });
    expect(ends(failed.wrapper_session_id)).toMatchObject({
      type: 'session_ended',
      success: false,
      error: 'the workflow agent failed (journal.jsonl)',
    });
    // The task prompt is the parent agent's, not typed by the human.
    expect(r.sessions.get(ok.wrapper_session_id)!.find((e) => e.type === 'user_message')).toMatchObject({
      role: 'agent',
    });
    expect(byId[parent]).toMatchObject({
      agent_version: '2.1.170',
      completeness: 'full',
      tags: ['entrypoint:claude-desktop'],
    });
    // 2.1.170 is the version this adapter was tested on: no drift warning.
    expect(r.summary.providers.claude!.version_drift).toBeNull();
  });

  it('keeps journal lines outside the table on the session that ran the workflow', async () => {
    const journal = 'projects/-w/s1/subagents/workflows/wf_1/journal.jsonl';
    const home = buildHome({
      'projects/-w/s1.jsonl': line({
        type: 'user',
        uuid: 'u1',
        sessionId: 's1',
        cwd: '/w',
        timestamp: '2026-07-04T12:00:00.000Z',
        message: { role: 'user', content: 'go' },
      }),
      [journal]: line({ type: 'launched' }) + line({ type: 'paused', agentId: 'a1' }),
    });
    const r = await importHome(claudeAdapter, home);
    expect(r.index[0]).toMatchObject({
      wrapper_session_id: 'claude-s1',
      completeness: 'partial',
      completeness_reasons: ['unknown record type journal paused (1 records)'],
    });
  });
});

describe('claude event keys', () => {
  const homes = [
    'ide-context',
    'system-lines',
    'usage-iterations',
    'workflow-subagents',
    'torn-last-line',
    'split-lines',
    'uuid-reappended',
  ].map(fixtureHome);
  it.each(homes)(
    'every event of %s has a key, unique in its session, made of the line uuid and the part index',
    async (home) => {
      const sessions = await convertHome(claudeAdapter, home);
      expect(sessions.flatMap((s) => s.events).length).toBeGreaterThan(0);
      for (const { draft, events } of sessions) {
        const seen = new Set<string>();
        for (const event of events) {
          expect(event.key, JSON.stringify(event)).toMatch(/^(.+#\d+|.+#usage)$/);
          expect(seen.has(event.key!), `${draft.id} ${event.key}`).toBe(false);
          seen.add(event.key!);
        }
      }
    },
  );

  it('gives the same keys when a line is added to the file', async () => {
    const head = line({
      type: 'user',
      uuid: 'k1',
      sessionId: 's',
      cwd: '/w',
      timestamp: '2026-07-01T00:00:00.000Z',
      message: { role: 'user', content: '<ide_opened_file>f</ide_opened_file>\nhi' },
    });
    const noUuid = line({ type: 'brand-new', sessionId: 's', timestamp: '2026-07-01T00:00:01.000Z' });
    const keys = async (text: string) =>
      (await convertHome(claudeAdapter, buildHome({ 'projects/-w/s.jsonl': text }))).flatMap((s) =>
        s.events.map((e) => e.key),
      );
    const before = await keys(head + noUuid);
    expect(before).toEqual(['k1#0', 'k1#1', expect.stringMatching(/^h[0-9a-f]{32}\.0#0$/)]);
    const after = await keys(head + noUuid + noUuid);
    expect(after.slice(0, 3)).toEqual(before);
    expect(after[3]).toBe(before[2]!.replace('.0#0', '.1#0'));
  });
});
