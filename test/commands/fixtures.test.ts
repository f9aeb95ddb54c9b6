/**
 * The commands on homes built from the committed fixtures of every provider, through the built
 * CLI: import, then list, show one session per provider, doctor; every --json output matches its schema.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLogEvent } from '../../src/model/event-line.js';
import { DoctorReport, ListedSession, RunSummary } from '../../src/model/reports.js';
import { LAST_RUN_FILE } from '../../src/archive/layout.js';
import type { LastRuns } from '../../src/importer/last-run.js';
import { cleanupTemps, runCli, tempDir } from '../support/harness.js';
import { cleanHomes, failingCase, homeFlags } from './fixture-homes.js';

afterAll(cleanupTemps);

const homes = cleanHomes();
const flags = homeFlags(homes);
const DAY_MS = 86400_000;

describe.skipIf(homes.length === 0)('commands on fixture homes', () => {
  let env: Record<string, string>;
  let logsDir: string;
  beforeAll(() => {
    const user = tempDir('user-');
    env = { HOME: user, IMPORT_LOGS_HOME: join(user, 'store') };
    logsDir = join(user, 'store', 'logs');
    const first = runCli(flags, env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
  });

  it('the import summary has one row per provider and says where the output went', () => {
    const again = runCli(flags, env);
    expect(again.code).toBe(0);
    for (const { adapter } of homes) expect(again.stdout).toMatch(new RegExp(`^  ${adapter.id} +0 +0 +\\d+ +0 `, 'm'));
    expect(again.stdout).toContain('Nothing new to import');
    expect(again.stdout.split('\n')[0]).toBe('Logs dir ~/store/logs');
  });

  it('import --json matches the run summary schema', () => {
    const { code, stdout } = runCli([...flags, '--json'], env);
    expect(code).toBe(0);
    const summary = RunSummary.strict().parse(JSON.parse(stdout));
    expect(summary.exit_code).toBe(0);
    for (const { adapter } of homes) expect(summary.providers[adapter.id]!.unchanged_sessions).toBeGreaterThan(0);
  });

  it('list --json gives every session once, newest first, valid against the schema', () => {
    const { code, stdout } = runCli(['list', '--json'], env);
    expect(code).toBe(0);
    const listed = stdout
      .trimEnd()
      .split('\n')
      .map((l) => ListedSession.strict().parse(JSON.parse(l)));
    expect(listed).toHaveLength(homes.reduce((n, h) => n + h.sessions, 0));
    const starts = listed.map((s) => s.started_at);
    expect(starts).toEqual([...starts].sort().reverse());
    for (const { adapter } of homes) {
      expect(runCli(['list', '--json', '--provider', adapter.id], env).stdout.trimEnd().split('\n')).toHaveLength(
        listed.filter((s) => s.provider === adapter.id).length,
      );
    }
  });

  it('show renders one session of each provider, and --json gives its valid event lines', () => {
    const listed = runCli(['list', '--json'], env)
      .stdout.trimEnd()
      .split('\n')
      .map((l) => ListedSession.parse(JSON.parse(l)));
    for (const { adapter } of homes) {
      const session = listed.find((s) => s.provider === adapter.id)!;
      const human = runCli(['show', session.wrapper_session_id], env);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout.split('\n')[0]).toBe(
        `${session.wrapper_session_id}  (${adapter.id}, ${session.completeness})`,
      );
      expect(human.stdout).toMatch(/^\d\d:\d\d:\d\d  start/m);
      expect(human.stdout).toMatch(new RegExp(`^${session.event_count} events; `, 'm'));
      const raw = runCli(['show', '--json', session.wrapper_session_id], env);
      const events = raw.stdout
        .trimEnd()
        .split('\n')
        .map((l) => AgentLogEvent.parse(JSON.parse(l)));
      expect(events).toHaveLength(session.event_count);
    }
  });

  it('doctor --json reports each provider: the home and what chose it, sources, sessions, formats, last import', () => {
    const { code, stdout } = runCli(['doctor', '--json', ...flags], env);
    const report = DoctorReport.strict().parse(JSON.parse(stdout));
    expect(report.warnings).toEqual([]);
    expect(code).toBe(0);
    for (const { adapter, input, sessions } of homes) {
      const p = report.providers.find((x) => x.id === adapter.id)!;
      expect(p.homes).toEqual([{ path: input, via: `--${adapter.home.flag}`, found: true }]);
      expect(p.sources).toBeGreaterThan(0);
      expect(p.pending_sources).toBe(0);
      expect(p.sessions).toBe(sessions);
      expect(Object.values(p.formats).reduce((a, b) => a + b, 0)).toBe(sessions);
      expect(p.last_import).not.toBeNull();
      expect(p.failed_count).toBe(0);
    }
  });

  it("doctor warns, and exits 1, when the last import is older than a provider's retention window", () => {
    const report = DoctorReport.parse(JSON.parse(runCli(['doctor', '--json', ...flags], env).stdout));
    const keeping = report.providers.find((p) => p.retention.length > 0)!;
    expect(keeping, 'a provider of the fixtures says how long it keeps history').toBeDefined();
    const runsPath = join(logsDir, LAST_RUN_FILE);
    const saved = readFileSync(runsPath, 'utf8');
    const runs = JSON.parse(saved) as LastRuns;
    const days = Math.min(...keeping.retention.map((r) => r.days));
    runs[keeping.id]!.finished_at = new Date(Date.now() - (days + 2) * DAY_MS).toISOString();
    writeFileSync(runsPath, JSON.stringify(runs));
    try {
      const { code, stdout } = runCli(['doctor', ...flags], env);
      expect(code).toBe(1);
      expect(stdout).toContain(`deletes sessions after ${days} days`);
      expect(stdout).toContain(`the last import was ${days + 2} days ago`);
      expect(stdout).toMatch(/^1 problem found \(marked !\)\.$/m);
    } finally {
      writeFileSync(runsPath, saved);
    }
  });

  it('doctor reports an unusable state file, leaves it alone, and exits 3', () => {
    const statePath = join(logsDir, 'backfill_state.json');
    const saved = readFileSync(statePath, 'utf8');
    writeFileSync(statePath, '{"version": 99}');
    try {
      const { code, stdout } = runCli(['doctor', '--json', ...flags], env);
      expect(code).toBe(3);
      const report = DoctorReport.parse(JSON.parse(stdout));
      expect(report.state.status).toBe('unusable');
      expect(report.warnings[0]).toContain('version 99');
      expect(report.providers.every((p) => p.pending_sources === null && p.sources > 0)).toBe(true);
      expect(readFileSync(statePath, 'utf8')).toBe('{"version": 99}');
    } finally {
      writeFileSync(statePath, saved);
    }
  });

  it('doctor, before any import, warns about each provider that deletes its history', () => {
    const { code, stdout } = runCli(['doctor', '--json', ...flags], { HOME: tempDir('new-') });
    const report = DoctorReport.parse(JSON.parse(stdout));
    expect(report.state.status).toBe('missing');
    const deleting = report.providers.filter((p) => p.retention.length > 0);
    for (const p of deleting) expect(p.warnings.join('\n')).toContain('no import of it yet');
    expect(code).toBe(deleting.length > 0 ? 1 : 0);
  });

  it('doctor names the homes it looked at when a provider has none', () => {
    const { stdout } = runCli(['doctor', '--provider', homes[0]!.adapter.id], { ...env, HOME: tempDir('empty-') });
    expect(stdout).toContain('not found');
    expect(stdout).toContain(`set $${homes[0]!.adapter.home.env} or --${homes[0]!.adapter.home.flag}`);
  });
});

const failing = failingCase();

describe.skipIf(failing === undefined)('a source that fails', () => {
  it('is listed by the import (exit 1), then by doctor with the reason (exit 1)', () => {
    const c = failing!;
    const user = tempDir('user-');
    const env = { HOME: user, IMPORT_LOGS_HOME: join(user, 'store') };
    const flag = [`--${c.adapter.home.flag}`, join(c.dir, 'input'), '--provider', c.adapter.id];
    const imported = runCli(flag, env);
    expect(imported.code).toBe(1);
    expect(imported.stdout).toMatch(/^Failed sources \(\d+\):$/m);
    expect(imported.stdout).toContain('retried on every run');
    const doctor = runCli(['doctor', ...flag], env);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/^  failed +\d+ in the last import:$/m);
    const report = DoctorReport.parse(JSON.parse(runCli(['doctor', '--json', ...flag], env).stdout));
    const p = report.providers.find((x) => x.id === c.adapter.id)!;
    expect(p.failed_count).toBeGreaterThan(0);
    expect(p.failed[0]!.path.startsWith(join(c.dir, 'input'))).toBe(true);
    expect(p.failed[0]!.message).not.toBe('');
  });
});
