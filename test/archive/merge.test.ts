/**
 * A re-import merges with the archived session: events the source no longer holds stay, in
 * native-time order, counted in `retained_events` and listed by the run summary and `doctor`. Real
 * corpus sessions cut short, regrown, truncated mid-write and rewound.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeAdapter as claude } from '../../adapters/claude/index.js';
import { geminiAdapter as gemini } from '../../adapters/gemini/index.js';
import type { AgentLogEvent } from '../../src/model/events.js';
import { buildHome, cleanupTemps, corpusDir, importHome, runCli, tempDir } from '../support/harness.js';
// @ts-expect-error plain JS test provider (shared with child processes)
import { testAdapter } from '../support/test-adapter.mjs';
import {
  CLAUDE_ID,
  CLAUDE_REL,
  GEMINI_FILE,
  GEMINI_REL,
  bodies,
  claudeCorpus,
  claudeHome,
  claudeLines,
  geminiCorpus,
} from './corpus-homes.js';

afterAll(cleanupTemps);

const ID = `claude-${CLAUDE_ID}`;
const conversationOf = (events: readonly AgentLogEvent[]) => bodies(events);
const inTimeOrder = (events: readonly AgentLogEvent[]) =>
  events.slice(1, -1).every((e, i, all) => i === 0 || all[i - 1]!.ts <= e.ts);

describe.skipIf(claudeCorpus === null)('a Claude transcript cut short (corpus)', () => {
  const lines = claudeLines();

  it('keeps every archived event, marks the session, and lists it', async () => {
    const home = claudeHome(lines.join(''));
    const full = await importHome(claude, home);
    const archived = full.sessions.get(ID)!;
    writeFileSync(join(home, CLAUDE_REL), lines.slice(0, 5).join(''));
    const short = await importHome(claude, claudeHome(lines.slice(0, 5).join('')));
    const shortEvents = conversationOf(short.sessions.get(ID)!);

    const cut = await importHome(claude, home, { logsDir: full.logsDir });
    const events = cut.sessions.get(ID)!;
    // Everything archived is there, as it was; the short copy adds nothing new.
    expect(conversationOf(events).sort()).toEqual([...new Set([...conversationOf(archived), ...shortEvents])].sort());
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]!.type).toBe('session_started');
    expect(events.at(-1)).toMatchObject({ type: 'session_ended', completeness: 'partial' });
    expect(inTimeOrder(events)).toBe(inTimeOrder(archived));
    const retained = conversationOf(archived).filter((e) => !shortEvents.includes(e)).length;
    expect(retained).toBeGreaterThan(50);
    const entry = cut.index.find((e) => e.wrapper_session_id === ID)!;
    expect(entry).toMatchObject({
      retained_events: retained,
      event_count: events.length,
      completeness: 'partial',
      usage: full.index[0]!.usage,
    });
    expect(entry.completeness_reasons).toContain(
      `${retained} event(s) no longer in the source, kept from an earlier import`,
    );
    expect(cut.summary.retained).toEqual([{ session: ID, events: retained }]);

    // Nothing changed since: nothing read, nothing rewritten.
    const again = await importHome(claude, home, { logsDir: full.logsDir });
    expect(again.summary.bytes_read).toBe(0);
    expect(again.raw.get(ID)).toBe(cut.raw.get(ID));
  });

  it('cut short, then whole again: the archive equals a clean import of the whole file', async () => {
    const home = claudeHome(lines.join(''));
    const full = await importHome(claude, home);
    writeFileSync(join(home, CLAUDE_REL), lines.slice(0, 40).join(''));
    await importHome(claude, home, { logsDir: full.logsDir });
    writeFileSync(join(home, CLAUDE_REL), lines.join(''));
    const regrown = await importHome(claude, home, { logsDir: full.logsDir });
    expect(regrown.raw.get(ID)).toBe(full.raw.get(ID));
    const { imported_at: _a, ...entry } = regrown.index[0]!;
    const { imported_at: _b, ...clean } = full.index[0]!;
    expect(entry).toEqual(clean);
    expect(regrown.summary.retained).toEqual([]);
  });

  it('run summary and doctor name the session and what it kept', () => {
    const home = claudeHome(lines.join(''));
    const user = { HOME: tempDir('user-') };
    const args = ['--claude-home', home, '--provider', 'claude'];
    const first = runCli(args, user);
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(join(home, CLAUDE_REL), lines.slice(0, 5).join(''));
    const run = runCli(args, user);
    expect(run.code, run.stderr).toBe(0);
    const kept = run.stdout.match(new RegExp(`${ID}: kept (\\d+) events no longer in the source`));
    expect(kept, run.stdout).not.toBeNull();
    const doctor = runCli(['doctor', ...args], user);
    expect(doctor.stdout).toContain(`${ID}: kept ${kept![1]} events no longer in the source`);
    const report = JSON.parse(runCli(['doctor', '--json', ...args], user).stdout) as {
      providers: { retained: unknown }[];
    };
    expect(report.providers[0]!.retained).toEqual([{ id: ID, events: Number(kept![1]) }]);
  });
});

describe.skipIf(geminiCorpus === null)('Gemini chat files (corpus)', () => {
  it('a chat file truncated mid-write loses nothing of its archived session', async () => {
    const text = readFileSync(join(geminiCorpus!, GEMINI_FILE), 'utf8');
    const home = buildHome({ [GEMINI_REL]: text });
    const first = await importHome(gemini, home);
    const [id] = [...first.sessions.keys()];
    const archived = first.sessions.get(id!)!;
    writeFileSync(join(home, GEMINI_REL), text.slice(0, Math.floor(text.length / 3)));
    const torn = await importHome(gemini, home, { logsDir: first.logsDir });
    const events = torn.sessions.get(id!)!;
    for (const body of conversationOf(archived)) expect(conversationOf(events)).toContain(body);
    expect(torn.index[0]!.retained_events).toBeGreaterThan(0);
    expect(torn.index[0]!.completeness).not.toBe('metadata_only');
  });

  it('a rewind ($rewindTo) keeps the rewound turns, in time order before the new one', async () => {
    const dir = corpusDir('gemini')!;
    const lines = readFileSync(join(dir, 'VibeCodingTracker-dc22676__test_conversation_gemini.jsonl'), 'utf8').split(
      /(?<=\n)/,
    );
    const rel = 'tmp/0ab84937/chats/session-2026-04-23T12-52-0ab84937.jsonl';
    const home = buildHome({ [rel]: lines.slice(0, 21).join('') });
    const first = await importHome(gemini, home);
    const [id] = [...first.sessions.keys()];
    const archived = first.sessions.get(id!)!;
    expect(archived.some((e) => e.type === 'user_message' && e.content.includes('System: Please continue.'))).toBe(
      true,
    );
    appendFileSync(join(home, rel), `${JSON.stringify({ $rewindTo: '1b8df650-1638-435e-b736-1f1f42357da9' })}\n`);
    appendFileSync(
      join(home, rel),
      `${JSON.stringify({ id: 'c0ffee00-0000-4000-8000-000000000001', timestamp: '2026-04-23T12:55:00.000Z', type: 'user', content: [{ text: 'a different question' }] })}\n`,
    );
    const rewound = await importHome(gemini, home, { logsDir: first.logsDir });
    const events = rewound.sessions.get(id!)!;
    const prompts = events.filter((e) => e.type === 'user_message').map((e) => (e as { content: string }).content);
    expect(prompts.at(-1)).toBe('a different question');
    expect(prompts.filter((p) => p.includes('System: Please continue.'))).toHaveLength(1);
    for (const body of conversationOf(archived)) expect(conversationOf(events)).toContain(body);
    expect(rewound.index[0]!.retained_events).toBeGreaterThanOrEqual(2);
  });
});

describe('an event read again under the same key', () => {
  const rec = (r: Record<string, unknown>) => `${JSON.stringify({ sid: 's', cwd: '/p', kind: 'user', ...r })}\n`;

  it('takes the new content, unless the new one is damaged and the archived one whole', async () => {
    const home = buildHome({
      'sessions/a.jsonl':
        rec({ ts: '2026-03-01T10:00:00Z', key: 'k1', text: 'first' }) +
        rec({ ts: '2026-03-01T10:01:00Z', key: 'k2', text: 'second, whole' }),
    });
    const first = await importHome(testAdapter, home);
    writeFileSync(
      join(home, 'sessions/a.jsonl'),
      rec({ ts: '2026-03-01T10:00:00Z', key: 'k1', text: 'first, edited' }) +
        rec({ ts: '2026-03-01T10:01:00Z', key: 'k2', text: 'sec', damaged: true }),
    );
    const again = await importHome(testAdapter, home, { logsDir: first.logsDir });
    const events = again.sessions.get('testprov-s')!;
    expect(events.map((e) => [e.seq, e.key, e.completeness, (e as { content?: string }).content])).toEqual([
      [1, 'start', 'full', undefined],
      [2, 'k1', 'full', 'first, edited'],
      [3, 'k2', 'full', 'second, whole'],
      [4, 'end', 'full', undefined],
    ]);
    expect(again.index[0]).toMatchObject({ retained_events: 0, event_count: 4 });
  });
});
