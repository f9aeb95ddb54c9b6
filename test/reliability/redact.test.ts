/**
 * `--redact` on the secret corpus (secret-corpus.ts): every planted secret is masked wherever it
 * sits in a Claude Code or Codex CLI session (prompt, tool input, tool output, index title), every
 * look-alike comes out as it went in; and the choice is kept per logs dir until `--no-redact`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadState } from '../../src/archive/state-file.js';
import { REDACTION_RULES_VERSION, redactSecrets } from '../../src/writer/redact.js';
import { cleanupTemps } from '../support/harness.js';
import { KITS, type Kit } from './kits.js';
import { LOOK_ALIKES, PLANTED } from './secret-corpus.js';
import { TITLE_SECRET, secretHomes } from './secret-homes.js';
import { importArgs, listTree, runCli, sandbox, writeFiles, type Sandbox } from './support.js';

afterAll(cleanupTemps);

const kit = (id: string): Kit => KITS.find((k) => k.id === id)!;
const KITS_USED = [kit('claude'), kit('codex')];

/** Every string inside a JSON value, joined: what a reader of the archive sees, unescaped. */
function strings(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(strings).join('\n');
  if (value !== null && typeof value === 'object') return Object.values(value).map(strings).join('\n');
  return '';
}

describe('the secret corpus', () => {
  it('has at least 40 planted secrets and 40 look-alikes, none of them found in the other list', () => {
    expect(PLANTED.length).toBeGreaterThanOrEqual(40);
    expect(LOOK_ALIKES.length).toBeGreaterThanOrEqual(40);
    for (const p of PLANTED) for (const secret of p.secrets) expect(p.text, p.id).toContain(secret);
    const lookText = LOOK_ALIKES.map((l) => l.text).join('\n');
    for (const p of PLANTED) for (const secret of p.secrets) expect(lookText, p.id).not.toContain(secret);
  });

  it.each(PLANTED.map((p) => [p.id, p] as const))('masks %s, in plain and JSON-encoded text', (_id, p) => {
    // Plain, encoded once (a field of an event line) and twice (a JSON document inside a field).
    const once = JSON.stringify(p.text);
    const twice = JSON.stringify(once);
    for (const [form, masked] of [
      ['plain', redactSecrets(p.text)],
      ['once', JSON.parse(redactSecrets(once)) as string],
      ['twice', JSON.parse(JSON.parse(redactSecrets(twice)) as string) as string],
    ]) {
      for (const secret of p.secrets) expect(masked, `${form}: ${secret}`).not.toContain(secret);
      expect(masked, form).toMatch(/\[REDACTED:[a-z_]+\]/);
    }
  });

  it.each(LOOK_ALIKES.map((l) => [l.id, l] as const))('leaves %s as it is', (_id, l) => {
    expect(redactSecrets(l.text)).toBe(l.text);
    const once = JSON.stringify(l.text);
    expect(redactSecrets(once)).toBe(once);
    const twice = JSON.stringify(once);
    expect(redactSecrets(twice)).toBe(twice);
  });
});

/** The archive's text: every session file and the index, raw and with JSON strings unescaped. */
function archiveText(logs: string): { raw: string; decoded: string; titles: string[] } {
  const files = listTree(logs).filter((p) => p.endsWith('.jsonl') || p === 'index.json');
  expect(files.filter((p) => p.startsWith('sessions/'))).toHaveLength(2);
  const raw = files.map((p) => readFileSync(join(logs, p), 'utf8')).join('\n');
  const decoded = files
    .flatMap((p) =>
      p.endsWith('.jsonl')
        ? readFileSync(join(logs, p), 'utf8').trimEnd().split('\n')
        : [readFileSync(join(logs, p), 'utf8')],
    )
    .map((line) => strings(JSON.parse(line)))
    .join('\n');
  const index = JSON.parse(readFileSync(join(logs, 'index.json'), 'utf8')) as { sessions: { title: string | null }[] };
  return { raw, decoded, titles: index.sessions.map((s) => s.title ?? '') };
}

function writeHomes(sb: Sandbox, snippets: Parameters<typeof secretHomes>[0]): void {
  const homes = secretHomes(snippets);
  writeFiles(sb.homeOf(kit('claude')), homes.claude);
  writeFiles(sb.homeOf(kit('codex')), homes.codex);
}

/** The state as the tool reads it (its file with its journal folded in). */
const stateOf = async (sb: Sandbox) =>
  (await loadState(join(sb.logs, 'backfill_state.json'))).state as unknown as Record<string, unknown> & {
    units: Record<string, Record<string, unknown>>;
  };
const updated = (stdout: string) =>
  Object.values(
    (JSON.parse(stdout) as { providers: Record<string, { updated_sessions: number; new_sessions: number }> }).providers,
  ).reduce((n, p) => n + p.updated_sessions + p.new_sessions, 0);

