/** The importer with a toy provider: determinism, incremental re-runs, state, lock, bad ids. */
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  utimesSync,
  readFileSync,
  readdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeAdapter as claude } from '../../adapters/claude/index.js';
import { CliError } from '../../src/errors.js';
import { lockHolder } from '../../src/importer/lock.js';
import { AgentLogEvent } from '../../src/model/event-line.js';
import { SessionLogIndex } from '../../src/model/index-schema.js';
import { BackfillState } from '../../src/model/state.js';
import { buildHome, cleanupTemps, eventsText, importHome, readLogs, repoRoot, tempDir } from '../support/harness.js';
// @ts-expect-error plain JS test provider (shared with child processes)
import { testAdapter } from '../support/test-adapter.mjs';

afterAll(cleanupTemps);

const line = (r: Record<string, unknown>) => `${JSON.stringify(r)}\n`;

function conversation(sid: string, turns: number, cwd = '/home/dev/project'): string {
  let text = '';
  for (let i = 0; i < turns; i++) {
    const t = (s: number) =>
      `2026-03-0${1 + (i % 8)}T10:${String(i % 60).padStart(2, '0')}:${String(s).padStart(2, '0')}Z`;
    text += line({ sid, ts: t(0), kind: 'user', text: `question ${i}`, cwd, id: `u${i}` });
    text += line({
      sid,
      ts: t(1),
      kind: 'assistant',
      text: `answer ${i}`,
      model: i % 3 === 0 ? 'model-b' : 'model-a',
      id: `a${i}`,
    });
    text += line({ sid, ts: t(2), kind: 'tool', tool: 'Read', id: `t${i}`, input: { path: `f${i}` } });
    text += line({ sid, ts: t(3), kind: 'result', id: `t${i}`, output: `content ${i}` });
    text += line({ sid, ts: t(4), kind: 'usage', input: 100 + i, output: 10, cached: 40 });
  }
  return text;
}

