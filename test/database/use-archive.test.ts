/**
 * report, search and export on an archive of real corpus sessions (Claude and Codex), run through
 * the built CLI. Expected values are computed here from the session files and the price table.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { callCost } from '../../src/report/prices.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionLogIndexEntry } from '../../src/model/index-schema.js';
import { cleanupTemps, corpusFiles } from '../support/harness.js';
import { runCli } from '../reliability/support.js';
import { addSubAgent, archiveLines, corpusSandbox, importSandbox } from './corpus-archive.js';

const PLANTED = 'quokka zanzibar marmalade';
const PLANTED_TS = '2027-03-04T05:06:07.000Z';
const SECRET = 'sk-ant-api03-Zq8XbT2mV7nK4pL9sR1wY6cF3hJ0dG5e';
const UNKNOWN_MODEL = 'claude-unreleased-9';
const SUB_AGENT = 'agent-a91c7987b06ae1fca';

let sb: ReturnType<typeof corpusSandbox>;
let entries: SessionLogIndexEntry[];
const cli = (args: string[]) => runCli(sb, [...args, '--out', sb.logs], { env: { TZ: 'UTC' } });

/** A corpus Claude session file by its session id. */
function claudeCorpus(id: string): string {
  return corpusFiles('claude').find((f) => f.endsWith(`__${id}.jsonl`))!;
}

beforeAll(async () => {
  sb = corpusSandbox();
  // A typed prompt planted at the end of a corpus session, with HTML and a secret in it.
  const file = sb.claudeFile('b3edadab-bca0-4054-9b41-f7ffa6941260.jsonl');
  const last = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as Record<string, unknown>;
  const turn = {
    parentUuid: last.uuid,
    isSidechain: false,
    userType: 'external',
    cwd: last.cwd,
    sessionId: last.sessionId,
    version: last.version,
    type: 'user',
    message: { role: 'user', content: `${PLANTED} <script>alert(1)</script> key ${SECRET}` },
    uuid: '00000000-0000-4000-8000-000000000001',
    timestamp: PLANTED_TS,
  };
  appendFileSync(file, `${JSON.stringify(turn)}\n`);
  // A sub-agent of a corpus session, where Claude Code keeps it.
  addSubAgent(sb, '983c6d70-0ec5-4892-8277-c8fc164c3bfb', SUB_AGENT);
  // A model the price table does not know.
  const other = sb.claudeFile('8c880a68-969b-4b92-8733-a4927179d072.jsonl');
  writeFileSync(other, readFileSync(other, 'utf8').replaceAll('"claude-sonnet-4-6"', `"${UNKNOWN_MODEL}"`));
  await importSandbox(sb);
  entries = (JSON.parse(readFileSync(join(sb.logs, 'index.json'), 'utf8')) as { sessions: SessionLogIndexEntry[] })
    .sessions;
}, 120_000);

afterAll(cleanupTemps);

interface Call {
  session: string;
  ts: string;
  model: string | null;
  provider: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
}

/** Every usage event of the archive, with its session's index entry. */
function archiveCalls(): Call[] {
  const byId = new Map(entries.map((e) => [e.wrapper_session_id, e]));
  const calls: Call[] = [];
  for (const [id, lines] of archiveLines(sb.logs)) {
    for (const line of lines) {
      const e = JSON.parse(line) as Record<string, string | number | undefined>;
      if (e.type !== 'usage') continue;
      calls.push({
        session: id,
        ts: String(e.ts),
        model: (e.model as string | undefined) ?? byId.get(id)!.model,
        provider: String(e.provider),
        input: Number(e.input_tokens ?? 0),
        output: Number(e.output_tokens ?? 0),
        cacheRead: Number(e.cache_read_tokens ?? 0),
        cacheWrite: Number(e.cache_creation_tokens ?? 0),
        cacheWrite1h: Number(e.cache_creation_1h_tokens ?? 0),
      });
    }
  }
  return calls;
}

function mondayOf(ts: string): string {
  const d = new Date(ts.slice(0, 10));
  return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
}

