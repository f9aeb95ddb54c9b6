/**
 * Faults of the state file and of the logs dir: each stops the run with a clear message and the
 * exit code of the README, leaves the archive as it was (no temp file), and the next run recovers
 * to exactly the archive of a clean import. Permission cases run the CLI as an unprivileged user
 * when the tests run as root (root ignores file modes); a full disk is simulated by failing writes.
 */
import { appendFileSync, chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/cli/import-command.js';
import { writeFaults } from '../../src/writer/atomic-file.js';
import { cleanupTemps, importHome } from '../support/harness.js';
// @ts-expect-error plain JS test provider (shared with child processes)
import { testAdapter } from '../support/test-adapter.mjs';
import { KITS, homeOf, specOf } from './kits.js';
import {
  NOBODY,
  firstKit,
  giveToNobody,
  importArgs,
  isRoot,
  leftovers,
  readArchive,
  runCli,
  sandbox,
  writeFiles,
  expectSameArchive,
  type Sandbox,
} from './support.js';

afterAll(cleanupTemps);
afterEach(() => {
  writeFaults.beforeWrite = null;
});

const toy = KITS.find((k) => k.id === 'testprov')!;
const kit = firstKit();
const asUser = isRoot ? { uid: NOBODY } : {};

/**
 * A sandbox with an imported home of the first provider; returns it and its archive. The home is
 * nobody's from the start, so that handing the sandbox to nobody later leaves the sources as they were.
 */
async function imported(sessions = 4) {
  const sb = sandbox();
  writeFiles(sb.homeOf(kit), homeOf(kit, sessions, 0));
  giveToNobody(sb.homeOf(kit));
  const first = await runCli(sb, importArgs(sb, [kit]));
  expect(first.code, first.stderr).toBe(0);
  return { sb, archive: readArchive(sb.logs), statePath: join(sb.logs, 'backfill_state.json') };
}

/** Grows one session of a home, so that the next run has something to write. */
function grow(sb: Sandbox, n = 0, k = kit): void {
  const spec = specOf(n, 0);
  appendFileSync(join(sb.homeOf(k), k.mainFile(spec)), k.userLine(spec, 'one more', '2026-05-01T00:00:00Z', 1));
}

describe('state file faults', () => {
  it.each([
    ['truncated', (text: string) => text.slice(0, Math.floor(text.length / 2)), /is not valid JSON/],
    [
      'of a future version',
      (text: string) => text.replace(/^\{"version":\d+/, '{"version":7'),
      /has version 7, newer than/,
    ],
    ['not JSON at all', () => '\u0000\u0000garbage', /is not valid JSON/],
  ])(
    '%s: exit 3 naming it, archive and state untouched; moved away, the next run rebuilds the same archive',
    async (_what, damage, message) => {
      const { sb, archive, statePath } = await imported();
      grow(sb);
      const bad = damage(readFileSync(statePath, 'utf8'));
      writeFileSync(statePath, bad);
      const refused = await runCli(sb, importArgs(sb, [kit]));
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(statePath);
      expect(refused.stderr).toMatch(message);
      expect(refused.stderr).not.toContain('internal error');
      expect(readFileSync(statePath, 'utf8')).toBe(bad);
      expectSameArchive(readArchive(sb.logs), archive);
      expect(leftovers(sb.logs)).toEqual([]);

      renameSync(statePath, `${statePath}.bad`);
      const recovered = await runCli(sb, importArgs(sb, [kit]));
      expect(recovered.code, recovered.stderr).toBe(0);
      const clean = join(sb.root, 'clean');
      expect((await runCli(sb, importArgs(sb, [kit], [], clean))).code).toBe(0);
      expectSameArchive(readArchive(sb.logs), readArchive(clean));
    },
  );

  it('unreadable (mode 000): exit 3 naming it, untouched; readable again, the next run goes on', async () => {
    const { sb, statePath } = await imported();
    grow(sb);
    chmodSync(statePath, 0o000);
    giveToNobody(sb.root);
    const refused = await runCli(sb, importArgs(sb, [kit]), asUser);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(new RegExp(`state file ${statePath} cannot be read: .*EACCES`));
    expect(statSync(statePath).mode & 0o777).toBe(0o000);
    chmodSync(statePath, 0o600);
    const next = await runCli(sb, importArgs(sb, [kit]), asUser);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).providers[kit.id]).toMatchObject({ updated_sessions: 1, unchanged_sessions: 3 });
  });

  it('read-only (mode 400) in a writable logs dir: replaced atomically, private again', async () => {
    const { sb, statePath } = await imported(100);
    grow(sb);
    chmodSync(statePath, 0o400);
    giveToNobody(sb.root);
    // Forced: every session changes, enough for the state file to be written anew rather than journaled.
    const run = await runCli(sb, importArgs(sb, [kit], ['--force']), asUser);
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(statePath).mode & 0o777).toBe(0o600);
    expect(JSON.parse(run.stdout).providers[kit.id]).toMatchObject({ updated_sessions: 100 });
  });
});

