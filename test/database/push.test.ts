/**
 * `import-logs push` against a real PostgreSQL server started by the suite (test/support/postgres.ts),
 * with archives of real corpus sessions made by the built CLI.
 */
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps, repoRoot } from '../support/harness.js';
import { postgresBin, startPostgres, type PostgresServer } from '../../bench/postgres.js';
import { runCli, startCli } from '../reliability/support.js';
import { archiveLines, archiveUsage, corpusSandbox, corpusSessionFiles, importSandbox } from './corpus-archive.js';

const bin = postgresBin();
// CI installs PostgreSQL (.ci/run); elsewhere a machine without it skips these tests, saying why.
const skip = bin === null && !process.env.CI;
if (bin === null && process.env.CI) throw new Error('PostgreSQL (initdb) is not installed: .ci/run installs it');

let server: PostgresServer;
let databases = 0;

/** A fresh database on the test server, and a client to look at it. */
async function freshDatabase(): Promise<{
  url: string;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  end(): Promise<void>;
}> {
  const name = `push_${++databases}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = server.url.replace(/\/postgres$/, `/${name}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    url,
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    end: () => client.end(),
  };
}

const files = corpusSessionFiles();

interface PushSummary {
  sessions_pushed: number;
  sessions_unchanged: number;
  sessions_kept_on_server: number;
  events_sent: number;
  rows_written: number;
}

async function push(
  sb: ReturnType<typeof corpusSandbox>,
  url: string,
  extra: string[] = [],
  logs = sb.logs,
): Promise<PushSummary> {
  const res = await runCli(sb, ['push', '--out', logs, '--to', url, '--json', ...extra]);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as PushSummary;
}

afterAll(() => {
  server?.stop();
  cleanupTemps();
});