describe('import of a toy provider', () => {
  it('writes one normalized session per native session, with the envelope, joins and totals', async () => {
    const home = buildHome({ 'sessions/a.jsonl': conversation('s-a', 3) });
    const { index, sessions, summary } = await importHome(testAdapter, home);
    expect(summary.errors).toEqual([]);
    const events = sessions.get('testprov-s-a')!;
    for (const e of events) AgentLogEvent.parse(e);
    SessionLogIndex.parse({ sessions: index });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({
      type: 'session_started',
      command: 'backfill',
      model: 'model-b',
      cwd: '/home/dev/project',
      ts: '2026-03-01T10:00:00.000Z',
    });
    expect(events.at(-1)).toMatchObject({
      type: 'session_ended',
      success: true,
      completeness: 'full',
      ts: '2026-03-03T10:02:04.000Z',
    });
    const results = events.filter((e) => e.type === 'tool_result');
    expect(results).toHaveLength(3);
    for (const r of results) expect(r).toMatchObject({ tool_name: 'Read', tool_kind: 'file_read' });
    expect(index).toHaveLength(1);
    expect(index[0]).toMatchObject({
      wrapper_session_id: 'testprov-s-a',
      provider_session_id: 's-a',
      completeness: 'full',
      started_at: '2026-03-01T10:00:00.000Z',
      ended_at: '2026-03-03T10:02:04.000Z',
      model: 'model-a', // 2 of 3 answers
      event_count: events.length,
      usage: {
        input_tokens: 3 * 60 + 3,
        output_tokens: 30,
        cache_read_tokens: 120,
        cache_creation_tokens: 0,
        calls: 3,
      },
    });
  });

  it('gives byte-identical session files and indexes (but imported_at) in two fresh logs dirs', async () => {
    const home = buildHome({
      'sessions/a.jsonl': conversation('s-a', 20),
      'sessions/b.jsonl': conversation('s-b', 7),
      'sessions/c.jsonl': 'oops\n',
    });
    const one = await importHome(testAdapter, home, { concurrency: 1 });
    const two = await importHome(testAdapter, home, { concurrency: 4 });
    expect([...two.raw.keys()]).toEqual([...one.raw.keys()]);
    for (const [id, text] of one.raw) expect(two.raw.get(id)).toBe(text);
    const strip = (entries: typeof one.index) => entries.map(({ imported_at: _i, ...e }) => e);
    expect(strip(two.index)).toEqual(strip(one.index));
  });

  it('re-runs without reading a transcript byte, and rewrites only the session whose source changed', async () => {
    const home = buildHome({ 'sessions/a.jsonl': conversation('s-a', 5), 'sessions/b.jsonl': conversation('s-b', 5) });
    const first = await importHome(testAdapter, home);
    const logsDir = first.logsDir;
    const fileOf = (id: string) => join(logsDir, 'sessions', `${id}.jsonl`);
    const inoA = statSync(fileOf('testprov-s-a')).ino;
    const inoB = statSync(fileOf('testprov-s-b')).ino;

    const second = await importHome(testAdapter, home, { logsDir });
    expect(second.summary.bytes_read).toBe(0);
    expect(second.summary.providers.testprov).toMatchObject({
      new_sessions: 0,
      updated_sessions: 0,
      unchanged_sessions: 2,
      pending_units: 0,
    });
    expect(statSync(fileOf('testprov-s-a')).ino).toBe(inoA);

    appendFileSync(
      join(home, 'sessions/b.jsonl'),
      line({ sid: 's-b', ts: '2026-03-09T00:00:00Z', kind: 'user', text: 'one more' }),
    );
    const third = await importHome(testAdapter, home, { logsDir });
    expect(third.summary.providers.testprov).toMatchObject({
      new_sessions: 0,
      updated_sessions: 1,
      unchanged_sessions: 1,
    });
    expect(third.summary.bytes_read).toBe(statSync(join(home, 'sessions/b.jsonl')).size);
    expect(statSync(fileOf('testprov-s-a')).ino).toBe(inoA); // untouched
    expect(statSync(fileOf('testprov-s-b')).ino).not.toBe(inoB); // replaced by rename, not appended
    const b = third.sessions.get('testprov-s-b')!;
    expect(b.filter((e) => e.type === 'user_message')).toHaveLength(6);
    expect(b.filter((e) => e.type === 'session_ended')).toHaveLength(1);
  });

  it('keeps a session whose source disappeared, and marks it', async () => {
    const home = buildHome({ 'sessions/a.jsonl': conversation('s-a', 2), 'sessions/b.jsonl': conversation('s-b', 2) });
    const first = await importHome(testAdapter, home);
    unlinkSync(join(home, 'sessions/a.jsonl'));
    const second = await importHome(testAdapter, home, { logsDir: first.logsDir });
    expect(second.summary.providers.testprov!.removed_at_source).toBe(1);
    expect(second.raw.get('testprov-s-a')).toBe(first.raw.get('testprov-s-a'));
    expect(second.index.find((e) => e.wrapper_session_id === 'testprov-s-a')).toMatchObject({ source_missing: true });
    expect(second.index.find((e) => e.wrapper_session_id === 'testprov-s-b')).toMatchObject({ source_missing: false });
  });

  it('keeps every archived event of a session whose transcript is gone when a poorer copy of it appears elsewhere', async () => {
    const home = buildHome({ 'sessions/a.jsonl': conversation('s-a', 4) });
    const first = await importHome(testAdapter, home);
    const archived = first.sessions.get('testprov-s-a')!;
    const body = ({ seq: _s, ...e }: AgentLogEvent) => JSON.stringify(e);
    const middle = (events: AgentLogEvent[]) => events.slice(1, -1).map(body);
    unlinkSync(join(home, 'sessions/a.jsonl'));
    writeFileSync(
      join(home, 'sessions/history.jsonl'),
      line({ sid: 's-a', ts: '2026-03-01T10:00:00Z', kind: 'user', text: 'question 0' }),
    );
    for (let run = 0; run < 3; run++) {
      const again = await importHome(testAdapter, home, { logsDir: first.logsDir });
      const events = again.sessions.get('testprov-s-a')!;
      // Every archived event, as it was, in its order; the copy's own events among them by time.
      expect(
        middle(events).filter((e) => middle(archived).includes(e)),
        `run ${run}`,
      ).toEqual(middle(archived));
      expect(events.filter((e) => e.type === 'user_message' && e.content === 'later')).toHaveLength(run);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(again.index.find((e) => e.wrapper_session_id === 'testprov-s-a')).toMatchObject({
        source_missing: false,
        retained_events: archived.length - 2,
        event_count: events.length,
        completeness: 'partial',
      });
      appendFileSync(
        join(home, 'sessions/history.jsonl'),
        line({ sid: 's-a', ts: `2026-03-0${2 + run}T10:00:00Z`, kind: 'user', text: 'later' }),
      );
    }
    // The transcript restored, grown, and the other copy gone: nothing of either is lost.
    writeFileSync(join(home, 'sessions/a.jsonl'), conversation('s-a', 6));
    unlinkSync(join(home, 'sessions/history.jsonl'));
    const restored = await importHome(testAdapter, home, { logsDir: first.logsDir });
    const events = restored.sessions.get('testprov-s-a')!;
    const prompts = events.filter((e) => e.type === 'user_message').map((e) => (e as { content: string }).content);
    // In native-time order: each 'later' (10:00 of its day) before that day's question (10:0N).
    expect(prompts).toEqual([
      'question 0',
      'question 0',
      'later',
      'question 1',
      'later',
      'question 2',
      'question 3',
      'question 4',
      'question 5',
    ]);
    expect(restored.index.find((e) => e.wrapper_session_id === 'testprov-s-a')).toMatchObject({
      source_missing: false,
      retained_events: 3,
    });
  });

  it('--since converts only sources changed since then, and leaves the others for a later run', async () => {
    const home = buildHome({
      'sessions/old.jsonl': conversation('s-old', 2),
      'sessions/new.jsonl': conversation('s-new', 2),
    });
    const monthAgo = new Date(Date.now() - 30 * 86400e3);
    utimesSync(join(home, 'sessions/old.jsonl'), monthAgo, monthAgo);
    const first = await importHome(testAdapter, home, { since: Date.now() - 7 * 86400e3 });
    expect(first.summary.providers.testprov).toMatchObject({ skipped_since: 1, new_sessions: 1 });
    expect(first.index.map((e) => e.wrapper_session_id)).toEqual(['testprov-s-new']);
    const later = await importHome(testAdapter, home, { logsDir: first.logsDir });
    expect(later.summary.providers.testprov).toMatchObject({ new_sessions: 1, unchanged_sessions: 1 });
    expect(later.index.map((e) => e.wrapper_session_id).sort()).toEqual(['testprov-s-new', 'testprov-s-old']);
  });

  it('--dry-run plans what a real run then does, and writes nothing', async () => {
    const home = buildHome({ 'sessions/a.jsonl': conversation('s-a', 2), 'sessions/b.jsonl': conversation('s-b', 3) });
    const first = await importHome(testAdapter, home);
    appendFileSync(
      join(home, 'sessions/b.jsonl'),
      line({ sid: 's-b', ts: '2026-03-09T00:00:00Z', kind: 'user', text: 'more' }),
    );
    writeFileSync(join(home, 'sessions/c.jsonl'), conversation('s-c', 1));
    unlinkSync(join(home, 'sessions/a.jsonl'));
    const before = readFileSync(join(first.logsDir, 'backfill_state.json'), 'utf8');
    const plan = await importHome(testAdapter, home, { logsDir: first.logsDir, dryRun: true });
    const sizes = ['b', 'c'].reduce((n, f) => n + statSync(join(home, `sessions/${f}.jsonl`)).size, 0);
    expect(plan.summary.providers.testprov).toMatchObject({
      pending_units: 2,
      unchanged_units: 0,
      removed_at_source: 1,
      bytes_to_read: sizes,
    });
    expect(plan.summary.bytes_read).toBe(0);
    expect(readFileSync(join(first.logsDir, 'backfill_state.json'), 'utf8')).toBe(before);
    expect(plan.raw).toEqual(first.raw);
    const real = await importHome(testAdapter, home, { logsDir: first.logsDir });
    expect(real.summary.providers.testprov).toMatchObject({
      new_sessions: 1,
      updated_sessions: 1,
      removed_at_source: 1,
    });
  });

  it('re-converts every session when forced or when the adapter version changes', async () => {
    const home = buildHome({ 'sessions/a.jsonl': conversation('s-a', 2) });
    const first = await importHome(testAdapter, home);
    const forced = await importHome(testAdapter, home, { logsDir: first.logsDir, force: true });
    expect(forced.summary.providers.testprov!.updated_sessions).toBe(1);
    const bumped = await importHome({ ...testAdapter, version: 2 }, home, { logsDir: first.logsDir });
    expect(bumped.summary.providers.testprov!.updated_sessions).toBe(1);
    expect(bumped.index[0]!.adapter_version).toBe(2);
    expect(eventsText(bumped.raw.get('testprov-s-a')!)).toBe(eventsText(first.raw.get('testprov-s-a')!));
  });

  it('turns native ids that are not file-name safe into hashed names inside sessions/', async () => {
    const ids = ['../../escape', 'a/b', 'nul\u0000byte', 'x'.repeat(300), '..', '.hidden'];
    const home = buildHome(Object.fromEntries(ids.map((sid, i) => [`sessions/f${i}.jsonl`, conversation(sid, 1)])));
    const { logsDir, index, summary } = await importHome(testAdapter, home);
    expect(summary.errors).toEqual([]);
    expect(readdirSync(logsDir).sort()).toEqual([
      'backfill_sessions.json',
      'backfill_state.digest',
      'backfill_state.json',
      'index.json',
      'last_run.json',
      'sessions',
    ]);
    const names = readdirSync(join(logsDir, 'sessions'));
    expect(names).toHaveLength(ids.length);
    for (const name of names) expect(name).toMatch(/^testprov-[A-Za-z0-9._-]+\.jsonl$/);
    expect(names.filter((n) => n.startsWith('testprov-h'))).toHaveLength(4);
    expect(index.map((e) => e.provider_session_id).sort()).toEqual([...ids].sort());
  });

  it('records a failing source with its path, imports the rest, and retries it next run', async () => {
    const home = buildHome({
      'sessions/a.jsonl': conversation('s-a', 2),
      'sessions/fail.jsonl': conversation('s-f', 1),
    });
    const first = await importHome(testAdapter, home);
    expect(first.summary.errors).toHaveLength(1);
    expect(first.summary.errors[0]!.path).toBe(join(home, 'sessions/fail.jsonl'));
    expect(first.index.map((e) => e.wrapper_session_id)).toEqual(['testprov-s-a']);
    const second = await importHome(testAdapter, home, { logsDir: first.logsDir });
    expect(second.summary.errors).toHaveLength(1); // not remembered as done
    expect(second.summary.providers.testprov!.unchanged_units).toBe(1);
  });

  it('marks damaged input partial with reasons, and a file with no conversation metadata_only', async () => {
    const torn = conversation('s-t', 2) + '{"sid":"s-t","kind":"user","text":"cut mid-wri';
    const nul = conversation('s-n', 1) + '\u0000'.repeat(64);
    const home = buildHome({
      'sessions/t.jsonl': torn,
      'sessions/n.jsonl': nul,
      'sessions/empty.jsonl': '',
      'sessions/meta.jsonl': line({ sid: 's-m', kind: 'meta', title: 'Only a title' }),
    });
    const { index, sessions } = await importHome(testAdapter, home);
    const byId = Object.fromEntries(index.map((e) => [e.wrapper_session_id, e]));
    expect(byId['testprov-s-t']).toMatchObject({
      completeness: 'partial',
      completeness_reasons: ['1 native record(s) could not be parsed'],
    });
    const warning = sessions.get('testprov-s-t')!.find((e) => e.type === 'parse_warning')!;
    expect(warning).toMatchObject({ completeness: 'partial' });
    expect((warning as { message: string }).message).toMatch(/t\.jsonl:11: truncated last line/);
    expect(byId['testprov-s-n']).toMatchObject({ completeness: 'full' });
    expect(byId['testprov-empty']).toMatchObject({ completeness: 'metadata_only', event_count: 2 });
    expect(byId['testprov-s-m']).toMatchObject({ completeness: 'metadata_only', title: 'Only a title' });
  });

  it('keeps only sessions whose workspace is the root or inside it', async () => {
    const home = buildHome({
      'sessions/in.jsonl': conversation('s-in', 1, '/home/dev/project/sub'),
      'sessions/root.jsonl': conversation('s-root', 1, '/home/dev/project'),
      'sessions/out.jsonl': conversation('s-out', 1, '/home/dev/project-other'),
    });
    const { index, logsDir } = await importHome(testAdapter, home, { root: '/home/dev/project' });
    expect(index.map((e) => e.wrapper_session_id).sort()).toEqual(['testprov-s-in', 'testprov-s-root']);
    expect(readdirSync(join(logsDir, 'sessions')).sort()).toEqual(['testprov-s-in.jsonl', 'testprov-s-root.jsonl']);
    const again = await importHome(testAdapter, home, { root: '/home/dev/project', logsDir });
    expect(again.summary.bytes_read).toBe(0);
  });
});

