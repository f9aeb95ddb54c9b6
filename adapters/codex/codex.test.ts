/**
 * The Codex adapter over every real file of ../shared/corpus/codex/ (read in place; copied into a
 * temp CODEX_HOME at test time). Each fact is computed from the raw native file by a separate,
 * deliberately simple pass, then compared with what the import wrote.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentLogEvent } from '../../src/model/events.js';
import type { SessionLogIndexEntry } from '../../src/model/index-schema.js';
import { INVALID_UTF8_REASON } from '../../src/session/records.js';
import { normalizeTimestamp } from '../../src/util/time.js';
import {
  buildHome,
  cleanupTemps,
  corpusFiles,
  importHome,
  repoRoot,
  tempDir,
  type ImportResult,
} from '../../test/support/harness.js';
import { convertHome, sessionById, type ConvertedSession } from '../../test/support/convert-home.js';
import { codexAdapter } from './index.js';
import { RECORD_TYPES } from './records.js';

type Json = Record<string, any>;

const files = corpusFiles('codex');

function parseLines(path: string): Json[] {
  const out: Json[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v = JSON.parse(line);
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v);
    } catch {
      // torn or broken: the adapter reports it; the facts below ignore it
    }
  }
  return out;
}

/** What one native rollout says, by a simple independent reading. */
interface Native {
  file: string;
  rel: string;
  generation: string;
  id: string;
  startedAt: string | undefined;
  cwd: string | null;
  times: Set<string>;
  prompts: number;
  calls: Set<string>;
  outputs: Set<string>;
  /** Call ids used by more than one call. */
  repeatedIds: Set<string>;
  /** Sum over token_count events whose cumulative total changed. */
  usage: { input: number; cached: number; output: number };
  lastTotal: { input: number; cached: number; output: number } | null;
  monotone: boolean;
  /** Web searches known only from their end events: id, action type and queries. */
  searches: { id: string; type: string; queries: string[] | undefined }[];
  /** Human prompt texts, from the source that has more of them. */
  promptTexts: string[];
  cliVersion: string | undefined;
}

const G2_PLUS = new Set([
  'world_state',
  'inter_agent_communication',
  'inter_agent_communication_metadata',
  'token_usage_record',
  'security_risk_score',
  'retained_context',
  'realtime_item',
]);
const isHuman = (text: string) =>
  text.trim() !== '' && !text.trimStart().startsWith('<') && !text.startsWith('# AGENTS.md');
const textOf = (content: unknown) =>
  Array.isArray(content)
    ? content.map((c: Json) => (typeof c?.text === 'string' ? c.text : '')).join('')
    : typeof content === 'string'
      ? content
      : '';
/** A user message whose content_item_kinds tags (when it has them) all say typed by the user. */
const typedByUser = (i: Json) => {
  const kinds = i.internal_chat_message_metadata_passthrough?.content_item_kinds;
  return !Array.isArray(kinds) || kinds.every((k: string) => k.startsWith('user.'));
};
/** The text of a paginated `item_completed` UserMessage. */
const userItemText = (item: Json) =>
  (item.content as Json[])
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');

