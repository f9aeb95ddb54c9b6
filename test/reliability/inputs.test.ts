/**
 * Surroundings the tool does not control: provider settings that are not regular files, output
 * dirs inside a provider home or holding something else, and dirs left looser than 0700. The
 * built CLI, in a sandbox.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps } from '../support/harness.js';
import { KITS, homeOf } from './kits.js';
import {
  NOBODY,
  activeKits,
  giveToNobody,
  homeArgs,
  importArgs,
  isRoot,
  listTree,
  runCli,
  sandbox,
  startCli,
  writeFiles,
  type CliResult,
  type Sandbox,
} from './support.js';

afterAll(cleanupTemps);

const kit = (id: string) => KITS.find((k) => k.id === id)!;

/** The CLI's result, or a kill after `ms` (the test then fails on the signal, not by hanging). */
async function runBounded(sb: Sandbox, args: string[], ms: number): Promise<CliResult> {
  const run = startCli(sb, args);
  const timer = setTimeout(() => process.kill(run.pid, 'SIGKILL'), ms);
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
  }
}

describe('provider settings read by doctor', () => {
  it(
    'a FIFO settings.json (Claude) and one linked to /dev/zero (Gemini) are not read: doctor finishes and says so',
    { timeout: 60_000 },
    async () => {
      const sb = sandbox();
      const kits = activeKits().filter((k) => k.id === 'claude' || k.id === 'gemini');
      for (const k of kits) writeFiles(sb.homeOf(k), homeOf(k, 1, 0));
      const claudeSettings = join(sb.homeOf(kit('claude')), 'settings.json');
      const geminiSettings = join(sb.homeOf(kit('gemini')), 'settings.json');
      execFileSync('mkfifo', [claudeSettings]);
      symlinkSync('/dev/zero', geminiSettings);
      const out = await runBounded(
        sb,
        ['doctor', '--out', sb.logs, '--json', ...kits.flatMap((k) => [`--${k.flag}`, sb.homeOf(k)])],
        30_000,
      );
      expect(out.signal, 'doctor was killed after 30 s: it hung').toBeNull();
      const report = JSON.parse(out.stdout) as {
        providers: { id: string; retention: { days: number; source: string }[] }[];
      };
      const retention = (id: string) => report.providers.find((p) => p.id === id)!.retention;
      expect(retention('claude')).toEqual([
        {
          home: sb.homeOf(kit('claude')),
          days: 30,
          source: `${claudeSettings}: a FIFO, not a regular file; not read: Claude Code default assumed`,
        },
      ]);
      expect(retention('gemini')).toEqual([
        {
          home: sb.homeOf(kit('gemini')),
          days: 30,
          source: `${geminiSettings}: a device, not a regular file; not read: Gemini CLI default (30d) assumed`,
        },
      ]);
    },
  );
});

describe('where the archive may go', () => {
  it.each([
    ['--out', (home: string) => ['--out', join(home, 'archive')], {}],
    ['--store', (home: string) => ['--store', join(home, 'nested', 'store')], {}],
    ['IMPORT_LOGS_HOME', () => [], { IMPORT_LOGS_HOME: 'HOME/store' }],
  ] as const)('%s inside a provider home: exit 2 naming both, nothing written', async (via, args, env) => {
    const sb = sandbox();
    const claude = kit('claude');
    const home = sb.homeOf(claude);
    writeFiles(home, homeOf(claude, 1, 0));
    const before = listTree(sb.root);
    const envOf = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace('HOME', home)]));
    const out = await runCli(sb, [...args(home), `--${claude.flag}`, home], { env: envOf });
    expect(out.code, out.stderr).toBe(2);
    expect(out.stderr).toContain(
      `${via} ${join(home, via === '--out' ? 'archive' : via === '--store' ? 'nested/store' : 'store')} is inside the Claude Code home ${home} (--${claude.flag})`,
    );
    expect(listTree(sb.root)).toEqual(before);
  });

  it('a logs dir inside a provider home found by default (not named by a flag) is refused too', async () => {
    const sb = sandbox();
    const codexHome = join(sb.home, '.codex');
    writeFiles(codexHome, homeOf(kit('codex'), 1, 0));
    const out = await runCli(sb, ['--provider', 'claude', '--out', join(codexHome, 'sessions', 'archive')]);
    expect(out.code, out.stderr).toBe(2);
    expect(out.stderr).toContain(
      `--out ${join(codexHome, 'sessions', 'archive')} is inside the OpenAI Codex CLI home ${codexHome} (default)`,
    );
  });

  it('a non-empty --out that is not a logs dir is refused: its unrelated index.json stays as it was', async () => {
    const sb = sandbox();
    const k = activeKits()[0]!;
    writeFiles(sb.homeOf(k), homeOf(k, 1, 0));
    writeFiles(sb.logs, { 'index.json': '{"pages":["about","contact"]}\n', 'notes.txt': 'mine' });
    const out = await runCli(sb, importArgs(sb, [k]));
    expect(out.code, out.stderr).toBe(2);
    expect(out.stderr).toContain(
      `logs dir ${sb.logs} is not empty and is not an import-logs logs dir (it holds index.json, notes.txt, and its index.json is not ours): nothing was written`,
    );
    expect(listTree(sb.logs)).toEqual(['index.json', 'notes.txt']);
    expect(readFileSync(join(sb.logs, 'index.json'), 'utf8')).toBe('{"pages":["about","contact"]}\n');
  });

  it('a logs dir is adopted: one with a state, and one a first run left before its first checkpoint', async () => {
    const sb = sandbox();
    const k = activeKits()[0]!;
    writeFiles(sb.homeOf(k), homeOf(k, 2, 0));
    expect((await runCli(sb, importArgs(sb, [k]))).code).toBe(0);
    expect((await runCli(sb, importArgs(sb, [k]))).code).toBe(0);
    // What a run killed before its first state write leaves: session and temp files, an index, its lock.
    rmSync(join(sb.logs, 'backfill_state.json'));
    writeFiles(sb.logs, {
      '.import.lock': JSON.stringify({ pid: 999999, host: hostname(), started_at: '2026-01-01T00:00:00.000Z' }),
      'sessions/.x.jsonl.tmp-1-1': 'partial',
    });
    const again = await runCli(sb, importArgs(sb, [k]));
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(sb.logs, 'backfill_state.json'))).toBe(true);
  });
});