describe('state file', () => {
  const home = () => buildHome({ 'sessions/a.jsonl': conversation('s-a', 1) });

  it.each([
    ['not JSON', '{"version": 2, "imported_'],
    ['a newer version', JSON.stringify({ version: 4, imported_session_keys: [] })],
    ['a wrong shape', JSON.stringify({ version: 3, imported_session_keys: 'all' })],
    ['a version-2 state of a wrong shape', JSON.stringify({ version: 2, imported_session_keys: 'all' })],
  ])('refuses a state file that is %s, exit 3, and leaves it untouched', async (_what, content) => {
    const logsDir = tempDir();
    writeFileSync(join(logsDir, 'backfill_state.json'), content);
    const err = await importHome(testAdapter, home(), { logsDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(3);
    expect((err as CliError).message).toContain(join(logsDir, 'backfill_state.json'));
    expect(readFileSync(join(logsDir, 'backfill_state.json'), 'utf8')).toBe(content);
    expect(existsSync(join(logsDir, 'sessions', 'testprov-s-a.jsonl'))).toBe(false);
  });

  it('migrates a version-1 state: keeps its keys, converts everything, writes version 3', async () => {
    const logsDir = tempDir();
    writeFileSync(
      join(logsDir, 'backfill_state.json'),
      JSON.stringify({ version: 1, imported_session_keys: ['claude:old-one'] }),
    );
    const { summary } = await importHome(testAdapter, home(), { logsDir });
    expect(summary.state_migrated_from).toBe(1);
    const state = BackfillState.parse(JSON.parse(readFileSync(join(logsDir, 'backfill_state.json'), 'utf8')));
    expect(state.imported_session_keys).toEqual(['claude:old-one', 'testprov:s-a']);
    expect(Object.keys(state.sessions)).toEqual(['testprov:s-a']);
  });

  it('is recreated when deleted between runs, without duplicating a single event', async () => {
    const h = home();
    const first = await importHome(testAdapter, h);
    unlinkSync(join(first.logsDir, 'backfill_state.json'));
    const second = await importHome(testAdapter, h, { logsDir: first.logsDir });
    // Its session file says it was imported before.
    expect(second.summary.providers.testprov).toMatchObject({ new_sessions: 0, updated_sessions: 1 });
    expect(second.raw.get('testprov-s-a')).toBe(first.raw.get('testprov-s-a'));
    expect(second.index.map(({ imported_at: _i, ...e }) => e)).toEqual(
      first.index.map(({ imported_at: _i, ...e }) => e),
    );
  });
});

describe('files the tool creates', () => {
  it('are private: dirs 0700, files 0600', async () => {
    const store = tempDir();
    const { logsDir } = await importHome(testAdapter, buildHome({ 'sessions/a.jsonl': conversation('s-a', 1) }), {
      logsDir: join(store, 'logs'),
      storeDir: store,
    });
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(logsDir)).toBe(0o700);
    expect(mode(join(logsDir, 'sessions'))).toBe(0o700);
    for (const f of ['backfill_state.json', 'index.json', 'sessions/testprov-s-a.jsonl'])
      expect(mode(join(logsDir, f)), f).toBe(0o600);
    expect(mode(join(store, 'sessions_index.json'))).toBe(0o600);
  });
});

describe('lock', () => {
  it('refuses to run while a live process holds the lock (exit 75), and takes over a dead one', async () => {
    const logsDir = tempDir();
    const home = buildHome({ 'sessions/a.jsonl': conversation('s-a', 1) });
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(
        join(logsDir, '.import.lock'),
        JSON.stringify({ pid: holder.pid, host: hostname(), started_at: new Date().toISOString() }),
      );
      const err = await importHome(testAdapter, home, { logsDir }).catch((e: unknown) => e);
      expect((err as CliError).exitCode).toBe(75);
      expect((err as CliError).message).toContain(`pid ${holder.pid}`);
    } finally {
      holder.kill('SIGKILL');
    }
    await new Promise((r) => holder.once('exit', r));
    const { summary } = await importHome(testAdapter, home, { logsDir });
    expect(summary.providers.testprov!.new_sessions).toBe(1);
    expect(existsSync(join(logsDir, '.import.lock'))).toBe(false);
  });
});