function readNative(file: string, rel: string): Native {
  const n: Native = {
    file,
    rel,
    generation: '',
    id: '',
    startedAt: undefined,
    cwd: null,
    times: new Set(),
    prompts: 0,
    calls: new Set(),
    outputs: new Set(),
    repeatedIds: new Set(),
    usage: { input: 0, cached: 0, output: 0 },
    lastTotal: null,
    monotone: true,
    searches: [],
    promptTexts: [],
    cliVersion: undefined,
  };
  let items: Json[];
  if (file.endsWith('.json')) {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    n.generation = 'g0';
    n.id = doc.session.id;
    n.startedAt = normalizeTimestamp(doc.session.timestamp);
    items = doc.items;
  } else {
    const lines = parseLines(file);
    const first = lines[0]!;
    if (first.type === 'session_meta') {
      n.generation = lines.some(
        (l) =>
          'ordinal' in l ||
          G2_PLUS.has(l.type) ||
          (l.type === 'session_meta' && (l.payload.session_id || l.payload.history_mode)),
      )
        ? 'g2+'
        : 'g2';
      n.id = first.payload.id;
      n.startedAt = normalizeTimestamp(first.payload.timestamp);
      n.cwd = first.payload.cwd ?? null;
      n.cliVersion = first.payload.cli_version;
    } else {
      n.generation = 'g1';
      n.id = first.id;
      n.startedAt = normalizeTimestamp(first.timestamp);
    }
    for (const l of lines) {
      const ts = normalizeTimestamp(l.timestamp);
      if (ts) n.times.add(ts);
    }
    const events = lines.filter((l) => l.type === 'event_msg').map((l) => l.payload);
    const completed = events.filter((e) => e.type === 'item_completed').map((e) => e.item);
    const eventPrompts = [
      ...events.filter((e) => e.type === 'user_message').map((e) => String(e.message)),
      ...completed.filter((i) => i.type === 'UserMessage').map(userItemText),
    ].filter(isHuman);
    items = lines.filter((l) => l.type === 'response_item').map((l) => l.payload);
    if (n.generation === 'g1') items = lines.filter((l) => typeof l.type === 'string');
    const itemPrompts = items
      .filter((i) => i.type === 'message' && i.role === 'user' && typedByUser(i) && isHuman(textOf(i.content)))
      .map((i) => textOf(i.content));
    n.promptTexts = eventPrompts.length >= itemPrompts.length ? eventPrompts : itemPrompts;
    n.prompts = n.promptTexts.length;
    // Web searches whose web_search_call item is absent: the end event (or paginated item) is all there is.
    const webCalls = new Set(items.filter((i) => i.type === 'web_search_call').map((i) => i.id ?? i.call_id));
    const ends = [
      ...events.filter((e) => e.type === 'web_search_end').map((e) => ({ id: e.call_id, action: e.action })),
      ...completed
        .filter((i) => i.type === 'WebSearch' || (i.type === 'Extension' && i.action))
        .map((i) => ({ id: i.id, action: i.action })),
    ];
    for (const end of ends) {
      if (webCalls.has(end.id)) continue;
      if (n.calls.has(end.id)) n.repeatedIds.add(end.id);
      n.calls.add(end.id);
      n.outputs.add(end.id);
      n.searches.push({ id: end.id, type: end.action?.type, queries: end.action?.queries });
    }
    const add = (u: Json) => {
      n.usage.input += u.input_tokens;
      n.usage.cached += u.cached_input_tokens ?? 0;
      n.usage.output += u.output_tokens;
    };
    // README "Usage": a total that repeats is dropped; else last_token_usage, or without it the
    // growth of the total (the whole total when it is the first or it dropped).
    let prev: Json | null = null;
    for (const l of lines) {
      const info = l.type === 'event_msg' && l.payload.type === 'token_count' ? l.payload.info : null;
      if (!info) continue;
      const t = info.total_token_usage;
      if (!t) {
        if (info.last_token_usage) add(info.last_token_usage);
        continue;
      }
      const total = t.total_tokens;
      if (prev !== null && total < prev.total_tokens) n.monotone = false;
      if (total !== prev?.total_tokens) {
        if (info.last_token_usage) add(info.last_token_usage);
        else if (prev !== null && total > prev.total_tokens) {
          add({
            input_tokens: t.input_tokens - prev.input_tokens,
            cached_input_tokens: (t.cached_input_tokens ?? 0) - (prev.cached_input_tokens ?? 0),
            output_tokens: t.output_tokens - prev.output_tokens,
          });
        } else add(t);
      }
      prev = t;
      n.lastTotal = { input: t.input_tokens, cached: t.cached_input_tokens ?? 0, output: t.output_tokens };
    }
  }
  if (n.generation === 'g0') {
    n.promptTexts = items.filter((i) => i.role === 'user' && isHuman(textOf(i.content))).map((i) => textOf(i.content));
    n.prompts = n.promptTexts.length;
  }
  for (const i of items) {
    if (['function_call', 'custom_tool_call', 'local_shell_call', 'tool_search_call'].includes(i.type) && i.call_id) {
      if (n.calls.has(i.call_id)) n.repeatedIds.add(i.call_id);
      n.calls.add(i.call_id);
    }
    if (
      ['function_call_output', 'custom_tool_call_output', 'local_shell_call_output', 'tool_search_output'].includes(
        i.type,
      ) &&
      i.call_id
    )
      n.outputs.add(i.call_id);
    for (const c of Array.isArray(i.tool_calls) ? i.tool_calls : []) n.calls.add(c.id);
    if (i.role === 'tool' && i.tool_call_id) n.outputs.add(i.tool_call_id);
    // Calls that carry their own outcome.
    if (['web_search_call', 'image_generation_call'].includes(i.type) && (i.id ?? i.call_id)) {
      n.calls.add(i.id ?? i.call_id);
      if (i.status) n.outputs.add(i.id ?? i.call_id);
    }
  }
  return n;
}

