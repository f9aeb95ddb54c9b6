/** The last_run.json record, which `doctor` reads: failures, and a quiet re-run that never rewrites the state. */
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LAST_RUN_FILE } from '../../src/archive/layout.js';
import { nextLastRuns, readLastRuns, type LastRuns } from '../../src/importer/last-run.js';
import { BackfillState, BackfillStateV3, BackfillStateV4 } from '../../src/model/state.js';
import { emptyState } from '../../src/model/state-check.js';
import { buildHome, cleanupTemps, importHome, tempDir } from '../support/harness.js';
import { testAdapter } from '../support/test-adapter.mjs';

afterAll(cleanupTemps);

const readRuns = (logsDir: string) => JSON.parse(readFileSync(join(logsDir, LAST_RUN_FILE), 'utf8')) as LastRuns;
const HOUR_MS = 3600_000;

describe('last_run', () => {
  it('records the failed sources per provider, never rewrites the state on a quiet re-run, and clears when fixed', async () => {
    const home = buildHome({
      'sessions/ok.jsonl': `${JSON.stringify({ sid: 's1', ts: '2026-01-01T00:00:00.000Z', kind: 'user', text: 'hi' })}\n`,
      'sessions/fail-me.jsonl': 'whatever\n',
    });
    const logsDir = tempDir('logs-');
    await importHome(testAdapter, home, { logsDir });
    const first = readRuns(logsDir).testprov;
    expect(first).toMatchObject({ failed_count: 1, failed: [{ path: join(home, 'sessions/fail-me.jsonl') }] });
    expect(first?.failed[0]?.message).toContain('refusing on purpose');
    const statePath = join(logsDir, 'backfill_state.json');
    expect(BackfillState.parse(JSON.parse(readFileSync(statePath, 'utf8'))).last_run).toBeUndefined();

    // A day later: the record is refreshed, the state and index are left as they are.
    const dayAgo = new Date(Date.now() - 24 * HOUR_MS);
    writeFileSync(
      join(logsDir, LAST_RUN_FILE),
      JSON.stringify({ testprov: { ...first, finished_at: dayAgo.toISOString() } }),
    );
    const written = ['backfill_state.json', 'index.json'].map((name) => join(logsDir, name));
    for (const path of written) utimesSync(path, dayAgo, dayAgo);
    const before = written.map((path) => statSync(path, { bigint: true }).mtimeNs);
    const text = readFileSync(statePath, 'utf8');
    await importHome(testAdapter, home, { logsDir });
    expect(readFileSync(statePath, 'utf8')).toBe(text);
    expect(written.map((path) => statSync(path, { bigint: true }).mtimeNs)).toEqual(before);
    expect(Date.parse(readRuns(logsDir).testprov!.finished_at)).toBeGreaterThan(Date.now() - HOUR_MS);

    rmSync(join(home, 'sessions/fail-me.jsonl'));
    await importHome(testAdapter, home, { logsDir });
    expect(readRuns(logsDir).testprov).toMatchObject({ failed_count: 0, failed: [] });
  });

  it('sets the providers a run scanned, keeps the others, and counts failures per provider', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const t1 = new Date('2026-01-02T00:00:00Z');
    const first = nextLastRuns({}, ['p', 'q'], [{ provider: 'p', path: '/x', message: 'bad' }], t0);
    expect(first.p).toEqual({
      finished_at: t0.toISOString(),
      failed_count: 1,
      failed: [{ path: '/x', message: 'bad' }],
    });
    expect(first.q).toEqual({ finished_at: t0.toISOString(), failed_count: 0, failed: [] });
    const second = nextLastRuns(first, ['q'], [], t1);
    expect(second.p).toEqual(first.p);
    expect(second.q!.finished_at).toBe(t1.toISOString());
  });

  it("reads an older state's record until the logs dir has its own file", () => {
    const logsDir = tempDir('logs-');
    const state = emptyState();
    const run = { finished_at: '2026-01-01T00:00:00.000Z', failed_count: 0, failed: [] };
    state.last_run = { p: run };
    expect(readLastRuns(logsDir, state)).toEqual({ p: run });
    writeFileSync(join(logsDir, LAST_RUN_FILE), JSON.stringify({ q: run }));
    expect(readLastRuns(logsDir, state)).toEqual({ q: run });
    writeFileSync(join(logsDir, LAST_RUN_FILE), '{"q": {"finished_at": 3}}');
    expect(readLastRuns(logsDir, null)).toEqual({});
  });

  it('a state without last_run still loads (version 3, and versions 4 and 5, which never write it)', () => {
    expect(
      BackfillStateV3.parse({ version: 3, imported_session_keys: [], sources: {}, sessions: {} }).last_run,
    ).toBeUndefined();
    const v4 = { version: 4, generation: 0, imported_session_keys: [], sources: {}, sessions: {}, index_bytes: null };
    expect(BackfillStateV4.parse(v4).last_run).toBeUndefined();
    const v5 = { version: 5, generation: 0, imported_session_keys: [], units: {}, sessions: {}, index_bytes: null };
    expect(BackfillState.parse(v5).last_run).toBeUndefined();
  });
});