describe.skipIf(!existsSync('/proc/self/stat'))('lock of a reused pid', () => {
  it('is stale when the process under its pid started after the lock was written', async () => {
    const logsDir = tempDir();
    const home = buildHome({ 'sessions/a.jsonl': conversation('s-a', 1) });
    // This very process is alive, but it started long after this lock's time: a reused pid.
    writeFileSync(
      join(logsDir, '.import.lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), started_at: '2020-01-01T00:00:00.000Z' }),
    );
    expect(lockHolder(logsDir)).toBeNull();
    const { summary } = await importHome(testAdapter, home, { logsDir });
    expect(summary.providers.testprov!.new_sessions).toBe(1);
    // Written after this process started, the same pid holds the lock.
    writeFileSync(
      join(logsDir, '.import.lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), started_at: new Date().toISOString() }),
    );
    expect(lockHolder(logsDir)?.pid).toBe(process.pid);
  });
});

describe('a source that loses part of itself', () => {
  it('keeps every archived event, the whole output of the one whose spilled file is gone too, and takes the new events', async () => {
    const home = tempDir('home-');
    cpSync(join(repoRoot, 'fixtures/claude/subagents-dir/input'), home, { recursive: true });
    const project = join(home, 'projects/-home-dev-project');
    const transcript = join(project, '55555555-5555-4555-8555-555555555555/subagents/agent-a0123456789abcdef.jsonl');
    const first = await importHome(claude, home);
    const fileOf = (id: string) => join(first.logsDir, 'sessions', `${id}.jsonl`);
    // The sub-agent session whose tool output was spilled to tool-results/.
    const main = first.index.find((e) =>
      readFileSync(fileOf(e.wrapper_session_id), 'utf8').includes('build failed: lint'),
    )!;
    const archived = first.sessions.get(main.wrapper_session_id)!;
    const spilled = archived.find((e) => e.type === 'tool_result' && e.output?.includes('build failed: lint'))!;

    // Claude's cleanup deletes the spilled tool output: the new copy only points at it, under the
    // same key, and marks that result partial, so the archived whole output stays.
    unlinkSync(join(project, '55555555-5555-4555-8555-555555555555/tool-results/toolu_big1.txt'));
    const second = await importHome(claude, home, { logsDir: first.logsDir });
    const events = second.sessions.get(main.wrapper_session_id)!;
    const body = ({ seq: _s, ...e }: AgentLogEvent) => JSON.stringify(e);
    // The last line's entry now counts the spilled outputs that are gone.
    expect(events.slice(0, -1).map(body)).toEqual(archived.slice(0, -1).map(body));
    expect(eventsText(second.raw.get(main.wrapper_session_id)!)).toBe(
      eventsText(first.raw.get(main.wrapper_session_id)!),
    );
    expect(second.index.find((e) => e.wrapper_session_id === main.wrapper_session_id)!.completeness_reasons).toContain(
      "2 spilled tool output(s) not found under tool-results/ (deleted by Claude's cleanup?)",
    );
    // Nothing left to convert on the next run.
    const third = await importHome(claude, home, { logsDir: first.logsDir });
    expect(third.summary.bytes_read).toBe(0);

    // New events are added; nothing else changes.
    const last = readFileSync(transcript, 'utf8').trimEnd().split('\n').at(-1)!;
    const line = JSON.parse(last) as Record<string, unknown>;
    appendFileSync(
      transcript,
      `${JSON.stringify({ ...line, uuid: 'a1b2c3d4-0000-4000-8000-000000000001', parentUuid: line.uuid, type: 'user', message: { role: 'user', content: 'one more question' }, timestamp: '2026-05-01T00:00:00.000Z' })}\n`,
    );
    const fourth = await importHome(claude, home, { logsDir: first.logsDir });
    const grown = fourth.index.find((e) => e.wrapper_session_id === main.wrapper_session_id)!;
    expect(grown).toMatchObject({ retained_events: 0, event_count: main.event_count + 1 });
    expect(grown.completeness_reasons).toContain(
      "2 spilled tool output(s) not found under tool-results/ (deleted by Claude's cleanup?)",
    );
    expect(readFileSync(fileOf(main.wrapper_session_id), 'utf8')).toContain('one more question');
    expect(fourth.sessions.get(main.wrapper_session_id)!.find((e) => e.key === spilled.key)).toEqual({
      ...spilled,
      seq: expect.any(Number),
    });
  });
});

describe('killed runs', () => {
  it('recover: after SIGKILLs at several points, the re-run archive equals a clean run', async () => {
    const layout: Record<string, string> = {};
    for (let i = 0; i < 60; i++)
      layout[`sessions/s${String(i).padStart(3, '0')}.jsonl`] = conversation(`k-${i}`, 40 + (i % 7) * 20);
    const home = buildHome(layout);
    const clean = await importHome(testAdapter, home);
    const child = join(repoRoot, 'test/support/child-import.mjs');
    const logsDir = tempDir();
    const delays = [40, 90, 140, 200, 260];
    let kills = 0;
    for (const delay of delays) {
      const proc = spawn(process.execPath, [child, home, logsDir, '0'], { stdio: 'ignore' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), delay);
      const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
      clearTimeout(timer);
      if (code === null) kills++;
    }
    expect(kills).toBeGreaterThan(0);
    execFileSync(process.execPath, [child, home, logsDir, '0']);
    const after = readLogs(logsDir);
    expect([...after.raw.keys()]).toEqual([...clean.raw.keys()]);
    for (const [id, text] of clean.raw) expect(after.raw.get(id), id).toBe(text);
    const strip = (entries: typeof clean.index) => entries.map(({ imported_at: _i, ...e }) => e);
    expect(strip(after.index)).toEqual(strip(clean.index));
    const leftovers = [...readdirSync(logsDir), ...readdirSync(join(logsDir, 'sessions'))].filter(
      (n) => n.includes('.tmp-') || n.includes('.lock'),
    );
    expect(leftovers).toEqual([]);
  });
});
