/** The state on disk: a run writes what changed (a journal line), torn lines and older versions are read. */
import { appendFileSync, existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionLogIndexEntry } from '../../src/model/index-schema.js';
import { BackfillState, SessionEntries, StateChange } from '../../src/model/state.js';
import { buildHome, cleanupTemps, importHome } from '../support/harness.js';
// @ts-expect-error plain JS test provider (shared with child processes)
import { testAdapter } from '../support/test-adapter.mjs';

afterAll(cleanupTemps);

const turn = (sid: string, i: number) =>
  [
    { sid, ts: `2026-03-01T10:${String(i).padStart(2, '0')}:00Z`, kind: 'user', text: `q${i}`, id: `u${i}` },
    { sid, ts: `2026-03-01T10:${String(i).padStart(2, '0')}:01Z`, kind: 'assistant', text: `a${i}`, id: `a${i}` },
  ]
    .map((r) => `${JSON.stringify(r)}\n`)
    .join('');

const session = (sid: string, turns: number) => Array.from({ length: turns }, (_, i) => turn(sid, i)).join('');

/** A home of `n` sessions `s-0`… of two turns each. */
function home(n: number): string {
  return buildHome(
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`sessions/${i}.jsonl`, session(`s-${i}`, 2)])),
  );
}

const read = (logsDir: string, name: string) => readFileSync(join(logsDir, name), 'utf8');
const journalLines = (logsDir: string) =>
  read(logsDir, 'backfill_state.journal')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => StateChange.parse(JSON.parse(l)));
const withoutTimes = (index: SessionLogIndexEntry[]) => index.map(({ imported_at: _i, ...e }) => e);

/** The records of a version-3 or -4 state, one per source file by path, for the units of `state`. */
function sourcesOf(state: BackfillState): Record<string, unknown> {
  const sources: Record<string, unknown> = {};
  for (const [unit, rec] of Object.entries(state.units)) {
    for (const [name, size, ino, dev, mtime, ctime] of rec.files) {
      const path = rec.dir + name;
      sources[path] = {
        ...{ size, mtime_ms: statSync(path).mtimeMs, ino, dev, mtime_ns: mtime, ctime_ns: ctime ?? mtime },
        ...{ adapter: unit.slice(0, unit.indexOf(':')), adapter_version: rec.adapter_version, unit },
        sessions: rec.sessions,
      };
    }
  }
  return sources;
}

/** A run on a state of an older version: upgraded, not migrated, nothing converted again. */
async function upgradedRun(h: string, logsDir: string) {
  const next = await importHome(testAdapter, h, { logsDir });
  expect(next.summary.state_migrated_from).toBeNull();
  expect(next.summary.providers.testprov).toMatchObject({
    updated_sessions: 0,
    new_sessions: 0,
    unchanged_sessions: 4,
  });
  return next;
}

