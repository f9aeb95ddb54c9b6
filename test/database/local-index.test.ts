/**
 * The local index (archive.db) built by the real CLI from real corpus sessions: every event line
 * arrives once, usage adds up to the archive's, full-text search finds what was said, an import
 * that changed nothing touches nothing, an appended turn re-indexes that session only.
 */
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchLocalIndex } from '../../src/database/local-index.js';
import { cleanupTemps } from '../support/harness.js';
import { runCli } from '../reliability/support.js';
import { archiveLines, archiveUsage, corpusSandbox, corpusSessionFiles, importSandbox } from './corpus-archive.js';

const files = corpusSessionFiles();
const sb = corpusSandbox(files);
const db = () => new Sqlite(join(sb.logs, 'archive.db'), { readonly: true });
/** FTS5's own check of the full-text index against the events it indexes (it throws when they differ). */
const checkFullText = () => {
  const d = new Sqlite(join(sb.logs, 'archive.db'));
  try {
    d.prepare("insert into events_fts (events_fts, rank) values ('integrity-check', 1)").run();
  } finally {
    d.close();
  }
};

afterAll(cleanupTemps);

describe('local index', () => {
  beforeAll(async () => {
    await importSandbox(sb);
  }, 120_000);

  it('holds every event line of the archive exactly once, as written', () => {
    const lines = archiveLines(sb.logs);
    expect(lines.size).toBeGreaterThan(files.claude.length);
    const d = db();
    try {
      for (const [id, want] of lines) {
        const got = d.prepare('select seq, line from events where session_id = ? order by seq').all(id) as {
          seq: number;
          line: string;
        }[];
        expect(
          got.map((r) => r.line),
          id,
        ).toEqual(want);
        expect(got.map((r) => r.seq)).toEqual(want.map((_, i) => i + 1));
      }
      const sessions = d.prepare('select count(*) as n from sessions').get() as { n: number };
      expect(sessions.n).toBe(lines.size);
    } finally {
      d.close();
    }
  });

  it('gives the usage totals of the archive, per session', () => {
    const want = archiveUsage(sb.logs);
    expect(want.size).toBeGreaterThan(0);
    const d = db();
    try {
      const rows = d
        .prepare(
          'select session_id, sum(input_tokens) as input, sum(output_tokens) as output, sum(cache_read_tokens) as cacheRead, sum(cache_creation_tokens) as cacheWrite, sum(cache_creation_1h_tokens) as cacheWrite1h, count(*) as calls from usage group by session_id',
        )
        .all() as {
        session_id: string;
        input: number;
        output: number;
        cacheRead: number;
        cacheWrite: number;
        cacheWrite1h: number;
        calls: number;
      }[];
      expect(new Map(rows.map(({ session_id, ...t }) => [session_id, t]))).toEqual(want);
      expect([...want.values()].some((t) => t.cacheWrite1h > 0)).toBe(true);
      // The session rows carry the index entry's totals, which are the same sums.
      const index = JSON.parse(readFileSync(join(sb.logs, 'index.json'), 'utf8')) as {
        sessions: { wrapper_session_id: string; usage: { output_tokens: number } }[];
      };
      for (const entry of index.sessions) {
        const row = d
          .prepare('select output_tokens from sessions where session_id = ?')
          .get(entry.wrapper_session_id) as { output_tokens: number };
        expect(row.output_tokens).toBe(entry.usage.output_tokens);
      }
    } finally {
      d.close();
    }
  });

  it('finds a word of a real prompt in the session it was typed in', async () => {
    // A word as FTS5 (unicode61) segments text: letters between spaces or punctuation, not run into
    // other letters (CJK text written against a Latin word makes one token with it: see README).
    const wordOf = (text: string) => text.match(/(?<![\p{L}\p{N}])[A-Za-z]{7,}(?![\p{L}\p{N}])/u)?.[0];
    const [id, word] = [...archiveLines(sb.logs)]
      .flatMap(([sid, ls]) =>
        ls.map((l) => JSON.parse(l) as { type: string; role?: string; content?: string }).map((e) => [sid, e] as const),
      )
      .filter(([, e]) => e.type === 'user_message' && e.role === 'user' && wordOf(e.content!) !== undefined)
      .map(([sid, e]) => [sid, wordOf(e.content!)!] as const)[0]!;
    const hits = await searchLocalIndex(sb.logs, word, { limit: 1000 });
    expect(
      hits.some((h) => h.session_id === id && h.type === 'user_message' && h.snippet.includes(`[${word}`)),
      word,
    ).toBe(true);
  });

  it('leaves the database untouched when an import changed nothing', async () => {
    const before = statSync(join(sb.logs, 'archive.db'));
    await importSandbox(sb);
    const after = statSync(join(sb.logs, 'archive.db'));
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.size).toBe(before.size);
  });

  it('knows from its stamp that an unchanged database is current, without loading SQLite', async () => {
    const dbFile = join(sb.logs, 'archive.db');
    const stamp = join(sb.logs, 'archive-db.stamp');
    // Node's module log names every CommonJS module a run loads: better-sqlite3 is one.
    const loadsSqlite = async () => {
      const run = await runCli(sb, ['--out', sb.logs, '--claude-home', sb.claudeHome, '--codex-home', sb.codexHome], {
        env: { NODE_DEBUG: 'module' },
      });
      expect(run.code, run.stderr).toBe(0);
      return run.stderr.includes('better-sqlite3');
    };
    expect(existsSync(stamp)).toBe(true);
    expect(await loadsSqlite()).toBe(false);
    const changes: [string, () => void][] = [
      ['stamp removed', () => rmSync(stamp)],
      ['stamp unreadable', () => writeFileSync(stamp, '{"schema_version":')],
      ['stamp not an object', () => writeFileSync(stamp, 'null')],
      ['database written since', () => utimesSync(dbFile, new Date(), new Date(statSync(dbFile).mtimeMs + 1000))],
      [
        'database replaced by a copy',
        () => {
          copyFileSync(dbFile, `${dbFile}.copy`);
          renameSync(`${dbFile}.copy`, dbFile);
        },
      ],
    ];
    for (const [what, change] of changes) {
      change();
      // The database's own check finds it current and writes the stamp again.
      expect(await loadsSqlite(), what).toBe(true);
      expect(await loadsSqlite(), `${what}, then a second run`).toBe(false);
    }
  });

  it('re-indexes only the session that grew, and finds its new turn', async () => {
    const name = files.claude[0]!.split('__')[1]!;
    const first = JSON.parse(readFileSync(sb.claudeFile(name), 'utf8').split('\n')[0]!) as { sessionId?: string };
    const line = {
      type: 'user',
      uuid: '0badc0de-0000-4000-8000-000000000001',
      parentUuid: null,
      sessionId: first.sessionId ?? name.replace(/\.jsonl$/, ''),
      timestamp: '2026-12-01T10:00:00.000Z',
      cwd: '/home/dev/project',
      message: { role: 'user', content: 'please reticulate the xylophonic splines' },
    };
    appendFileSync(sb.claudeFile(name), `${JSON.stringify(line)}\n`);
    await importSandbox(sb, ['--no-index']);
    const indexed = await runCli(sb, ['index', '--out', sb.logs, '--json']);
    expect(indexed.code, indexed.stderr).toBe(0);
    expect(JSON.parse(indexed.stdout)).toMatchObject({ changed: true, sessions_indexed: 1, sessions_removed: 0 });
    const hits = await searchLocalIndex(sb.logs, 'xylophonic');
    expect(hits.map((h) => [h.session_id, h.role, h.snippet])).toEqual([
      [`claude-${line.sessionId}`, 'user', 'please reticulate the [xylophonic] splines'],
    ]);
    checkFullText();
  });

  it('is made anew from the archive alone by index --rebuild, with the same rows', async () => {
    const dump = () => {
      const d = db();
      try {
        return d
          .prepare(
            'select session_id, seq, key, ts, type, role, tool_name, tool_kind, tool_id, success, text, line from events order by session_id, seq',
          )
          .all();
      } finally {
        d.close();
      }
    };
    const before = dump();
    const rebuilt = await runCli(sb, ['index', '--out', sb.logs, '--rebuild', '--json']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ changed: true, sessions_indexed: archiveLines(sb.logs).size });
    expect(dump()).toEqual(before);
    checkFullText();
  });

  it('is built anew when its tables are of an older version, and then holds the 1-hour cache writes', async () => {
    // What version 2 of the tables was: usage rows without their 1-hour cache writes.
    const old = new Sqlite(join(sb.logs, 'archive.db'));
    old.exec(
      "alter table usage drop column cache_creation_1h_tokens; update meta set value = '2' where name = 'schema_version'",
    );
    old.close();
    const updated = await runCli(sb, ['index', '--out', sb.logs, '--json']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ changed: true, sessions_indexed: archiveLines(sb.logs).size });
    const d = db();
    try {
      const rows = d
        .prepare('select session_id, sum(cache_creation_1h_tokens) as n from usage group by session_id')
        .all() as { session_id: string; n: number }[];
      const want = [...archiveUsage(sb.logs)].map(([id, t]) => [id, t.cacheWrite1h] as const);
      expect(new Map(rows.map((r) => [r.session_id, r.n]))).toEqual(new Map(want));
    } finally {
      d.close();
    }
  });

  it('is built again after a build from nothing that ended early, whose file it removes', async () => {
    const rows = () => {
      const d = db();
      try {
        return d.prepare('select count(*) as n from events').get();
      } finally {
        d.close();
      }
    };
    const before = rows();
    // What a build killed midway leaves: no database, and its own file cut short (a process id
    // above Linux's largest is one that is not running).
    const abandoned = join(sb.logs, `archive.db-building-${hostname()}-99999999`);
    copyFileSync(join(sb.logs, 'archive.db'), abandoned);
    truncateSync(abandoned, 8192);
    rmSync(join(sb.logs, 'archive.db'));
    const updated = await runCli(sb, ['index', '--out', sb.logs, '--json']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ changed: true, sessions_indexed: archiveLines(sb.logs).size });
    expect(readdirSync(sb.logs).filter((f) => f.startsWith('archive.db'))).toEqual(['archive.db']);
    expect(rows()).toEqual(before);
    checkFullText();
  });

  it('is not made with --no-index', async () => {
    const logs = join(sb.root, 'no-index');
    await importSandbox(sb, ['--no-index'], logs);
    expect(existsSync(join(logs, 'index.json'))).toBe(true);
    expect(existsSync(join(logs, 'archive.db'))).toBe(false);
  });
});