describe('logs dir faults', () => {
  it('not writable: exit 3 naming it, nothing written; writable again, the next run imports', async () => {
    const { sb, archive } = await imported();
    grow(sb);
    chmodSync(sb.logs, 0o500);
    giveToNobody(sb.root);
    const refused = await runCli(sb, importArgs(sb, [kit]), asUser);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(new RegExp(`logs dir ${sb.logs} cannot be written: .*EACCES`));
    expectSameArchive(readArchive(sb.logs), archive);
    chmodSync(sb.logs, 0o700);
    const next = await runCli(sb, importArgs(sb, [kit]), asUser);
    expect(next.code, next.stderr).toBe(0);
    expect(leftovers(sb.logs)).toEqual([]);
  });

  it('a file where the logs dir should be: exit 3 naming it, the file untouched', async () => {
    const sb = sandbox();
    writeFiles(sb.homeOf(kit), homeOf(kit, 1, 0));
    writeFileSync(sb.logs, 'not a directory');
    const refused = await runCli(sb, importArgs(sb, [kit]));
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`logs dir ${sb.logs} cannot be written`);
    expect(readFileSync(sb.logs, 'utf8')).toBe('not a directory');
  });
});

describe('disk full (every write of the writer fails with ENOSPC)', () => {
  const full = (match: (path: string) => boolean) => {
    writeFaults.beforeWrite = (path) => {
      if (match(path))
        throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
    };
  };
  const home = () => {
    const sb = sandbox();
    writeFiles(
      sb.homeOf(toy),
      homeOf(toy, 3, 0, () => 400),
    ); // sessions over the writer's buffer
    return sb;
  };

  it('while writing sessions: those sources fail (exit 1, listed), the archive keeps its old files, the next run recovers', async () => {
    const sb = home();
    const first = await importHome(testAdapter, sb.homeOf(toy), { logsDir: sb.logs });
    grow(sb, 1, toy);
    full((p) => p.includes('/sessions/'));
    const failed = await importHome(testAdapter, sb.homeOf(toy), { logsDir: sb.logs, force: true });
    expect(exitCodeOf(failed.summary)).toBe(1);
    expect(failed.summary.errors).toHaveLength(3);
    for (const e of failed.summary.errors) expect(e.message).toMatch(/ENOSPC/);
    expect(failed.summary.errors.map((e) => e.path).sort()).toEqual(
      [0, 1, 2].map((n) => join(sb.homeOf(toy), toy.mainFile(specOf(n, 0)))).sort(),
    );
    expect(failed.raw).toEqual(first.raw);
    expect(leftovers(sb.logs)).toEqual([]);

    writeFaults.beforeWrite = null;
    const next = await importHome(testAdapter, sb.homeOf(toy), { logsDir: sb.logs });
    expect(next.summary.errors).toEqual([]);
    expect(next.summary.providers.testprov).toMatchObject({ updated_sessions: 1, unchanged_sessions: 2 }); // the forced run changed nothing
    const clean = await importHome(testAdapter, sb.homeOf(toy));
    expect(next.raw).toEqual(clean.raw);
  });

  it('while writing the index at a checkpoint amid conversions: exit 3, and the sessions converted meanwhile leave no temp file', async () => {
    const sb = sandbox();
    writeFiles(
      sb.homeOf(toy),
      homeOf(toy, 12, 0, () => 400),
    );
    full((p) => p.endsWith('/index.json'));
    const err = await importHome(testAdapter, sb.homeOf(toy), { logsDir: sb.logs, checkpointMs: 0 }).catch(
      (e: unknown) => e,
    );
    expect((err as CliError).exitCode).toBe(3);
    expect(leftovers(sb.logs)).toEqual([]);
  });

  it('while writing the state files at the end of a first import: exit 3 naming the file, the next run converges', async () => {
    for (const name of ['backfill_sessions.json', 'backfill_state.json']) {
      const sb = home();
      full((p) => p.endsWith(`/${name}`));
      const err = await importHome(testAdapter, sb.homeOf(toy), { logsDir: sb.logs }).catch((e: unknown) => e);
      expect((err as CliError).exitCode, name).toBe(3);
      expect((err as CliError).message).toContain(join(sb.logs, name));
      expect(leftovers(sb.logs)).toEqual([]);

      writeFaults.beforeWrite = null;
      const next = await importHome(testAdapter, sb.homeOf(toy), { logsDir: sb.logs });
      expect(next.summary.errors, name).toEqual([]);
      expect(existsSync(join(sb.logs, 'backfill_state.json')), name).toBe(true);
      expect(existsSync(join(sb.logs, 'backfill_state.journal')), name).toBe(false);
      const clean = await importHome(testAdapter, sb.homeOf(toy));
      expect(next.raw).toEqual(clean.raw);
    }
  });

  it('while writing the index or the state: exit 3 naming the file, no temp file, the next run recovers', async () => {
    for (const name of ['index.json', 'backfill_state.journal']) {
      const sb = home();
      await importHome(testAdapter, sb.homeOf(toy), { logsDir: sb.logs });
      grow(sb, 2, toy);
      full((p) => p.endsWith(`/${name}`));
      const err = await importHome(testAdapter, sb.homeOf(toy), { logsDir: sb.logs }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(3);
      expect((err as CliError).message).toContain(join(sb.logs, name));
      expect((err as CliError).message).toMatch(/ENOSPC/);
      expect(leftovers(sb.logs)).toEqual([]);

      writeFaults.beforeWrite = null;
      const next = await importHome(testAdapter, sb.homeOf(toy), { logsDir: sb.logs });
      expect(next.summary.providers.testprov!.updated_sessions, name).toBe(1);
      const clean = await importHome(testAdapter, sb.homeOf(toy));
      expect(next.raw).toEqual(clean.raw);
      const strip = (r: typeof next) => r.index.map(({ imported_at: _i, ...e }) => e);
      expect(strip(next)).toEqual(strip(clean));
    }
  });
});
