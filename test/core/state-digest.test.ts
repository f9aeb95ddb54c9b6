/**
 * The state's digest lets a run that finds nothing changed skip reading the state. Through the
 * built CLI on homes from the corpus, every run over an archive that has a digest is compared with
 * the same run over a twin archive whose digest is removed before each run (so it always reads
 * the state): the same summary and the same archive, change after change. A no-op over the digest
 * opens no state file; a digest of another state than the one on disk is not used.
 */
import {
  appendFileSync,
  mkdirSync,
  copyFileSync,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps, cliPath, corpusFiles, repoRoot, tempDir } from '../support/harness.js';
import { corpusHomes, hasCorpus } from '../reliability/corpus-homes.js';
import { expectSameArchive, readArchive } from '../reliability/support.js';

afterAll(cleanupTemps);

const DIGEST = 'backfill_state.digest';
const STATE_FILES = ['backfill_state.json', 'backfill_state.journal', 'backfill_sessions.json'];

/** An import of `homes` into `logs`, returning its summary without its duration and the files it opened. */
function run(logs: string, home: string, homes: string[], extra: string[] = []) {
  const opened = join(tempDir('opened-'), 'opened.txt');
  writeFileSync(opened, '');
  const result = spawnSync(
    process.execPath,
    ['--import', join(repoRoot, 'test/support/opened-files.mjs'), cliPath, '--out', logs, '--json', ...homes, ...extra],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, TZ: 'UTC', IMPORT_LOGS_OPENED: opened } },
  );
  expect(result.status, result.stderr).toBe(0);
  const { duration_ms: _d, logs_dir: _l, ...summary } = JSON.parse(result.stdout) as Record<string, unknown>;
  const names = readFileSync(opened, 'utf8').split('\n').filter(Boolean);
  const stateRead = names.some((p) => STATE_FILES.some((f) => p === join(logs, f)));
  return { summary, stateRead };
}

/** The archive with the digest and its twin without: the same run over both must give the same. */
function twins(homes: string[]) {
  const withDigest = tempDir('digest-');
  const without = tempDir('no-digest-');
  const home = tempDir('home-');
  const both = (extra: string[] = []) => {
    rmSync(join(without, DIGEST), { force: true });
    const fast = run(withDigest, home, homes, extra);
    const full = run(without, home, homes, extra);
    expect(full.stateRead).toBe(true);
    expect(fast.summary).toEqual(full.summary);
    expectSameArchive(readArchive(withDigest), readArchive(without));
    return { fast, full };
  };
  return { withDigest, without, both };
}