describe('modes of what the tool owns', () => {
  const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

  it('an existing 0777 --out and a 0755 store are made 0700, on the first run as on a later one', async () => {
    const sb = sandbox();
    const k = activeKits()[0]!;
    writeFiles(sb.homeOf(k), homeOf(k, 1, 0));
    const store = join(sb.root, 'store');
    mkdirSync(sb.logs);
    mkdirSync(store);
    chmodSync(sb.logs, 0o777);
    chmodSync(store, 0o755);
    const first = await runCli(sb, [...importArgs(sb, [k]), '--store', store]);
    expect(first.code, first.stderr).toBe(0);
    expect([modeOf(sb.logs), modeOf(store)]).toEqual(['700', '700']);
    // Loosened again between runs (by hand, a copy, an older version): a run with nothing to import tightens them.
    for (const dir of [sb.logs, join(sb.logs, 'sessions'), store]) chmodSync(dir, 0o755);
    for (const file of ['backfill_state.json', 'index.json']) chmodSync(join(sb.logs, file), 0o644);
    chmodSync(join(store, 'sessions_index.json'), 0o644);
    const second = await runCli(sb, [...importArgs(sb, [k]), '--store', store]);
    expect(JSON.parse(second.stdout)).toMatchObject({ bytes_read: 0, warnings: [] });
    const paths = [
      sb.logs,
      join(sb.logs, 'sessions'),
      join(sb.logs, 'backfill_state.json'),
      join(sb.logs, 'index.json'),
      store,
      join(store, 'sessions_index.json'),
    ];
    expect(paths.map(modeOf)).toEqual(['700', '700', '600', '600', '700', '600']);
  });

  it('a loose logs dir of another user: the run warns (summary and doctor), exit codes as usual', async (ctx) => {
    if (!isRoot) ctx.skip('needs root: a dir of another user cannot be made otherwise');
    const sb = sandbox();
    const k = activeKits()[0]!;
    writeFiles(sb.homeOf(k), homeOf(k, 1, 0));
    giveToNobody(sb.root);
    mkdirSync(sb.logs);
    chmodSync(sb.logs, 0o777); // root's, open to all: nobody can write in it but not change its mode
    const run = await runCli(sb, importArgs(sb, [k]), { uid: NOBODY });
    expect(run.code, run.stderr).toBe(0);
    const warning = `${sb.logs} is mode 0777 (others can read the archive) and should be 0700: it could not be changed (EPERM`;
    expect((JSON.parse(run.stdout) as { warnings: string[] }).warnings.join('\n')).toContain(warning);
    expect(modeOf(sb.logs)).toBe('777');
    const text = await runCli(sb, ['--out', sb.logs, ...homeArgs(sb, [k])], { uid: NOBODY });
    expect(text.stdout).toContain(`${sb.logs} is mode 0777`);
    const doctor = await runCli(sb, ['doctor', '--out', sb.logs, '--json', ...homeArgs(sb, [k])], { uid: NOBODY });
    expect(doctor.code).toBe(1);
    expect((JSON.parse(doctor.stdout) as { warnings: string[] }).warnings).toContain(
      `${sb.logs} is mode 0777 (others can read the archive) and should be 0700: it belongs to another user (uid 0), so imports cannot change it`,
    );
  });
});