/** Where a corpus file goes in a CODEX_HOME (names as the CLI writes them; derived from the file). */
function homePath(file: string): string {
  const name = basename(file).replace(/^.*?__/, '');
  if (name === 'history.jsonl') return name;
  if (/^rollout-.*\.json$/.test(name)) return `sessions/${name}`;
  const dated = /^rollout-(\d{4})-(\d{2})-(\d{2})T/.exec(name);
  if (dated) return `sessions/${dated[1]}/${dated[2]}/${dated[3]}/${name}`;
  // A sample without a rollout name: name it from its own first session_meta.
  const meta = parseLines(file)[0]!.payload;
  const stamp = String(meta.timestamp).slice(0, 19).replace(/:/g, '-');
  return `sessions/${stamp.slice(0, 4)}/${stamp.slice(5, 7)}/${stamp.slice(8, 10)}/rollout-${stamp}-${meta.id}.jsonl`;
}

describe.skipIf(files.length === 0)('codex adapter over the real corpus', () => {
  const layout = Object.fromEntries(files.map((f) => [homePath(f), { copy: f }]));
  const rollouts = files.filter((f) => !f.endsWith('history.jsonl')).map((f) => readNative(f, homePath(f)));
  let home: string;
  let result: ImportResult;
  const entryOf = (id: string): SessionLogIndexEntry => {
    const e = result.index.find((x) => x.provider_session_id === id);
    if (!e) throw new Error(`no session ${id} in the index`);
    return e;
  };
  const eventsOf = (e: SessionLogIndexEntry): AgentLogEvent[] => result.sessions.get(e.wrapper_session_id)!;

  beforeAll(async () => {
    home = buildHome(layout);
    result = await importHome(codexAdapter, home);
  });
  afterAll(cleanupTemps);

  it('imports every file without a failure', () => {
    expect(result.summary.errors).toEqual([]);
    expect(result.summary.providers.codex!.units).toBe(files.length);
  });

  it.each(rollouts.map((n) => [n.rel, n] as const))('%s: id, generation, start and workspace', (_rel, n) => {
    const e = entryOf(n.id);
    expect(e.format).toBe(`codex:${n.generation}`);
    expect(e.started_at).toBe(n.startedAt);
    if (n.cwd !== null) expect(e.workspace_path).toBe(n.cwd);
    expect(e.source_paths).toEqual([`${home}/${n.rel}`]);
  });

  it.each(rollouts.map((n) => [n.rel, n] as const))('%s: native timestamps only', (_rel, n) => {
    const allowed = new Set([...n.times, n.startedAt]);
    for (const ev of eventsOf(entryOf(n.id))) expect(allowed.has(ev.ts), `${ev.type} at ${ev.ts}`).toBe(true);
  });

  it.each(rollouts.map((n) => [n.rel, n] as const))(
    '%s: each human prompt once, and only human prompts as role user',
    (_rel, n) => {
      const prompts = eventsOf(entryOf(n.id)).flatMap((ev) =>
        ev.type === 'user_message' && ev.role === 'user' ? [ev.content.trim()] : [],
      );
      expect(prompts.length).toBe(n.prompts);
      const human = new Set(n.promptTexts.map((t) => t.trim()));
      for (const text of prompts) expect(human.has(text), text.slice(0, 80)).toBe(true);
    },
  );

  it.each(rollouts.map((n) => [n.rel, n] as const))('%s: tool kinds', (_rel, n) => {
    // The kinds README "Tool kinds" states for the names these files use.
    const kinds: Record<string, string> = {
      exec_command: 'shell',
      shell: 'shell',
      write_stdin: 'shell',
      apply_patch: 'file_edit',
      web_search: 'web',
      read_mcp_resource: 'other',
    };
    for (const ev of eventsOf(entryOf(n.id))) {
      if (ev.type === 'tool_call' && kinds[ev.tool_name]) expect(ev.tool_kind, ev.tool_name).toBe(kinds[ev.tool_name]);
    }
  });

  it.each(rollouts.map((n) => [n.rel, n] as const))(
    '%s: web searches known only from their end events, with their queries',
    (_rel, n) => {
      const calls = new Map(
        eventsOf(entryOf(n.id)).flatMap((ev) =>
          ev.type === 'tool_call' && ev.tool_id ? [[ev.tool_id, ev] as const] : [],
        ),
      );
      for (const search of n.searches) {
        if (n.repeatedIds.has(search.id)) continue;
        const call = calls.get(search.id)!;
        expect(call).toMatchObject({ tool_name: 'web_search', tool_kind: 'web', input: { type: search.type } });
        if (search.queries) expect((call as { input: Json }).input.queries).toEqual(search.queries);
      }
    },
  );

  it.each(rollouts.map((n) => [n.rel, n] as const))(
    '%s: every call joined to its output or marked missing',
    (_rel, n) => {
      const events = eventsOf(entryOf(n.id));
      const calls = events.filter((ev) => ev.type === 'tool_call');
      const results = events.filter((ev) => ev.type === 'tool_result');
      expect(new Set(calls.map((c) => c.type === 'tool_call' && c.tool_id))).toEqual(n.calls);
      for (const id of n.calls) {
        // Redacted samples reuse one placeholder id for many calls: those cannot be paired by id.
        if (n.repeatedIds.has(id)) continue;
        const joined = results.filter((r) => r.type === 'tool_result' && r.tool_id === id);
        expect(joined.length, id).toBe(1);
        const missing =
          joined[0]!.type === 'tool_result' && joined[0]!.error?.startsWith('no output recorded') === true;
        expect(missing, id).toBe(!n.outputs.has(id));
      }
    },
  );

  it.each(rollouts.map((n) => [n.rel, n] as const))('%s: usage counted once per advancing total', (_rel, n) => {
    const { usage } = entryOf(n.id);
    expect(usage).toMatchObject({
      input_tokens: n.usage.input - n.usage.cached,
      cache_read_tokens: n.usage.cached,
      output_tokens: n.usage.output,
    });
    if (n.lastTotal && n.monotone) {
      expect(usage.input_tokens).toBe(n.lastTotal.input - n.lastTotal.cached);
      expect(usage.cache_read_tokens).toBe(n.lastTotal.cached);
      expect(usage.output_tokens).toBe(n.lastTotal.output);
      // Then Codex's own totals agree with what was counted: the cross-check must stay quiet.
      expect(entryOf(n.id).completeness_reasons.filter((r) => r.startsWith('usage differs'))).toEqual([]);
    }
  });

  it('the 0.146 sample (019fba3d): three searches that only web_search_end records, queries included', () => {
    const n = rollouts.find((r) => r.id === '019fba3d-e2be-7722-a0af-76168179677c');
    if (!n) return;
    const searches = eventsOf(entryOf(n.id)).filter((ev) => ev.type === 'tool_call' && ev.tool_kind === 'web');
    expect(searches.map((ev) => ev.type === 'tool_call' && (ev.input as Json).type)).toEqual([
      'search',
      'other',
      'other',
    ]);
    expect(searches[0]!.type === 'tool_call' && (searches[0]!.input as Json).queries).toEqual(n.searches[0]!.queries);
    expect(n.searches[0]!.queries).toHaveLength(2);
    // The one prompt is typed; the environment context before it is not.
    const users = eventsOf(entryOf(n.id)).filter((ev) => ev.type === 'user_message');
    expect(users.map((ev) => ev.type === 'user_message' && ev.role)).toEqual([
      'developer',
      'developer',
      'developer',
      'environment_context',
      'user',
      'developer',
      'developer',
    ]);
  });

  it('history.jsonl: sessions without a rollout become prompt-only partial sessions', () => {
    const history = files.find((f) => f.endsWith('history.jsonl'));
    if (!history) return;
    const withRollout = new Set(rollouts.map((n) => n.id));
    const prompts = new Map<string, number>();
    for (const l of parseLines(history)) {
      const id = l.session_id ?? l.conversation_id;
      if (!withRollout.has(id)) prompts.set(id, (prompts.get(id) ?? 0) + 1);
    }
    expect(prompts.size).toBeGreaterThan(0);
    for (const [id, count] of prompts) {
      const e = entryOf(id);
      expect(e.completeness).toBe('partial');
      expect(e.completeness_reasons).toContain('prompt history only');
      const events = eventsOf(e);
      expect(events.filter((ev) => ev.type === 'user_message').length).toBe(count);
      expect(events.every((ev) => ['session_started', 'user_message', 'session_ended'].includes(ev.type))).toBe(true);
    }
    // A session that has its rollout is not imported a second time from the history.
    expect(result.index.length).toBe(rollouts.length + prompts.size);
  });

  it('--root keeps exactly the sessions whose cwd is inside it', async () => {
    const withCwd = rollouts.find((n) => n.cwd !== null)!;
    const rooted = await importHome(codexAdapter, home, { root: withCwd.cwd! });
    const expected = rollouts
      .filter((n) => n.cwd !== null && (n.cwd === withCwd.cwd || n.cwd.startsWith(`${withCwd.cwd}/`)))
      .map((n) => n.id);
    expect(rooted.index.map((e) => e.provider_session_id).sort()).toEqual(expected.sort());
  });

  it.each(rollouts.map((n) => [n.rel, n] as const))(
    '%s: agent version and a unique key on every event',
    async (_rel, n) => {
      const { draft, events } = sessionById(await convertHome(codexAdapter, home), n.id);
      const version = n.cliVersion !== undefined && /^\d+\.\d+/.test(n.cliVersion) ? n.cliVersion : null;
      expect(draft.agentVersion).toBe(version);
      expect(entryOf(n.id).agent_version ?? null).toBe(version);
      const keys = events.map((e) => e.key);
      expect(keys.every((k) => typeof k === 'string' && k !== '')).toBe(true);
      expect(new Set(keys).size).toBe(keys.length);
    },
  );

  it('converts byte-identically twice', async () => {
    const again = await importHome(codexAdapter, home, { force: true });
    expect(again.raw).toEqual(result.raw);
  });
});

