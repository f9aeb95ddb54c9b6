/**
 * `report session` against ccusage (the devDependency, run offline) on the same real corpus homes:
 * per session and model, the four token counts and the cost are ccusage's, for Claude and Codex.
 * Claude's 1-hour cache writes, priced above 5-minute ones, are read here from the raw files too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps } from '../support/harness.js';
import { runCli } from '../reliability/support.js';
import { addSubAgent, corpusSandbox, importSandbox } from './corpus-archive.js';

const ccusage = join(dirname(createRequire(import.meta.url).resolve('ccusage/package.json')), 'src', 'cli.js');
const SUB_AGENT = 'agent-a91c7987b06ae1fca';
const PARENT = '983c6d70-0ec5-4892-8277-c8fc164c3bfb';

let sb: ReturnType<typeof corpusSandbox>;

beforeAll(async () => {
  sb = corpusSandbox();
  // A sub-agent where Claude Code keeps it: both count its calls for the parent session.
  addSubAgent(sb, PARENT, SUB_AGENT);
  await importSandbox(sb);
}, 120_000);

afterAll(cleanupTemps);

interface Row {
  tokens: [number, number, number, number];
  /** Of the cache writes, those kept for an hour. */
  oneHour: number;
  cost: number;
}

/** Our `report session --json` of one provider, by `<native session id> <model>`. */
async function ours(provider: string): Promise<Map<string, Row>> {
  const r = await runCli(sb, ['report', 'session', '--json', '--provider', provider, '--out', sb.logs]);
  expect(r.code, r.stderr).toBe(0);
  const rows = new Map<string, Row>();
  for (const line of r.stdout.trim().split('\n')) {
    const o = JSON.parse(line) as Record<string, number> & { session_id: string; model: string };
    rows.set(`${o.session_id.slice(provider.length + 1)} ${o.model}`, {
      tokens: [o.input_tokens, o.output_tokens, o.cache_read_tokens, o.cache_creation_tokens],
      oneHour: o.cache_creation_1h_tokens,
      cost: o.cost_usd,
    });
  }
  return rows;
}

function runCcusage(args: string[], env: Record<string, string>): { sessions: Record<string, unknown>[] } {
  const out = execFileSync(process.execPath, [ccusage, ...args, 'session', '--json', '--offline'], {
    env: { PATH: process.env.PATH ?? '', HOME: sb.home, TZ: 'UTC', ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out) as { sessions: Record<string, unknown>[] };
}

/** The 1-hour cache writes per `<session id> <model>`, read from the raw files. */
function oneHourWrites(): Map<string, number> {
  const writes = new Map<string, number>();
  const seen = new Set<string>();
  const files = readdirSync(sb.claudeHome, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl'));
  for (const file of files) {
    for (const line of readFileSync(join(sb.claudeHome, file), 'utf8').split('\n')) {
      if (!line.includes('"ephemeral_1h_input_tokens"')) continue;
      const rec = JSON.parse(line) as {
        sessionId: string;
        requestId?: string;
        message?: { id: string; model: string; usage?: { cache_creation?: Record<string, number> } };
      };
      // Only a model call's own usage (a tool result may quote a sub-agent's).
      if (rec.message?.usage?.cache_creation === undefined) continue;
      const key = `${rec.message.id}:${rec.requestId}`;
      if (seen.has(key)) continue; // one call, logged once per content block
      seen.add(key);
      const id = `${rec.sessionId} ${rec.message.model}`;
      writes.set(id, (writes.get(id) ?? 0) + (rec.message.usage.cache_creation.ephemeral_1h_input_tokens ?? 0));
    }
  }
  return writes;
}

describe('report session against ccusage on the corpus', () => {
  it('Claude: the same sessions, tokens and costs per model, 1-hour cache writes included', async () => {
    const mine = await ours('claude');
    const oneHour = oneHourWrites();
    const theirs = runCcusage(['claude'], { CLAUDE_CONFIG_DIR: sb.claudeHome }).sessions;
    const keys: string[] = [];
    for (const s of theirs) {
      for (const m of s.modelBreakdowns as Record<string, number | string>[]) {
        const key = `${s.sessionId as string} ${m.modelName as string}`;
        keys.push(key);
        const row = mine.get(key);
        expect(row?.tokens, key).toEqual([m.inputTokens, m.outputTokens, m.cacheReadTokens, m.cacheCreationTokens]);
        expect(row!.oneHour, key).toBe(oneHour.get(key) ?? 0);
        expect(row!.cost, key).toBeCloseTo(m.cost as number, 9);
      }
    }
    expect(keys.sort()).toEqual([...mine.keys()].sort());
    expect(keys).toContain(`${PARENT} claude-haiku-4-5-20251001`); // the sub-agent's calls, in its parent
    // Sessions whose calls wrote to the 1-hour cache are among those compared.
    expect(keys.filter((k) => (oneHour.get(k) ?? 0) > 0).length).toBeGreaterThan(0);
  });

  it('Codex: the same sessions, tokens and costs', async () => {
    const mine = await ours('codex');
    const theirs = runCcusage(['codex'], { CODEX_HOME: sb.codexHome }).sessions;
    const keys: string[] = [];
    for (const s of theirs) {
      const id = /([0-9a-f-]{36})$/.exec(s.sessionId as string)![1]!;
      for (const [model, m] of Object.entries(s.models as Record<string, Record<string, number>>)) {
        const key = `${id} ${model}`;
        keys.push(key);
        const row = mine.get(key);
        expect(row?.tokens, key).toEqual([m.inputTokens, m.outputTokens, m.cacheReadTokens, m.cacheCreationTokens]);
        if (Object.keys(s.models as object).length === 1) expect(row!.cost, key).toBeCloseTo(s.costUSD as number, 9);
      }
    }
    expect(keys.sort()).toEqual([...mine.keys()].sort());
  });
});
