/**
 * Drift made loud, with the toy provider: a record type outside the adapter's table and usage that
 * disagrees with the provider's own total each make a session `partial`, with a reason; sessions
 * from an agent newer than the adapter was tested on are flagged by the run summary and `doctor`.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDoctor } from '../../src/cli/doctor-format.js';
import { doctorReport } from '../../src/cli/doctor-command.js';
import { formatSummary } from '../../src/cli/summary.js';
import { DoctorReport, RunSummary } from '../../src/model/reports.js';
import { buildHome, cleanupTemps, importHome, tempDir } from '../support/harness.js';
// @ts-expect-error plain JS test provider (shared with child processes)
import { testAdapter } from '../support/test-adapter.mjs';

afterAll(cleanupTemps);

const lines = (...records: Record<string, unknown>[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');
const user = (sid: string, version?: string) => ({
  sid,
  ts: '2026-05-01T10:00:00Z',
  kind: 'user',
  text: 'hi',
  cwd: '/p',
  ...(version ? { version } : {}),
});
const usage = (sid: string, input: number, output: number) => ({
  sid,
  ts: '2026-05-01T10:00:01Z',
  kind: 'usage',
  input,
  output,
});

describe('drift made loud', () => {
  it('an unknown record type makes the session partial, says so, and keeps the record', async () => {
    const home = buildHome({
      'sessions/u.jsonl': lines(
        user('s-u'),
        { sid: 's-u', ts: '2026-05-01T10:00:02Z', kind: 'hologram', beam: 3 },
        { sid: 's-u', kind: 'hologram' },
      ),
    });
    const { index, sessions } = await importHome(testAdapter, home);
    expect(index[0]).toMatchObject({
      completeness: 'partial',
      completeness_reasons: ['unknown record type hologram (2 records)'],
    });
    const kept = sessions.get('testprov-s-u')!.filter((e) => e.type === 'provider_status');
    expect(kept).toHaveLength(2);
    expect(kept[0]).toMatchObject({
      message: 'unknown record type hologram',
      completeness: 'partial',
      ts: '2026-05-01T10:00:02.000Z',
    });
    expect(JSON.parse((kept[0] as { data: { record: string } }).data.record)).toMatchObject({
      kind: 'hologram',
      beam: 3,
    });
  });

  it('usage that disagrees with the provider total makes the session partial with both numbers; agreeing usage stays full', async () => {
    const home = buildHome({
      'sessions/m.jsonl': lines(user('s-m'), usage('s-m', 100, 10), usage('s-m', 50, 5), {
        sid: 's-m',
        kind: 'total',
        input: 150,
        output: 20,
      }),
      'sessions/ok.jsonl': lines(user('s-ok'), usage('s-ok', 100, 10), usage('s-ok', 50, 5), {
        sid: 's-ok',
        kind: 'total',
        input: 150,
        output: 15,
      }),
    });
    const { index } = await importHome(testAdapter, home);
    const byId = Object.fromEntries(index.map((e) => [e.wrapper_session_id, e]));
    expect(byId['testprov-s-m']).toMatchObject({
      completeness: 'partial',
      completeness_reasons: ['usage differs from the total record: output_tokens 15 emitted, 20 stated'],
    });
    expect(byId['testprov-s-ok']).toMatchObject({ completeness: 'full', completeness_reasons: [] });
  });

  it('records the newest agent version of each session, and warns in the summary and doctor about versions newer than tested', async () => {
    const home = buildHome({
      'sessions/old.jsonl': lines(user('s-old', '1.2.0')),
      'sessions/mixed.jsonl': lines(user('s-mixed', '1.2'), user('s-mixed', '1.10.1-beta'), user('s-mixed', '1.9')),
      'sessions/new.jsonl': lines(user('s-new', '1.3')),
      'sessions/none.jsonl': lines(user('s-none')),
    });
    const logsDir = tempDir('logs-');
    const { index, summary } = await importHome(testAdapter, home, { logsDir });
    const versions = Object.fromEntries(index.map((e) => [e.wrapper_session_id, e.agent_version]));
    expect(versions).toEqual({
      'testprov-s-old': '1.2.0',
      'testprov-s-mixed': '1.10.1-beta',
      'testprov-s-new': '1.3',
      'testprov-s-none': undefined,
    });
    expect(index.find((e) => e.wrapper_session_id === 'testprov-s-none')).not.toHaveProperty('agent_version');

    const warning = 'Test provider 1.10.1-beta is newer than the 1.2 this adapter was tested on (2 sessions)';
    expect(summary.providers.testprov!.version_drift).toEqual({
      agent_version: '1.10.1-beta',
      tested_version: '1.2',
      sessions: 2,
    });
    expect(summary.warnings.some((w) => w.startsWith(warning))).toBe(true);
    RunSummary.parse({ ...summary, exit_code: 0 });
    expect(formatSummary(summary, '/nonexistent')).toContain(warning);

    // A re-run converts nothing: the run says nothing about versions; doctor, over the archive, still does.
    const again = await importHome(testAdapter, home, { logsDir });
    expect(again.summary.providers.testprov!.version_drift).toBeNull();
    expect(again.summary.warnings).toEqual([]);

    const locations = { storeDir: null, logsDir, root: null, project: '' };
    const now = Date.parse('2026-05-02T00:00:00Z');
    const report = await doctorReport(
      locations,
      [testAdapter],
      { testprov: home },
      { env: {}, homedir: join(home, 'nobody') },
      now,
    );
    DoctorReport.parse(report);
    expect(report.providers[0]!.version_drift).toEqual({
      agent_version: '1.10.1-beta',
      tested_version: '1.2',
      sessions: 2,
    });
    expect(report.warnings.some((w) => w.startsWith(`testprov: ${warning}`))).toBe(true);
    expect(formatDoctor(report, now, '/nonexistent')).toContain(`! ${warning}`);
  });

  it('says nothing when every session is as old as the tested version or older', async () => {
    const home = buildHome({ 'sessions/a.jsonl': lines(user('s-a', '1.2.0'), user('s-a', '0.9')) });
    const { summary } = await importHome(testAdapter, home);
    expect(summary.providers.testprov!.version_drift).toBeNull();
    expect(summary.warnings).toEqual([]);
  });
});