describe.skipIf(skip)('push to PostgreSQL', () => {
  const sb = corpusSandbox(files);

  beforeAll(async () => {
    server = await startPostgres(bin!);
    await importSandbox(sb);
  }, 180_000);

  it('sends every event once, no text by default, nothing on a second push, only what grew after that', async () => {
    const db = await freshDatabase();
    try {
      const lines = archiveLines(sb.logs);
      const total = [...lines.values()].reduce((n, ls) => n + ls.length, 0);
      const first = await push(sb, db.url, ['--host', 'alpha']);
      expect(first).toMatchObject({ sessions_pushed: lines.size, sessions_unchanged: 0, events_sent: total });

      for (const [id, want] of lines) {
        const got = await db.query<{ seq: number; type: string; key: string }>(
          'select seq, type, key from import_logs.events where session_id = $1 order by seq',
          [id],
        );
        expect(
          got.map((r) => [r.seq, r.type]),
          id,
        ).toEqual(want.map((l) => JSON.parse(l) as { seq: number; type: string }).map((e) => [e.seq, e.type]));
      }
      // Metadata and usage only: no text, no event line, no title; the choice is on the server.
      expect(
        await db.query('select count(*)::int as n from import_logs.events where text is not null or line is not null'),
      ).toEqual([{ n: 0 }]);
      expect(await db.query('select distinct content, host, title from import_logs.sessions')).toEqual([
        { content: 'none', host: 'alpha', title: null },
      ]);

      const rowVersions = async () =>
        db.query<{ session_id: string; v: string }>(
          "select session_id, string_agg(xmin::text, ',' order by key) as v from import_logs.events group by session_id order by session_id",
        );
      const before = await rowVersions();
      expect(await push(sb, db.url, ['--host', 'alpha'])).toMatchObject({
        sessions_pushed: 0,
        sessions_unchanged: lines.size,
        rows_written: 0,
      });
      expect(await rowVersions()).toEqual(before);

      // One turn appended to one source: that session, and only it, is sent again.
      const name = files.claude[0]!.split('__')[1]!;
      const firstLine = JSON.parse(readFileSync(sb.claudeFile(name), 'utf8').split('\n')[0]!) as { sessionId?: string };
      const sessionId = firstLine.sessionId ?? name.replace(/\.jsonl$/, '');
      appendFileSync(
        sb.claudeFile(name),
        `${JSON.stringify({ type: 'user', uuid: '0badc0de-0000-4000-8000-000000000002', parentUuid: null, sessionId, timestamp: '2026-12-01T10:00:00.000Z', message: { role: 'user', content: 'one more turn' } })}\n`,
      );
      await importSandbox(sb);
      const third = await push(sb, db.url, ['--host', 'alpha']);
      expect(third).toMatchObject({ sessions_pushed: 1, sessions_unchanged: lines.size - 1 });
      const after = await rowVersions();
      const changed = after.filter((r, i) => r.v !== before[i]!.v).map((r) => r.session_id);
      expect(changed).toEqual([`claude-${sessionId}`]);
      expect(
        await db.query('select count(*)::int as n from import_logs.events where session_id = $1', [
          `claude-${sessionId}`,
        ]),
      ).toEqual([{ n: archiveLines(sb.logs).get(`claude-${sessionId}`)!.length }]);
    } finally {
      await db.end();
    }
  }, 120_000);

  it('with --content full holds the text, and gives the usage totals of the local index', async () => {
    const db = await freshDatabase();
    try {
      await push(sb, db.url, ['--host', 'alpha', '--content', 'full']);
      const lines = archiveLines(sb.logs);
      for (const [id, want] of lines) {
        const got = await db.query<{ line: string }>(
          'select line from import_logs.events where session_id = $1 order by seq',
          [id],
        );
        expect(
          got.map((r) => r.line),
          id,
        ).toEqual(want);
      }
      const server = await db.query<{
        session_id: string;
        input: number;
        output: number;
        cacheRead: number;
        cacheWrite: number;
        cacheWrite1h: number;
        calls: number;
      }>(
        'select session_id, sum(input_tokens)::int as input, sum(output_tokens)::int as output, sum(cache_read_tokens)::int as "cacheRead", sum(cache_creation_tokens)::int as "cacheWrite", sum(cache_creation_1h_tokens)::int as "cacheWrite1h", count(*)::int as calls from import_logs.usage group by session_id',
      );
      const local = new Sqlite(join(sb.logs, 'archive.db'), { readonly: true });
      const localRows = local
        .prepare(
          'select session_id, sum(input_tokens) as input, sum(output_tokens) as output, sum(cache_read_tokens) as cacheRead, sum(cache_creation_tokens) as cacheWrite, sum(cache_creation_1h_tokens) as cacheWrite1h, count(*) as calls from usage group by session_id',
        )
        .all() as typeof server;
      local.close();
      const byId = (rows: typeof server) => new Map(rows.map(({ session_id, ...t }) => [session_id, t]));
      expect(byId(server)).toEqual(byId(localRows));
      expect(byId(server)).toEqual(archiveUsage(sb.logs));
    } finally {
      await db.end();
    }
  }, 120_000);

  it('with --content redacted masks secrets in the text and the line', async () => {
    const source = files.claude[0]!;
    const name = source.split('__')[1]!;
    const secretSb = corpusSandbox({ claude: [source], codex: [] });
    const first = JSON.parse(readFileSync(source, 'utf8').split('\n')[0]!) as { sessionId?: string };
    const secret = `sk-ant-api03-${'Zq7Xw2Lp9Rt4'.repeat(6)}`;
    appendFileSync(
      secretSb.claudeFile(name),
      `${JSON.stringify({ type: 'user', uuid: '0badc0de-0000-4000-8000-000000000003', parentUuid: null, sessionId: first.sessionId ?? name.replace(/\.jsonl$/, ''), timestamp: '2026-12-01T10:00:00.000Z', message: { role: 'user', content: `use the key ${secret} for the deploy` } })}\n`,
    );
    await importSandbox(secretSb);
    const db = await freshDatabase();
    try {
      await push(secretSb, db.url, ['--host', 'alpha', '--content', 'redacted']);
      const rows = await db.query<{ text: string; line: string }>(
        "select text, line from import_logs.events where text like '%for the deploy%'",
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.text).toMatch(/^use the key \[REDACTED:[a-z_]+\] for the deploy$/);
      expect(rows[0]!.line).toMatch(/\[REDACTED:[a-z_]+\]/);
      expect(
        await db.query('select count(*)::int as n from import_logs.events where text like $1 or line like $1', [
          `%${secret}%`,
        ]),
      ).toEqual([{ n: 0 }]);
      expect(await db.query('select distinct content from import_logs.sessions')).toEqual([{ content: 'redacted' }]);
    } finally {
      await db.end();
    }
  }, 120_000);

  it('converges after a push killed between two sessions', async () => {
    const db = await freshDatabase();
    try {
      // The preload kills the process (SIGKILL) right after the third session's COMMIT.
      const { done } = startCli(sb, ['push', '--out', sb.logs, '--to', db.url, '--host', 'alpha'], {
        env: {
          NODE_OPTIONS: `--import=${join(repoRoot, 'test/support/kill-after-commits.mjs')}`,
          IMPORT_LOGS_KILL_AFTER_COMMITS: '4',
        },
      });
      const killed = await done;
      expect(killed.signal).toBe('SIGKILL');
      const partial = await db.query<{ n: number }>('select count(*)::int as n from import_logs.sessions');
      expect(partial[0]!.n).toBe(3); // the schema's commit, then three sessions
      const again = await push(sb, db.url, ['--host', 'alpha']);
      const lines = archiveLines(sb.logs);
      expect(again.sessions_pushed + again.sessions_unchanged).toBe(lines.size);
      for (const [id, want] of lines) {
        expect(
          await db.query('select count(*)::int as n from import_logs.events where session_id = $1', [id]),
          id,
        ).toEqual([{ n: want.length }]);
      }
    } finally {
      await db.end();
    }
  }, 120_000);

  it('keeps the more complete copy when two machines push one session, in either order', async () => {
    const source = files.claude[0]!;
    const name = source.split('__')[1]!;
    const all = readFileSync(source, 'utf8').split('\n').filter(Boolean);
    const full = corpusSandbox({ claude: [source], codex: [] });
    const part = corpusSandbox({ claude: [source], codex: [] });
    writeFileSync(part.claudeFile(name), `${all.slice(0, Math.ceil(all.length / 2)).join('\n')}\n`);
    await importSandbox(full);
    await importSandbox(part);
    const fullLines = [...archiveLines(full.logs).values()][0]!;
    const partLines = [...archiveLines(part.logs).values()][0]!;
    expect(partLines.length).toBeLessThan(fullLines.length);
    for (const order of [
      [part, full],
      [full, part],
    ] as const) {
      const db = await freshDatabase();
      try {
        await push(order[0], db.url, ['--host', order[0] === full ? 'alpha' : 'beta', '--content', 'full']);
        const second = await push(order[1], db.url, [
          '--host',
          order[1] === full ? 'alpha' : 'beta',
          '--content',
          'full',
        ]);
        expect(second.sessions_kept_on_server).toBe(order[1] === part ? 1 : 0);
        expect(await db.query('select host, event_count from import_logs.sessions')).toEqual([
          { host: 'alpha', event_count: fullLines.length },
        ]);
        // Every event of the complete copy is there as that copy wrote it.
        const byKey = new Map(
          fullLines.map((l) => [
            ((e: { seq: number; key?: string }) => e.key ?? `#${e.seq}`)(
              JSON.parse(l) as { seq: number; key?: string },
            ),
            l,
          ]),
        );
        const got = await db.query<{ key: string; line: string }>('select key, line from import_logs.events');
        expect(new Map(got.map((r) => [r.key, r.line]))).toEqual(byKey);
      } finally {
        await db.end();
      }
    }
  }, 180_000);

  it('upgrades a server at schema version 1 on the next push, keeping its rows and filling the new column', async () => {
    const db = await freshDatabase();
    try {
      await push(sb, db.url, ['--host', 'alpha']);
      // The server as version 1 left it (no 1-hour cache writes), and the ledger as it wrote it.
      await db.query('alter table import_logs.usage drop column cache_creation_1h_tokens');
      await db.query("update import_logs.meta set value = '1' where name = 'schema_version'");
      const ledgerPath = join(sb.logs, 'push_ledger.json');
      const ledger = JSON.parse(readFileSync(ledgerPath, 'utf8')) as {
        targets: Record<string, Record<string, string>>;
      };
      for (const target of Object.values(ledger.targets))
        for (const [id, stamp] of Object.entries(target)) target[id] = stamp.replace(/:\d+$/, '');
      writeFileSync(ledgerPath, JSON.stringify(ledger));
      const count =
        'select (select count(*) from import_logs.events)::int as events, (select count(*) from import_logs.usage)::int as usage';
      const before = await db.query(count);

      const again = await push(sb, db.url, ['--host', 'alpha']);
      expect(again.sessions_pushed).toBe(archiveLines(sb.logs).size);
      expect(await db.query("select value from import_logs.meta where name = 'schema_version'")).toEqual([
        { value: '2' },
      ]);
      expect(await db.query(count)).toEqual(before);
      const server = await db.query<{ session_id: string; cacheWrite1h: number }>(
        'select session_id, sum(cache_creation_1h_tokens)::int as "cacheWrite1h" from import_logs.usage group by session_id',
      );
      const want = [...archiveUsage(sb.logs)].map(([id, t]) => [id, t.cacheWrite1h]);
      expect(new Map(server.map((r) => [r.session_id, r.cacheWrite1h]))).toEqual(new Map(want as [string, number][]));
      expect(want.some(([, n]) => (n as number) > 0)).toBe(true);
    } finally {
      await db.end();
    }
  }, 120_000);

  it('creates a versioned schema and refuses a server whose schema is newer', async () => {
    const db = await freshDatabase();
    try {
      await push(sb, db.url, ['--host', 'alpha']);
      expect(await db.query("select value from import_logs.meta where name = 'schema_version'")).toEqual([
        { value: '2' },
      ]);
      await db.query("update import_logs.meta set value = '99' where name = 'schema_version'");
      const res = await runCli(sb, ['push', '--out', join(sb.root, 'other'), '--to', db.url]);
      expect(res.code).toBe(2); // nothing imported there: a usage error before any connection
      writeFileSync(join(sb.logs, 'push_ledger.json'), '{}');
      const refused = await runCli(sb, ['push', '--out', sb.logs, '--to', db.url]);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/schema is version 99, newer than this import-logs knows \(2\)/);
    } finally {
      await db.end();
    }
  }, 120_000);
});