describe.skipIf(!hasCorpus)('the state digest', () => {
  it('a no-op over it reads no state file, and every change gives what the full comparison gives', () => {
    const dir = tempDir('homes-');
    const homes = corpusHomes(dir);
    const claudeHome = homes[1]!;
    const codexHome = homes[3]!;
    const { withDigest, without, both } = twins(homes);

    const first = both();
    expect(first.fast.stateRead).toBe(true); // no digest yet: the first import writes it
    expect(existsSync(join(withDigest, DIGEST))).toBe(true);
    const noop = both();
    expect(noop.fast.stateRead).toBe(false);
    expect(noop.fast.summary).toMatchObject({ bytes_read: 0 });

    // Main transcripts (named by their session id), where the home keeps them.
    const claudeFiles = corpusFiles('claude').flatMap((f) => {
      const [repo, name] = f.split('/').at(-1)!.split('__') as [string, string];
      return /^[0-9a-f]{8}-[0-9a-f-]+\.jsonl$/.test(name) ? [join(claudeHome, 'projects', `-${repo}`, name)] : [];
    });
    const [touched, replaced, removed] = claudeFiles;
    // Touched (its times only): converted again, to the same events.
    utimesSync(touched!, new Date('2026-02-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'));
    const afterTouch = both();
    expect(afterTouch.fast.stateRead).toBe(true);
    expect(JSON.stringify(afterTouch.fast.summary)).toContain('"pending_units":1');
    expect(both().fast.stateRead).toBe(false);
    // Replaced by a copy of itself (a new inode), grown by a line, removed.
    copyFileSync(replaced!, `${replaced}.new`);
    renameSync(`${replaced}.new`, replaced!);
    both();
    appendFileSync(touched!, readFileSync(touched!, 'utf8').split('\n')[0] + '\n');
    both();
    rmSync(removed!);
    const afterRemoval = both();
    expect(afterRemoval.fast.stateRead).toBe(true);
    expect(afterRemoval.fast.summary).toMatchObject({ providers: { claude: { removed_at_source: 1 } } });
    expect(both().fast.stateRead).toBe(false);

    // A session file cut short in the archive, and index.json removed: written again.
    const archived = readArchive(withDigest).index[0]!.log_path;
    for (const logs of [withDigest, without]) {
      const path = join(logs, archived);
      writeFileSync(path, readFileSync(path).subarray(0, statSync(path).size - 10));
    }
    expect(both().fast.stateRead).toBe(true);
    for (const logs of [withDigest, without]) rmSync(join(logs, 'index.json'));
    expect(both().fast.stateRead).toBe(true);
    expect(both().fast.stateRead).toBe(false);

    // Redaction asked for, kept by a run without the flag, lifted; one provider alone.
    both(['--redact']);
    expect(both().fast.stateRead).toBe(false);
    both(['--no-redact']);
    expect(both(['--provider', 'codex']).fast.stateRead).toBe(false);

    // A run of one provider that changes it keeps the other's record: the next whole run reads no state.
    utimesSync(replaced!, new Date('2026-02-02T00:00:00Z'), new Date('2026-02-02T00:00:00Z'));
    expect(both(['--provider', 'claude']).fast.stateRead).toBe(true);
    expect(both().fast.stateRead).toBe(false);

    // A Codex rollout archived by the CLI (a second copy of its session): the Codex home's hash differs.
    const rollout = corpusFiles('codex').find((f) => /__rollout-\d{4}-.*\.jsonl$/.test(f))!;
    mkdirSync(join(codexHome, 'archived_sessions'));
    copyFileSync(rollout, join(codexHome, 'archived_sessions', rollout.split('__').at(-1)!));
    expect(both().fast.stateRead).toBe(true);
    expect(existsSync(join(without, DIGEST))).toBe(true);

    // --verbose says per source why it is skipped, from the state; the digest, still the state's, is not written again.
    const written = statSync(join(withDigest, DIGEST)).mtimeMs;
    expect(both(['--verbose']).fast.stateRead).toBe(true);
    expect(statSync(join(withDigest, DIGEST)).mtimeMs).toBe(written);
    expect(both().fast.stateRead).toBe(false);

    // A file name holding a line feed, which ends each path in the hashed text: such a home always gets the full comparison.
    copyFileSync(touched!, join(dirname(touched!), 'line\nfeed.jsonl'));
    both();
    expect(both().fast.stateRead).toBe(true);
  });

  it('a digest of another state than the one on disk is not used (the state files put back from a copy)', () => {
    const dir = tempDir('homes-');
    const homes = corpusHomes(dir);
    const { withDigest, without, both } = twins(homes);
    const source = corpusFiles('claude')[0]!;
    const [repo, name] = source.split('/').at(-1)!.split('__') as [string, string];
    const path = join(homes[1]!, 'projects', `-${repo}`, name);
    renameSync(path, `${path}.aside`);
    both();
    const copies = [withDigest, without].map((logs) => {
      const copy = tempDir('state-copy-');
      for (const f of STATE_FILES) if (existsSync(join(logs, f))) copyFileSync(join(logs, f), join(copy, f));
      return copy;
    });
    renameSync(`${path}.aside`, path);
    expect(both().fast.summary).toMatchObject({ providers: { claude: { new_sessions: 1 } } });
    // The state as it was before that session, put back: the digest, of the state after it, is not used.
    [withDigest, without].forEach((logs, i) => {
      for (const f of STATE_FILES) {
        rmSync(join(logs, f), { force: true });
        if (existsSync(join(copies[i]!, f))) copyFileSync(join(copies[i]!, f), join(logs, f));
      }
    });
    const restored = both();
    expect(restored.fast.stateRead).toBe(true);
    expect(restored.fast.summary).toMatchObject({ providers: { claude: { pending_units: 1 } } });
    expect(both().fast.stateRead).toBe(false);
  });
});
