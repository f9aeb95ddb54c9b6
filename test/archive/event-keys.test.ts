/**
 * `key` on every event line: unique within a session file, right after `seq`, the same for the
 * same native record in every import (a fresh logs dir, a longer copy of the source, with or without `--redact`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { claudeAdapter as claude } from '../../adapters/claude/index.js';
import { AgentLogEvent } from '../../src/model/event-line.js';
import { EventKeys } from '../../src/writer/event-keys.js';
import { buildHome, cleanupTemps, eventsText, importHome } from '../support/harness.js';
// @ts-expect-error plain JS test provider (shared with child processes)
import { testAdapter } from '../support/test-adapter.mjs';
import { CLAUDE_ID, claudeCorpus, claudeHome, claudeLines } from './corpus-homes.js';

afterAll(cleanupTemps);

describe('EventKeys', () => {
  it('keeps native keys, derives one from the content otherwise, and numbers repeats', () => {
    const keys = new EventKeys();
    expect(keys.next('u1#0', () => 'never read')).toBe('u1#0');
    expect(keys.next('u1#0', () => 'never read')).toBe('u1#0~2');
    const derived = keys.next(undefined, () => '"ts":"2026-01-01T00:00:00.000Z","type":"x"}');
    expect(derived).toMatch(/^h[0-9a-f]{16}$/);
    expect(keys.next(undefined, () => '"ts":"2026-01-01T00:00:00.000Z","type":"x"}')).toBe(`${derived}~2`);
    expect(keys.next(undefined, () => '"ts":"2026-01-01T00:00:00.000Z","type":"y"}')).not.toBe(derived);
    // A native key that looks like a numbered repeat does not make a later repeat collide.
    expect(keys.next('u2~2', () => '')).toBe('u2~2');
    expect(keys.next('u2', () => '')).toBe('u2');
    expect(keys.next('u2', () => '')).toBe('u2~3');
  });

  it('gives two identical events of one session distinct keys', async () => {
    const rec = `${JSON.stringify({ sid: 's', ts: '2026-03-01T10:00:00Z', kind: 'user', text: 'same', cwd: '/p' })}\n`;
    const { sessions } = await importHome(testAdapter, buildHome({ 'sessions/a.jsonl': rec + rec }));
    const keys = sessions.get('testprov-s')!.map((e) => e.key);
    expect(keys).toHaveLength(4);
    expect(keys[0]).toBe('start');
    expect(keys[2]).toBe(`${keys[1]}~2`);
    expect(keys[3]).toBe('end');
  });

  it('derives the same key with and without --redact', async () => {
    const rec = `${JSON.stringify({ sid: 's', ts: '2026-03-01T10:00:00Z', kind: 'user', text: 'key AKIAIOSFODNN7EXAMPLE here', cwd: '/p' })}\n`;
    const home = buildHome({ 'sessions/a.jsonl': rec });
    const plain = (await importHome(testAdapter, home)).sessions.get('testprov-s')!;
    const masked = (await importHome(testAdapter, home, { redact: true })).sessions.get('testprov-s')!;
    expect(plain[1]).toMatchObject({ content: 'key AKIAIOSFODNN7EXAMPLE here' });
    expect(masked[1]).toMatchObject({ content: 'key [REDACTED:aws_access_key_id] here', key: plain[1]!.key });
  });
});

describe.skipIf(claudeCorpus === null)('keys of a real Claude session (corpus)', () => {
  const lines = claudeLines();

  it('are on every line right after seq, unique, start and end first and last', async () => {
    const { raw, sessions } = await importHome(claude, claudeHome(lines.join('')));
    const events = sessions.get(`claude-${CLAUDE_ID}`)!;
    expect(events.length).toBeGreaterThan(50);
    for (const e of events) AgentLogEvent.parse(e);
    const keys = events.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys[0]).toBe('start');
    expect(keys.at(-1)).toBe('end');
    for (const [i, text] of raw.get(`claude-${CLAUDE_ID}`)!.trimEnd().split('\n').entries()) {
      expect(text.startsWith(`{"seq":${i + 1},"key":${JSON.stringify(keys[i])},"ts":`)).toBe(true);
    }
  });

  it('are the same for the same record in a shorter copy, a fresh logs dir', async () => {
    const full = await importHome(claude, claudeHome(lines.join('')));
    const again = await importHome(claude, claudeHome(lines.join('')));
    const head = await importHome(claude, claudeHome(lines.slice(0, 80).join('')));
    const id = `claude-${CLAUDE_ID}`;
    const byKey = (events: AgentLogEvent[]) => new Map(events.map(({ seq: _s, ...e }) => [e.key, JSON.stringify(e)]));
    expect(eventsText(again.raw.get(id)!)).toBe(eventsText(full.raw.get(id)!));
    const fullEvents = byKey(full.sessions.get(id)!);
    const headEvents = head.sessions.get(id)!.filter((e) => e.type !== 'session_started' && e.type !== 'session_ended');
    expect(headEvents.length).toBeGreaterThan(20);
    // Every event of the shorter copy is in the full one, under the same key, with the same content.
    for (const { seq: _s, ...e } of headEvents) expect(fullEvents.get(e.key), e.key).toBe(JSON.stringify(e));
  });

  it('do not depend on where the home is, even for a warning that names the file', async () => {
    const damaged = [...lines.slice(0, 10), '{"type":"assistant", this is not json\n', ...lines.slice(10)].join('');
    const one = await importHome(claude, claudeHome(damaged));
    const two = await importHome(claude, claudeHome(damaged));
    const id = `claude-${CLAUDE_ID}`;
    const warnings = (r: typeof one) => r.sessions.get(id)!.filter((e) => e.type === 'parse_warning');
    expect(warnings(one)).toHaveLength(1);
    expect(warnings(one)[0]!.message).not.toBe(warnings(two)[0]!.message); // each names its own home
    expect(one.sessions.get(id)!.map((e) => e.key)).toEqual(two.sessions.get(id)!.map((e) => e.key));
  });
});