describe('--redact on an import of Claude Code and Codex CLI homes', () => {
  it('masks every planted secret in prompts, tool inputs, tool outputs and index titles, and leaves every look-alike intact', async () => {
    const sb = sandbox();
    writeHomes(sb, [...PLANTED, ...LOOK_ALIKES]);
    const run = await runCli(sb, importArgs(sb, KITS_USED, ['--redact']));
    expect(run.code, run.stderr).toBe(0);
    const { raw, decoded, titles } = archiveText(sb.logs);
    for (const p of PLANTED) {
      for (const secret of p.secrets) {
        expect(raw, p.id).not.toContain(secret);
        expect(decoded, p.id).not.toContain(secret);
      }
    }
    for (const l of LOOK_ALIKES) expect(decoded, l.id).toContain(l.text);
    expect(titles).toHaveLength(2);
    for (const title of titles) {
      expect(title).not.toContain(TITLE_SECRET);
      expect(title).toContain('[REDACTED:api_key]');
    }
    // Each snippet went in: without --redact the same homes give every secret back.
    const plain = sandbox();
    writeHomes(plain, [...PLANTED, ...LOOK_ALIKES]);
    expect((await runCli(plain, importArgs(plain, KITS_USED))).code).toBe(0);
    const unmasked = archiveText(plain.logs).decoded;
    for (const p of PLANTED) for (const secret of p.secrets) expect(unmasked, p.id).toContain(secret);
  });
});

describe('the --redact choice of a logs dir', () => {
  it('is kept by runs without the flag, shown by doctor, and lifted only by --no-redact, which converts everything again', async () => {
    const sb = sandbox();
    writeHomes(sb, PLANTED.slice(0, 6));
    const secret = PLANTED[0]!.secrets[0]!;
    const first = await runCli(sb, importArgs(sb, KITS_USED, ['--redact']));
    expect(first.code, first.stderr).toBe(0);
    expect((await stateOf(sb)).redact).toEqual({ rules_version: REDACTION_RULES_VERSION });
    for (const rec of Object.values((await stateOf(sb)).units)) expect(rec.redact).toBe(REDACTION_RULES_VERSION);
    expect(archiveText(sb.logs).raw).not.toContain(secret);

    // A cron run without the flag: nothing converted again, nothing unmasked.
    const cron = await runCli(sb, importArgs(sb, KITS_USED));
    expect(cron.code, cron.stderr).toBe(0);
    expect(updated(cron.stdout)).toBe(0);
    expect(archiveText(sb.logs).raw).not.toContain(secret);

    // A session that changed since is converted by such a run, and masked too.
    writeHomes(sb, PLANTED.slice(0, 9));
    const changed = await runCli(sb, importArgs(sb, KITS_USED));
    expect(updated(changed.stdout)).toBe(2);
    const text = archiveText(sb.logs).raw;
    for (const p of PLANTED.slice(0, 9)) for (const s of p.secrets) expect(text, p.id).not.toContain(s);

    const doctor = await runCli(sb, [
      'doctor',
      '--out',
      sb.logs,
      '--json',
      '--claude-home',
      sb.homeOf(kit('claude')),
      '--codex-home',
      sb.homeOf(kit('codex')),
    ]);
    const report = JSON.parse(doctor.stdout) as {
      redaction: unknown;
      providers: { id: string; pending_sources: number | null }[];
    };
    expect(report.redaction).toEqual({
      enabled: true,
      rules_version: REDACTION_RULES_VERSION,
      current_rules_version: REDACTION_RULES_VERSION,
    });
    // Its plan compares with the recorded choice: nothing is pending.
    for (const id of ['claude', 'codex']) expect(report.providers.find((p) => p.id === id)?.pending_sources).toBe(0);
    const human = await runCli(sb, [
      'doctor',
      '--out',
      sb.logs,
      '--claude-home',
      sb.homeOf(kit('claude')),
      '--codex-home',
      sb.homeOf(kit('codex')),
    ]);
    expect(human.stdout).toMatch(/^redaction +on: every import masks secrets/m);

    // --no-redact: every session converted again, unmasked; later plain runs keep it off.
    const off = await runCli(sb, importArgs(sb, KITS_USED, ['--no-redact']));
    expect(off.code, off.stderr).toBe(0);
    expect(updated(off.stdout)).toBe(2);
    expect(archiveText(sb.logs).raw).toContain(secret);
    expect((await stateOf(sb)).redact).toBeUndefined();
    for (const rec of Object.values((await stateOf(sb)).units)) expect(rec.redact).toBeUndefined();
    const after = await runCli(sb, importArgs(sb, KITS_USED));
    expect(updated(after.stdout)).toBe(0);
    expect(
      (
        await runCli(sb, [
          'doctor',
          '--out',
          sb.logs,
          '--json',
          '--claude-home',
          sb.homeOf(kit('claude')),
          '--codex-home',
          sb.homeOf(kit('codex')),
        ])
      ).stdout,
    ).toContain('"enabled": false');
  });

  it('converts every session again when the rules changed since they were masked (and keeps a choice recorded before rules had versions)', async () => {
    const sb = sandbox();
    writeHomes(sb, PLANTED.slice(0, 6));
    expect((await runCli(sb, importArgs(sb, KITS_USED, ['--redact']))).code).toBe(0);
    // As a build whose rules were version 1 left it: units marked `redact: true`, no choice recorded.
    const old = await stateOf(sb);
    delete old.redact;
    for (const rec of Object.values(old.units)) rec.redact = true;
    writeFileSync(join(sb.logs, 'backfill_state.json'), JSON.stringify(old));
    const again = await runCli(sb, importArgs(sb, KITS_USED));
    expect(again.code, again.stderr).toBe(0);
    expect(updated(again.stdout)).toBe(2);
    expect((await stateOf(sb)).redact).toEqual({ rules_version: REDACTION_RULES_VERSION });
    expect(archiveText(sb.logs).raw).not.toContain(PLANTED[0]!.secrets[0]!);
    expect(updated((await runCli(sb, importArgs(sb, KITS_USED))).stdout)).toBe(0);
  });
});