describe('report', () => {
  const keyOf: Record<string, [string | null, (c: Call) => string | null]> = {
    daily: ['date', (c) => c.ts.slice(0, 10)],
    weekly: ['week', (c) => mondayOf(c.ts)],
    monthly: ['month', (c) => c.ts.slice(0, 7)],
    session: [
      'session_id',
      (c) => entries.find((e) => e.wrapper_session_id === c.session)!.parent_session_id ?? c.session,
    ],
    model: [null, () => null],
    project: ['project', (c) => entries.find((e) => e.wrapper_session_id === c.session)!.workspace_path],
  };

  it.each(Object.keys(keyOf))('%s: totals per group equal the sum of the archive usage events', async (kind) => {
    const [keyName, key] = keyOf[kind]!;
    const want = new Map<string, number[]>();
    for (const c of archiveCalls()) {
      const id = JSON.stringify([key(c), c.provider, c.model]);
      const t = want.get(id) ?? [0, 0, 0, 0, 0, 0];
      want.set(id, [
        t[0]! + 1,
        t[1]! + c.input,
        t[2]! + c.output,
        t[3]! + c.cacheRead,
        t[4]! + c.cacheWrite,
        t[5]! + c.cacheWrite1h,
      ]);
    }
    expect(want.size).toBeGreaterThan(1);
    expect([...want.values()].some((t) => t[5]! > 0)).toBe(true);
    const r = await cli(['report', kind, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const got = new Map<string, number[]>();
    for (const line of r.stdout.trim().split('\n')) {
      const row = JSON.parse(line) as Record<string, string | number | null>;
      got.set(JSON.stringify([keyName === null ? null : row[keyName], row.provider, row.model]), [
        row.calls as number,
        row.input_tokens as number,
        row.output_tokens as number,
        row.cache_read_tokens as number,
        row.cache_creation_tokens as number,
        row.cache_creation_1h_tokens as number,
      ]);
    }
    expect(got).toEqual(want);
  });

  it('a known model costs what the table prices its tokens at; an unknown one has no cost', async () => {
    const model = 'claude-opus-4-5-20251101';
    const info = findProvider({ modelId: model })!.models.find((m) => m.id === 'claude-opus-4-5')!;
    const p = info.prices as Record<string, number>;
    let want = 0;
    for (const c of archiveCalls().filter((c) => c.model === model)) {
      want +=
        (c.input * p.input_mtok! +
          c.output * p.output_mtok! +
          c.cacheRead * p.cache_read_mtok! +
          (c.cacheWrite - c.cacheWrite1h) * p.cache_write_mtok! +
          c.cacheWrite1h * p.cache_write_1h_mtok!) /
        1e6;
    }
    expect(want).toBeGreaterThan(0);
    const r = await cli(['report', 'model', '--json']);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { model: string; cost_usd: number | null });
    expect(rows.find((row) => row.model === model)!.cost_usd).toBeCloseTo(want, 9);
    expect(rows.find((row) => row.model === UNKNOWN_MODEL)!.cost_usd).toBeNull();
    const table = await cli(['report', 'model']);
    expect(table.stdout).toMatch(new RegExp(`${UNKNOWN_MODEL}.* -\\n`));
  });

  it("a call's cost is the table's own calculation for it (every call of the corpus)", () => {
    for (const c of archiveCalls()) {
      const got = callCost({
        model: c.model,
        ts: c.ts,
        input_tokens: c.input,
        output_tokens: c.output,
        cache_read_tokens: c.cacheRead,
        cache_creation_tokens: c.cacheWrite,
        cache_creation_1h_tokens: c.cacheWrite1h,
      });
      const table = calcPrice(
        {
          input_tokens: c.input + c.cacheRead + c.cacheWrite,
          cache_read_tokens: c.cacheRead,
          cache_write_tokens: c.cacheWrite,
          cache_write_1h_tokens: c.cacheWrite1h,
          output_tokens: c.output,
        },
        c.model!,
        { timestamp: new Date(c.ts) },
      );
      if (table === null) expect(got).toBeNull();
      else expect(got).toBeCloseTo(table.total_price, 12);
    }
    expect(archiveCalls().some((c) => c.cacheWrite1h > 0)).toBe(true);
  });

  it('a 1-hour cache write the table gives no rate for costs twice the input price', () => {
    const call = { input: 100, output: 10, cacheRead: 0, cacheWrite: 1000, cacheWrite1h: 400 };
    const ts = '2026-01-01T00:00:00.000Z';
    // The table prices every cache write of this model as input (it has no cache rates at all).
    const table = calcPrice(
      { input_tokens: call.input + call.cacheWrite, cache_write_tokens: call.cacheWrite, output_tokens: call.output },
      'claude-2',
      { timestamp: new Date(ts) },
    )!;
    expect(table.model_price.cache_write_1h_mtok).toBeUndefined();
    const input = table.model_price.input_mtok as number;
    const got = callCost({
      model: 'claude-2',
      ts,
      input_tokens: call.input,
      output_tokens: call.output,
      cache_read_tokens: call.cacheRead,
      cache_creation_tokens: call.cacheWrite,
      cache_creation_1h_tokens: call.cacheWrite1h,
    });
    expect(got).toBeCloseTo(table.total_price + (call.cacheWrite1h * (2 * input - input)) / 1e6, 12);
  });

  it('--provider, --since and --until filter the calls', async () => {
    const codex = await cli(['report', 'daily', '--json', '--provider', 'codex']);
    const rows = codex.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { provider: string; date: string });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.provider === 'codex')).toBe(true);
    const days = [...new Set(archiveCalls().map((c) => c.ts.slice(0, 10)))].sort();
    const mid = days[Math.floor(days.length / 2)]!;
    const since = await cli(['report', 'daily', '--json', '--since', mid]);
    const until = await cli(['report', 'daily', '--json', '--until', mid]);
    const dates = (out: string) =>
      [
        ...new Set(
          out
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => (JSON.parse(l) as { date: string }).date),
        ),
      ].sort();
    expect(dates(since.stdout)).toEqual(days.filter((d) => d >= mid));
    expect(dates(until.stdout)).toEqual(days.filter((d) => d < mid));
  });
});