/** `type:key` of every event the adapter makes of a home. */
const keysOf = (sessions: readonly ConvertedSession[]) =>
  sessions.flatMap((s) => s.events.map((e) => `${e.type}:${e.key}`));

describe('codex event keys', () => {
  afterAll(cleanupTemps);
  const rollout = corpusFiles('codex').find((f) => f.includes('019d688b'));
  const history = corpusFiles('codex').find((f) => f.endsWith('history.jsonl'));

  it.skipIf(!rollout)('stay the same when the rollout grows', async () => {
    const text = readFileSync(rollout!, 'utf8');
    const lines = text.split('\n').filter((l) => l !== '');
    const rel = 'sessions/2026/04/07/rollout-2026-04-07T23-24-08-019d688b-3b5f-72c0-8028-4a4af562b9f5.jsonl';
    const half = buildHome({ [rel]: `${lines.slice(0, 40).join('\n')}\n` });
    const whole = buildHome({ [rel]: text });
    // Without the results the cut file closes as unanswered: those are the cut's own.
    const before = keysOf(await convertHome(codexAdapter, half)).filter((k) => !k.includes(':unanswered:'));
    const after = keysOf(await convertHome(codexAdapter, whole));
    expect(before.length).toBeGreaterThan(10);
    for (const key of before) expect(after).toContain(key);
  });

  it.skipIf(!history)('stay the same when history.jsonl is trimmed from the front', async () => {
    const lines = readFileSync(history!, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const full = buildHome({ 'history.jsonl': `${lines.join('\n')}\n` });
    const trimmed = buildHome({ 'history.jsonl': `${lines.slice(3).join('\n')}\n` });
    const a = keysOf(await convertHome(codexAdapter, full));
    const b = keysOf(await convertHome(codexAdapter, trimmed));
    expect(b.length).toBeGreaterThan(0);
    expect(a.slice(a.length - b.length)).toEqual(b);
  });

  it('are the ordinal where the line has one, and tell identical lines apart', async () => {
    const id = '1d1d1d1d-1111-4222-8333-444444444444';
    const meta = {
      timestamp: '2026-09-01T10:00:00.000Z',
      ordinal: 0,
      type: 'session_meta',
      payload: { id, timestamp: '2026-09-01T10:00:00.000Z', cwd: '/w' },
    };
    const prompt = (ordinal?: number) => ({
      timestamp: '2026-09-01T10:00:01.000Z',
      ...(ordinal !== undefined ? { ordinal } : {}),
      type: 'event_msg',
      payload: { type: 'user_message', message: 'again' },
    });
    const rel = `sessions/2026/09/01/rollout-2026-09-01T12-00-00-${id}.jsonl`;
    const home = buildHome({
      [rel]: [meta, prompt(7), prompt(), prompt()].map((l) => JSON.stringify(l)).join('\n') + '\n',
    });
    const keys = keysOf(await convertHome(codexAdapter, home)).map((k) => k.slice(k.indexOf(':') + 1));
    expect(keys[0]).toBe('o7#0');
    expect(keys[1]).toMatch(/^h[0-9a-f]{32}\.0#0$/);
    expect(keys[2]).toBe(keys[1]!.replace('.0#0', '.1#0'));
  });
});

describe('codex record accounting', () => {
  it('README "Record types" is the table in records.ts', () => {
    const readme = readFileSync(join(repoRoot, 'adapters/codex/README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('## Record types'),
      readme.indexOf('\n## ', readme.indexOf('## Record types') + 1),
    );
    const rows = [...section.matchAll(/^\| `([^`]+)` \| (map|ignore) \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(Object.entries(RECORD_TYPES).map(([name, [how]]) => [name, how]));
  });

  it('a usage total Codex states and the counted usage that disagree make the session partial, with both numbers', async () => {
    const home = join(repoRoot, 'fixtures/codex/usage-mismatch/input');
    const result = await importHome(codexAdapter, home, { logsDir: tempDir('logs-') });
    const [entry] = result.index;
    // From the file: the final total_token_usage (its first total is its first call's), and the
    // sum of the last_token_usage counted; uncached input, as in the usage events.
    const counts = parseLines(entry!.source_paths[0]!).flatMap((l) =>
      l.payload?.type === 'token_count' ? [l.payload.info] : [],
    );
    const final = counts.at(-1)!.total_token_usage;
    const uncached = (u: Json) => u.input_tokens - u.cached_input_tokens;
    const counted = counts.reduce((sum, info) => sum + uncached(info.last_token_usage), 0);
    expect(counts[0]!.total_token_usage).toEqual(counts[0]!.last_token_usage);
    expect(entry!.completeness).toBe('partial');
    expect(entry!.completeness_reasons).toContain(
      `usage differs from Codex's total_token_usage: input_tokens ${counted} emitted, ${uncached(final)} stated`,
    );
    expect(entry!.completeness_reasons).toContain('unknown record type event_msg:item_completed:Hologram (1 records)');
    cleanupTemps();
  });
});

describe('codex synthetic rollouts', () => {
  afterAll(cleanupTemps);

  it('counts usage by the README rule when last_token_usage is missing', async () => {
    const id = '1f1f1f1f-1111-4222-8333-444444444444';
    const at = (s: number) => `2026-01-05T09:00:0${s}.000Z`;
    const usage = (input: number, cached: number, output: number) => ({
      input_tokens: input,
      cached_input_tokens: cached,
      output_tokens: output,
      total_tokens: input + output,
    });
    const count = (s: number, total: Json, last?: Json) => ({
      timestamp: at(s),
      type: 'event_msg',
      payload: { type: 'token_count', info: { total_token_usage: total, ...(last ? { last_token_usage: last } : {}) } },
    });
    const lines = [
      { timestamp: at(0), type: 'session_meta', payload: { id, timestamp: at(0), cwd: '/w' } },
      {
        timestamp: at(1),
        type: 'response_item',
        payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      },
      count(2, usage(90, 20, 10)), // the first total: all of it
      count(3, usage(130, 30, 20)), // grew: the difference (40, 10, 10)
      count(4, usage(130, 30, 20)), // a repeat: nothing
      count(5, usage(25, 5, 5)), // dropped (a new window): all of it
      count(6, usage(70, 5, 10), usage(45, 0, 5)), // last_token_usage when there is one
    ];
    const home = buildHome({
      [`sessions/2026/01/05/rollout-2026-01-05T09-00-00-${id}.jsonl`]:
        lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
    });
    const { events } = sessionById(await convertHome(codexAdapter, home), id);
    const usages = events.flatMap((e) =>
      e.type === 'usage' ? [[e.input_tokens, e.cache_read_tokens ?? 0, e.output_tokens]] : [],
    );
    // [uncached input, cached, output] of each call.
    expect(usages).toEqual([
      [90 - 20, 20, 10],
      [40 - 10, 10, 10],
      [25 - 5, 5, 5],
      [45 - 0, 0, 5],
    ]);
  });

  it('checks usage against the growth of the totals, from a first total that includes history the file does not hold', async () => {
    // A paginated fork refers to its parent's history (`history_base`) instead of copying it; its
    // first total already counts the parent's 10,000 tokens.
    const id = '1c1c1c1c-1111-4222-8333-444444444444';
    const at = (s: number) => `2026-09-12T09:00:0${s}.000Z`;
    const usage = (input: number, output: number) => ({
      input_tokens: input,
      cached_input_tokens: 0,
      output_tokens: output,
      total_tokens: input + output,
    });
    const count = (s: number, total: Json, last: Json) => ({
      timestamp: at(s),
      ordinal: s,
      type: 'event_msg',
      payload: { type: 'token_count', info: { total_token_usage: total, last_token_usage: last } },
    });
    const base = { thread_id: '1c1c1c1c-0000-4222-8333-444444444444', end_ordinal_exclusive: 40 };
    const lines = (second: Json) => [
      {
        timestamp: at(0),
        ordinal: 0,
        type: 'session_meta',
        payload: {
          id,
          timestamp: at(0),
          cwd: '/w',
          history_mode: 'paginated',
          forked_from_id: base.thread_id,
          history_base: base,
        },
      },
      {
        timestamp: at(1),
        ordinal: 1,
        type: 'response_item',
        payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go on' }] },
      },
      count(2, usage(9900, 600), usage(900, 100)),
      count(3, second, usage(1000, 50)),
    ];
    const rel = `sessions/2026/09/12/rollout-2026-09-12T11-00-00-${id}.jsonl`;
    const write = (second: Json) =>
      buildHome({
        [rel]:
          lines(second)
            .map((l) => JSON.stringify(l))
            .join('\n') + '\n',
      });
    const agreeing = (await importHome(codexAdapter, write(usage(10900, 650)))).index[0]!;
    expect(agreeing.completeness_reasons).toEqual([]);
    expect(agreeing.usage).toMatchObject({ input_tokens: 1900, output_tokens: 150 });
    // The second total grew by 1,500 input tokens while its call counts 1,000.
    const short = (await importHome(codexAdapter, write(usage(11400, 650)))).index[0]!;
    expect(short.completeness).toBe('partial');
    expect(short.completeness_reasons).toEqual([
      "usage differs from Codex's total_token_usage: input_tokens 1900 emitted, 2400 stated",
    ]);
  });

  it('flags invalid UTF-8 in the first line of a G1 rollout', async () => {
    const id = '1e1e1e1e-1111-4222-8333-444444444444';
    const rel = `sessions/2025/08/14/rollout-2025-08-14T10-00-00-${id}.jsonl`;
    const home = buildHome({ [rel]: '' });
    // Line 1 (the G1 session line) has a byte that is not UTF-8; the rest of the file is clean.
    const first = Buffer.concat([
      Buffer.from(`{"id":"${id}","timestamp":"2025-08-14T08:00:00.000Z","instructions":"caf`),
      Buffer.from([0xff]),
      Buffer.from('"}\n'),
    ]);
    const prompt = `${JSON.stringify({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] })}\n`;
    writeFileSync(join(home, rel), Buffer.concat([first, Buffer.from(prompt)]));
    const { draft } = sessionById(await convertHome(codexAdapter, home), id);
    expect(draft.format).toBe('codex:g1');
    expect([...draft.reasons]).toEqual([INVALID_UTF8_REASON]);
  });
});
