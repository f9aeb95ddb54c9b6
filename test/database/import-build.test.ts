/**
 * The local index that an import builds from nothing (the first import, or one after the database
 * was deleted) holds what `index --rebuild` makes from the archive alone: the same sessions, events
 * and usage rows and the same full-text entries, also for a session merged from two copies (a Codex
 * rollout in sessions/ and archived_sessions/, one cut short) and for one whose source lost events
 * that the archive keeps; an import killed while it builds leaves no database and no journal, and
 * the next one builds it whole; one killed after an update, before the stamp beside the database
 * is written, leaves no stamp, and the next run checks the database itself. Real corpus sessions,
 * the built CLI.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps } from '../support/harness.js';
import { runCli } from '../reliability/support.js';
import { corpusSandbox, corpusSessionFiles, importSandbox } from './corpus-archive.js';

afterAll(cleanupTemps);

const files = corpusSessionFiles();
const ROLLOUT = 'rollout-2026-04-07T23-24-08-019d688b-3b5f-72c0-8028-4a4af562b9f5.jsonl';
const ROLLOUT_ID = 'codex-019d688b-3b5f-72c0-8028-4a4af562b9f5';

/** Everything the database holds: its rows, and its full-text entries by event (a digest: they are many). */
function contents(logs: string) {
  const db = new Sqlite(join(logs, 'archive.db'));
  try {
    // FTS5's own check of the full-text index against the events (it throws when they differ).
    db.prepare("insert into events_fts (events_fts, rank) values ('integrity-check', 1)").run();
    db.exec("create virtual table temp.terms using fts5vocab(main, 'events_fts', 'instance')");
    const digest = createHash('sha256');
    let entries = 0;
    for (const row of db
      .prepare(
        `select e.session_id, e.seq, t.term, t.offset from temp.terms t join events e on e.rowid = t.doc
         order by e.session_id, e.seq, t.offset, t.term`,
      )
      .raw()
      .iterate()) {
      digest.update(`${JSON.stringify(row)}\n`);
      entries++;
    }
    return {
      sessions: db.prepare('select * from sessions order by session_id').all(),
      events: db
        .prepare(
          `select session_id, seq, key, ts, type, role, tool_name, tool_kind, tool_id, success, text, line, host
           from events order by session_id, seq`,
        )
        .all(),
      usage: db.prepare('select * from usage order by session_id, seq').all(),
      fullText: { entries, digest: digest.digest('hex') },
    };
  } finally {
    db.close();
  }
}

async function rebuilt(sb: ReturnType<typeof corpusSandbox>) {
  const result = await runCli(sb, ['index', '--out', sb.logs, '--rebuild', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return contents(sb.logs);
}

const entryOf = (logs: string, id: string) =>
  (
    JSON.parse(readFileSync(join(logs, 'index.json'), 'utf8')) as {
      sessions: { wrapper_session_id: string; source_paths: string[]; retained_events: number }[];
    }
  ).sessions.find((e) => e.wrapper_session_id === id)!;

describe('the local index built by an import', () => {
  const sb = corpusSandbox(files);
  // The rollout's first lines again, in archived_sessions/: a second, shorter copy of the session.
  const rollout = readFileSync(join(sb.codexHome, 'sessions', '2026', '01', '01', ROLLOUT), 'utf8');
  mkdirSync(join(sb.codexHome, 'archived_sessions'));
  writeFileSync(
    join(sb.codexHome, 'archived_sessions', ROLLOUT),
    rollout
      .split(/(?<=\n)/)
      .slice(0, 55)
      .join(''),
  );

  it('is what index --rebuild makes, with a session merged from two copies', async () => {
    await importSandbox(sb);
    expect(entryOf(sb.logs, ROLLOUT_ID).source_paths).toHaveLength(2);
    const built = contents(sb.logs);
    expect(built.events.length).toBeGreaterThan(files.claude.length);
    expect(built.fullText.entries).toBeGreaterThan(built.events.length);
    expect(await rebuilt(sb)).toEqual(built);
  }, 120_000);

  it('is what index --rebuild makes, with a session that keeps events its source lost', async () => {
    const name = files.claude[0]!.split('__')[1]!;
    const id = `claude-${name.replace(/\.jsonl$/, '')}`;
    const lines = readFileSync(sb.claudeFile(name), 'utf8').split(/(?<=\n)/);
    writeFileSync(sb.claudeFile(name), lines.slice(0, Math.ceil(lines.length / 2)).join(''));
    rmSync(join(sb.logs, 'archive.db'));
    await importSandbox(sb);
    expect(entryOf(sb.logs, id).retained_events).toBeGreaterThan(0);
    const built = contents(sb.logs);
    expect(await rebuilt(sb)).toEqual(built);
  }, 120_000);

  it('leaves no database when the import is killed while it builds; the next import builds it whole', async () => {
    const killedSb = corpusSandbox(files);
    const importArgs = [
      '--out',
      killedSb.logs,
      '--claude-home',
      killedSb.claudeHome,
      '--codex-home',
      killedSb.codexHome,
    ];
    // Killed as the build reads its third session file: rows are written, the transaction is open.
    const killed = await runCli(killedSb, importArgs, { fault: 'index:3:kill' });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const databaseFiles = () => readdirSync(killedSb.logs).filter((f) => f.startsWith('archive.db'));
    // The killed build's own file, no journal beside it; no archive.db.
    expect(databaseFiles()).toEqual([expect.stringMatching(/^archive\.db-building-.+-\d+$/)]);
    const rerun = await runCli(killedSb, importArgs);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(databaseFiles()).toEqual(['archive.db']);
    const built = contents(killedSb.logs);
    expect(await rebuilt(killedSb)).toEqual(built);
  }, 120_000);

  it('leaves no stamp when the import is killed between the update and the stamp; the next run checks the database', async () => {
    const stampSb = corpusSandbox(files);
    const importArgs = ['--out', stampSb.logs, '--claude-home', stampSb.claudeHome, '--codex-home', stampSb.codexHome];
    const stamp = join(stampSb.logs, 'archive-db.stamp');
    const first = await runCli(stampSb, importArgs);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(stamp)).toBe(true);
    // A new turn: the update that indexes it is killed as it writes the stamp, its commit made.
    const name = files.claude[0]!.split('__')[1]!;
    const sessionId = name.replace(/\.jsonl$/, '');
    const turn = {
      type: 'user',
      uuid: '0badc0de-0000-4000-8000-000000000002',
      parentUuid: null,
      sessionId,
      timestamp: '2026-12-02T10:00:00.000Z',
      cwd: '/home/dev/project',
      message: { role: 'user', content: 'a turn indexed before the stamp was written' },
    };
    appendFileSync(stampSb.claudeFile(name), `${JSON.stringify(turn)}\n`);
    const killed = await runCli(stampSb, importArgs, { fault: 'stamp:1:kill' });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(existsSync(stamp)).toBe(false);
    // Node's module log names every CommonJS module a run loads: better-sqlite3 is one.
    const next = await runCli(stampSb, ['index', '--out', stampSb.logs, '--json'], { env: { NODE_DEBUG: 'module' } });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain('better-sqlite3');
    expect(JSON.parse(next.stdout)).toMatchObject({ changed: false });
    expect(existsSync(stamp)).toBe(true);
    const built = contents(stampSb.logs);
    expect(built.events.filter((e) => (e as { text: string | null }).text?.includes('before the stamp'))).toHaveLength(
      1,
    );
    expect(await rebuilt(stampSb)).toEqual(built);
  }, 120_000);
});