describe('search', () => {
  it('finds a planted phrase, with its session, time, role and a marked snippet', async () => {
    const r = await cli(['search', `"${PLANTED}"`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const hits = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { session_id: string; ts: string; type: string; snippet: string });
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      session_id: 'claude-b3edadab-bca0-4054-9b41-f7ffa6941260',
      ts: PLANTED_TS,
      type: 'user_message',
    });
    expect(hits[0]!.snippet).toContain('[quokka zanzibar marmalade]');
    const text = await cli(['search', 'zanzibar']);
    expect(text.stdout).toContain('claude-b3edadab-bca0-4054-9b41-f7ffa6941260#');
    expect(text.stdout).toContain('[zanzibar]');
  });

  it('filters by role, provider and time', async () => {
    const count = async (args: string[]) =>
      (await cli(['search', 'zanzibar', '--json', ...args])).stdout.trim().split('\n').filter(Boolean).length;
    expect(await count(['--role', 'user'])).toBe(1);
    expect(await count(['--role', 'assistant'])).toBe(0);
    expect(await count(['--provider', 'codex'])).toBe(0);
    expect(await count(['--provider', 'claude'])).toBe(1);
    expect(await count(['--since', '2027-03-05'])).toBe(0);
    expect(await count(['--since', '2027-03-04'])).toBe(1);
    // Tool calls: a word of a corpus Write call's input.
    const tools = (await cli(['search', 'file_path', '--json', '--role', 'tool', '--limit', '100'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.every((h) => h.type === 'tool_call' || h.type === 'tool_result')).toBe(true);
  });

  it('a common word: the best hits are the same whether a filter (one that keeps every event) is given or not', async () => {
    const hits = async (args: string[]) =>
      (await cli(['search', 'the', '--json', '--limit', '30', ...args])).stdout.trim().split('\n');
    const all = await hits([]);
    expect(all).toHaveLength(30);
    expect(await hits(['--provider', 'claude', '--provider', 'codex'])).toEqual(all);
  });

  it('a malformed query is a usage error', async () => {
    const r = await cli(['search', '"unbalanced']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('search');
  });
});

describe('export', () => {
  const id = 'b3edadab-bca0-4054-9b41-f7ffa6941260';

  it('Markdown holds every typed prompt and every tool call of the session file', async () => {
    const r = await cli(['export', `claude-${id.slice(0, 8)}`]);
    expect(r.code, r.stderr).toBe(0);
    const native = readFileSync(claudeCorpus(id), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; message?: { content: unknown } });
    const prompts = native
      .filter((l) => l.type === 'user' && typeof l.message?.content === 'string')
      .map((l) => l.message!.content as string);
    const tools = native
      .filter((l) => l.type === 'assistant' && Array.isArray(l.message?.content))
      .flatMap((l) =>
        (l.message!.content as { type: string; name?: string; input?: Record<string, unknown> }[]).filter(
          (c) => c.type === 'tool_use',
        ),
      );
    expect(prompts.length).toBeGreaterThan(0);
    expect(tools.length).toBeGreaterThan(0);
    for (const p of prompts) expect(r.stdout).toContain(p.trim());
    for (const t of tools) {
      expect(r.stdout).toContain(`### Tool: ${t.name} ·`);
      for (const value of Object.values(t.input ?? {}))
        if (typeof value === 'string') expect(r.stdout).toContain(JSON.stringify(value).slice(1, -1));
    }
    expect(r.stdout).toContain(PLANTED);
    expect(r.stdout).toContain(SECRET);
  });

  it('--redact masks secrets', async () => {
    for (const format of ['md', 'html', 'jsonl']) {
      const r = await cli(['export', `claude-${id}`, '--format', format, '--redact']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain(SECRET);
      expect(r.stdout).toContain('[REDACTED:api_key]');
    }
  });

  it('HTML is well-formed and escapes <script>', async () => {
    const r = await cli(['export', `claude-${id}`, '--format', 'html']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(r.stdout).not.toContain('<script');
    // Every element is closed in order (void elements aside).
    const stack: string[] = [];
    for (const m of r.stdout.matchAll(/<(\/?)([a-z0-9]+)[^>]*>/g)) {
      if (['meta', 'br'].includes(m[2]!)) continue;
      if (m[1] === '') stack.push(m[2]!);
      else expect(stack.pop()).toBe(m[2]);
    }
    expect(stack).toEqual([]);
  });

  it('a sub-agent call links the sub-agent session it started; a session without a title is named by its first prompt', async () => {
    const parent = 'claude-983c6d70-0ec5-4892-8277-c8fc164c3bfb';
    const r = await cli(['export', parent]);
    expect(r.stdout).toMatch(new RegExp(`### Tool: Agent · .*\\n\\n_started sub-agent ${parent}-${SUB_AGENT} `));
    expect(r.stdout).toMatch(new RegExp(`^- \\*\\*sub-agent\\*\\*: ${parent}-${SUB_AGENT}: Fetch strongbox`, 'm'));
    const codex = entries.find((e) => e.provider === 'codex' && e.title === null && e.usage.calls > 0)!;
    const prompt = archiveLines(sb.logs)
      .get(codex.wrapper_session_id)!
      .map((l) => JSON.parse(l) as { type: string; role?: string; content?: string })
      .find((e) => e.type === 'user_message' && e.role === 'user')!.content!;
    const md = await cli(['export', codex.wrapper_session_id]);
    expect(md.stdout.split('\n')[0]).toBe(`# ${prompt.split('\n')[0]!.trim()}`);
  });

  it('JSONL is the session file', async () => {
    const r = await cli(['export', `claude-${id}`, '--format', 'jsonl']);
    expect(r.stdout).toBe(
      readFileSync(join(sb.logs, entries.find((e) => e.wrapper_session_id === `claude-${id}`)!.log_path), 'utf8'),
    );
  });
});

describe('list', () => {
  it('titles every session with a typed prompt; sub-agents under their parent, with their task; --no-subagents', async () => {
    const r = await cli(['list']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const byId = new Map(entries.map((e) => [e.wrapper_session_id, e]));
    for (const [id, events] of archiveLines(sb.logs)) {
      const prompt = events
        .map((l) => JSON.parse(l) as { type: string; role?: string; content?: string })
        .find((e) => e.type === 'user_message' && e.role === 'user');
      const title = byId.get(id)!.title ?? prompt?.content;
      if (title === undefined) continue;
      // The row whose short id names this id: a prefix of it, or PARENT/REST (a sub-agent, id `<parent>-REST…`).
      const names = (short: string) => {
        const [parent, rest] = short.split('/') as [string, string | undefined];
        return rest === undefined ? id.startsWith(parent) : id.startsWith(parent) && id.includes(`-${rest}`);
      };
      const line = lines
        .filter((l) => l.startsWith('claude-') || l.startsWith('codex-'))
        .filter((l) => names(l.split(' ')[0]!))
        .sort((a, b) => b.split(' ')[0]!.length - a.split(' ')[0]!.length)[0];
      expect(line, id).toBeDefined();
      expect(line).toContain(title.replace(/\s+/g, ' ').trim().slice(0, 20));
    }
    // A Codex rollout records no title: its first prompt stands in.
    expect(entries.filter((e) => e.provider === 'codex' && e.title === null).length).toBeGreaterThan(0);
    const parentRow = lines.findIndex((l) => l.startsWith('claude-983c6d70 '));
    expect(lines[parentRow + 1]).toMatch(
      /^claude-983c6d70\/agent-\w{4} .*↳ Fetch strongbox keyring file format from source/,
    );
    // A sub-agent's short id (PARENT/REST) is one `show` takes.
    const subAgentIds = lines.map((l) => l.split(' ')[0]!).filter((short) => short.includes('/'));
    expect(subAgentIds.length).toBeGreaterThan(0);
    for (const short of subAgentIds) {
      const id = (await cli(['show', short])).stdout.split(' ')[0]!;
      expect(byId.get(id)?.parent_session_id, short).toBeTruthy();
      expect(id.startsWith(short.split('/')[0]!) && id.includes(`-${short.split('/')[1]}`), `${short} ${id}`).toBe(
        true,
      );
    }
    const hidden = await cli(['list', '--no-subagents']);
    expect(hidden.stdout).toContain('claude-983c6d70 ');
    expect(hidden.stdout).not.toContain('↳');
  });

  it("a session's cost is the sum of its calls' costs in the session report", async () => {
    const list = (await cli(['list'])).stdout.split('\n');
    const report = (await cli(['report', 'session', '--json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { session_id: string; cost_usd: number | null });
    const id = 'claude-b3edadab-bca0-4054-9b41-f7ffa6941260';
    const cost = report.filter((row) => row.session_id === id).reduce((t, row) => t + row.cost_usd!, 0);
    expect(cost).toBeLessThan(1);
    expect(list.find((l) => l.startsWith('claude-b3edadab '))).toContain(`$${cost.toFixed(4)} `);
    // A filtered list reads titles and costs for the sessions it shows alone: the same rows.
    const codex = list.filter((l) => l.startsWith('codex-'));
    expect(codex.length).toBeGreaterThan(1);
    const filtered = (await cli(['list', '--provider', 'codex'])).stdout
      .split('\n')
      .filter((l) => l.startsWith('codex-'));
    expect(filtered.map((l) => l.replace(/ +/g, ' '))).toEqual(codex.map((l) => l.replace(/ +/g, ' ')));
  });
});

describe('show', () => {
  const parent = 'claude-983c6d70-0ec5-4892-8277-c8fc164c3bfb';
  const child = `${parent}-${SUB_AGENT}`;

  it('a sub-agent call names the session it started; the header lists sub-agents with their usage', async () => {
    const r = await cli(['show', parent]);
    expect(r.code, r.stderr).toBe(0);
    const usage = entries.find((e) => e.wrapper_session_id === child)!.usage;
    expect(r.stdout).toMatch(
      new RegExp(
        `^agents: +${child} .*cache read ${usage.cache_read_tokens.toLocaleString('en-US')} .*out ${usage.output_tokens}\\)$`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(new RegExp(`^\\S+  tool +\\[ok\\] Agent: .* → sub-agent …-${SUB_AGENT}$`, 'm'));
  });

  it('--full prints whole messages and tool output; --only keeps the lines asked for', async () => {
    const events = archiveLines(sb.logs)
      .get(parent)!
      .map((l) => JSON.parse(l) as { type: string; content?: string; output?: string });
    const answer = events
      .filter((e) => e.type === 'assistant_message')
      .map((e) => e.content!)
      .sort((a, b) => b.length - a.length)[0]!;
    expect(answer.split('\n').length).toBeGreaterThan(3);
    const full = await cli(['show', parent, '--full', '--only', 'assistant']);
    expect(full.code, full.stderr).toBe(0);
    for (const line of answer.split('\n')) expect(full.stdout).toContain(line.trimEnd());
    const body = full.stdout.slice(full.stdout.indexOf('── '));
    expect(body).not.toMatch(/^\S+  (user|tool|usage) /m);
    const short = await cli(['show', parent]);
    expect(short.stdout).not.toContain(answer.split('\n')[3]!.trimEnd());
    const tools = await cli(['show', parent, '--full', '--only', 'tool']);
    const output = events.find((e) => e.type === 'tool_result' && (e.output ?? '').split('\n').length > 3)!.output!;
    for (const line of output.split('\n').slice(0, 5))
      expect(tools.stdout).toContain(line.replace(/\t/g, '    ').trimEnd());
    const bad = await cli(['show', parent, '--only', 'nonsense']);
    expect(bad.code).toBe(2);
  });
});
