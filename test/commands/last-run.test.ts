/** The state's last_run record, which `doctor` reads: failures, and no rewrite on a quiet re-run. */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REFRESH_MS, recordLastRun } from '../../src/importer/last-run.js';
import { BackfillState } from '../../src/model/state.js';
import { emptyState } from '../../src/model/state-check.js';
import { buildHome, cleanupTemps, importHome, tempDir } from '../support/harness.js';
import { testAdapter } from '../support/test-adapter.mjs';

afterAll(cleanupTemps);

const readState = (logsDir: string) =>
  BackfillState.parse(JSON.parse(readFileSync(join(logsDir, 'backfill_state.json'), 'utf8')));

describe('last_run', () => {
  it('records the failed sources per provider, keeps a quiet re-run from rewriting the state, and clears when fixed', async () => {
    const home = buildHome({
      'sessions/ok.jsonl': `${JSON.stringify({ sid: 's1', ts: '2026-01-01T00:00:00.000Z', kind: 'user', text: 'hi' })}\n`,
      'sessions/fail-me.jsonl': 'whatever\n',
    });
    const logsDir = tempDir('logs-');
    await importHome(testAdapter, home, { logsDir });
    const first = readState(logsDir).last_run?.testprov;
    expect(first).toMatchObject({ failed_count: 1, failed: [{ path: join(home, 'sessions/fail-me.jsonl') }] });
    expect(first?.failed[0]?.message).toContain('refusing on purpose');

    const before = statSync(join(logsDir, 'backfill_state.json')).mtimeMs;
    const text = readFileSync(join(logsDir, 'backfill_state.json'), 'utf8');
    await importHome(testAdapter, home, { logsDir });
    expect(readFileSync(join(logsDir, 'backfill_state.json'), 'utf8')).toBe(text);
    expect(statSync(join(logsDir, 'backfill_state.json')).mtimeMs).toBe(before);

    rmSync(join(home, 'sessions/fail-me.jsonl'));
    await importHome(testAdapter, home, { logsDir });
    expect(readState(logsDir).last_run?.testprov).toMatchObject({ failed_count: 0, failed: [] });
  });

  it('asks for a save when the record is an hour old, or new, or the failures changed', () => {
    const state = emptyState();
    const t0 = new Date('2026-01-01T00:00:00Z');
    expect(recordLastRun(state, ['p'], [], t0)).toBe(true);
    expect(recordLastRun(state, ['p'], [], new Date(t0.getTime() + REFRESH_MS - 1))).toBe(false);
    // The in-memory record moved on, but a save is due an hour after the last saved time.
    state.last_run!.p!.finished_at = t0.toISOString();
    expect(recordLastRun(state, ['p'], [], new Date(t0.getTime() + REFRESH_MS))).toBe(true);
    expect(
      recordLastRun(state, ['p'], [{ provider: 'p', path: '/x', message: 'bad' }], new Date(t0.getTime() + REFRESH_MS)),
    ).toBe(true);
    expect(recordLastRun(state, ['q'], [{ provider: 'p', path: '/x', message: 'bad' }], t0)).toBe(true);
    expect(state.last_run!.q!.failed_count).toBe(0);
  });

  it('a version-2 state without last_run still loads', () => {
    expect(
      BackfillState.parse({ version: 3, imported_session_keys: [], sources: {}, sessions: {} }).last_run,
    ).toBeUndefined();
  });
});