describe('the state on disk', () => {
  it('a first import writes the state files; a change is one journal line naming only it; a no-op writes nothing', async () => {
    const h = home(20);
    const first = await importHome(testAdapter, h);
    const { logsDir } = first;
    expect(existsSync(join(logsDir, 'backfill_state.journal'))).toBe(false);
    const state = BackfillState.parse(JSON.parse(read(logsDir, 'backfill_state.json')));
    const entries = SessionEntries.parse(JSON.parse(read(logsDir, 'backfill_sessions.json')));
    expect(Object.keys(state.sessions).sort()).toEqual(Object.keys(entries.sessions).sort());
    expect(Object.keys(state.sessions)).toHaveLength(20);
    expect(state.index_bytes).toBe(statSync(join(logsDir, 'index.json')).size);
    const bases = ['backfill_state.json', 'backfill_sessions.json'].map((n) => read(logsDir, n));

    appendFileSync(join(h, 'sessions/7.jsonl'), turn('s-7', 2));
    const second = await importHome(testAdapter, h, { logsDir });
    expect(second.summary.providers.testprov).toMatchObject({ updated_sessions: 1, unchanged_sessions: 19 });
    expect(['backfill_state.json', 'backfill_sessions.json'].map((n) => read(logsDir, n))).toEqual(bases);
    const lines = journalLines(logsDir);
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0]!.sessions)).toEqual(['testprov:s-7']);
    expect(Object.keys(lines[0]!.units)).toEqual([`testprov:${join(h, 'sessions/7.jsonl')}`]);
    expect(lines[0]!.sessions['testprov:s-7']).toEqual(second.index.find((e) => e.provider_session_id === 's-7'));
    expect(lines[0]!.index_bytes).toBe(statSync(join(logsDir, 'index.json')).size);

    const files = ['backfill_state.json', 'backfill_sessions.json', 'backfill_state.journal', 'index.json'];
    const stamps = files.map((n) => statSync(join(logsDir, n)).mtimeMs);
    const noop = await importHome(testAdapter, h, { logsDir });
    expect(noop.summary.providers.testprov).toMatchObject({ updated_sessions: 0, unchanged_sessions: 20 });
    expect(files.map((n) => statSync(join(logsDir, n)).mtimeMs)).toEqual(stamps);
  });

  it('drops a journal line cut short, and the next run converges to a clean import', async () => {
    const h = home(5);
    const { logsDir } = await importHome(testAdapter, h);
    appendFileSync(join(h, 'sessions/1.jsonl'), turn('s-1', 2));
    await importHome(testAdapter, h, { logsDir });
    const whole = read(logsDir, 'backfill_state.journal');
    // A second checkpoint's line, cut in the middle by a crash: its change is not in the state.
    appendFileSync(join(h, 'sessions/3.jsonl'), turn('s-3', 2));
    appendFileSync(join(logsDir, 'backfill_state.journal'), whole.slice(0, Math.floor(whole.length / 2)));
    const next = await importHome(testAdapter, h, { logsDir });
    expect(next.summary.errors).toEqual([]);
    expect(next.summary.providers.testprov).toMatchObject({ updated_sessions: 1, unchanged_sessions: 4 });
    expect(journalLines(logsDir)).toHaveLength(2); // the torn end cut off before the new line
    const clean = await importHome(testAdapter, h);
    expect(next.raw).toEqual(clean.raw);
    expect(withoutTimes(next.index)).toEqual(withoutTimes(clean.index));
  });

  it('folds the lines of the state file’s generation into the entries even when a cut compaction left those a generation ahead', async () => {
    const h = home(5);
    const { logsDir } = await importHome(testAdapter, h);
    // As a compaction killed between its two files leaves them: the entries one generation on.
    const entries = SessionEntries.parse(JSON.parse(read(logsDir, 'backfill_sessions.json')));
    writeFileSync(
      join(logsDir, 'backfill_sessions.json'),
      JSON.stringify({ ...entries, generation: entries.generation + 1 }),
    );
    appendFileSync(join(h, 'sessions/1.jsonl'), turn('s-1', 2));
    await importHome(testAdapter, h, { logsDir }); // one line, of the state file's generation
    appendFileSync(join(h, 'sessions/2.jsonl'), turn('s-2', 2));
    const next = await importHome(testAdapter, h, { logsDir }); // writes the index from every entry
    expect(journalLines(logsDir)).toHaveLength(2);
    const clean = await importHome(testAdapter, h);
    expect(withoutTimes(next.index)).toEqual(withoutTimes(clean.index));
  });

  it('upgrades a version-3 state (the entries in the state file) without converting anything again', async () => {
    const h = home(4);
    const { logsDir, index } = await importHome(testAdapter, h);
    const state = BackfillState.parse(JSON.parse(read(logsDir, 'backfill_state.json')));
    const { sessions } = SessionEntries.parse(JSON.parse(read(logsDir, 'backfill_sessions.json')));
    const v3 = { version: 3, imported_session_keys: state.imported_session_keys, sources: sourcesOf(state), sessions };
    writeFileSync(join(logsDir, 'backfill_state.json'), JSON.stringify(v3));
    unlinkSync(join(logsDir, 'backfill_sessions.json'));
    const next = await upgradedRun(h, logsDir);
    expect(BackfillState.parse(JSON.parse(read(logsDir, 'backfill_state.json'))).sessions).toEqual(state.sessions);
    expect(SessionEntries.parse(JSON.parse(read(logsDir, 'backfill_sessions.json'))).sessions).toEqual(sessions);
    expect(next.index).toEqual(index);
  });

  it('upgrades a version-4 state (a record per source file) without converting anything again', async () => {
    const h = home(4);
    const { logsDir, index } = await importHome(testAdapter, h);
    const state = BackfillState.parse(JSON.parse(read(logsDir, 'backfill_state.json')));
    const entries = SessionEntries.parse(JSON.parse(read(logsDir, 'backfill_sessions.json')));
    const { units: _units, ...rest } = state;
    writeFileSync(
      join(logsDir, 'backfill_state.json'),
      JSON.stringify({ ...rest, version: 4, sources: sourcesOf(state) }),
    );
    writeFileSync(join(logsDir, 'backfill_sessions.json'), JSON.stringify({ ...entries, version: 4 }));
    const next = await upgradedRun(h, logsDir);
    const upgraded = BackfillState.parse(JSON.parse(read(logsDir, 'backfill_state.json')));
    expect(upgraded.version).toBe(5);
    expect(upgraded.units).toEqual(state.units);
    expect(SessionEntries.parse(JSON.parse(read(logsDir, 'backfill_sessions.json'))).sessions).toEqual(
      entries.sessions,
    );
    expect(next.index).toEqual(index);
  });

  it('reads the entries back from the session files when their file is gone', async () => {
    const h = home(4);
    const { logsDir } = await importHome(testAdapter, h);
    unlinkSync(join(logsDir, 'backfill_sessions.json'));
    appendFileSync(join(h, 'sessions/2.jsonl'), turn('s-2', 2));
    const next = await importHome(testAdapter, h, { logsDir });
    expect(next.summary.warnings.join('\n')).toMatch(/index entries of 4 session\(s\) were missing/);
    const clean = await importHome(testAdapter, h);
    expect(withoutTimes(next.index)).toEqual(withoutTimes(clean.index));
    expect(
      Object.keys(SessionEntries.parse(JSON.parse(read(logsDir, 'backfill_sessions.json'))).sessions),
    ).toHaveLength(4);
  });
});
