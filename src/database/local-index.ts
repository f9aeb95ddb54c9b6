/**
 * The local index: `archive.db` in the logs dir, an SQLite database (better-sqlite3, FTS5) derived
 * from the archive and kept up to date after each import. Only sessions whose file changed are read
 * again; an import that changed nothing leaves the database untouched. The JSONL archive stays the
 * source of truth: `rebuildLocalIndex` makes the database anew from it.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  type Stats,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { readLines } from '../io/lines.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import { FILE_MODE } from '../writer/atomic-file.js';
import { localIndexPath } from '../archive/layout.js';
import { EVENT_COLUMNS, SESSION_COLUMNS, USAGE_COLUMNS, eventRows, sessionRow, type Origin } from './rows.js';
import { indexStamp, removeStamp, stampCurrent, writeStamp } from './stamp.js';

/** Bumped when the tables change: an older database is rebuilt (it is derived data). */
const SCHEMA_VERSION = 3;

const TEXT = EVENT_COLUMNS.indexOf('text');

const SCHEMA = `
create table meta (name text primary key, value text not null);
create table sessions (
  session_id text primary key, provider text not null, provider_session_id text, parent_session_id text,
  started_at text not null, ended_at text, workspace_path text, title text, model text,
  completeness text not null, event_count integer not null,
  input_tokens integer not null, output_tokens integer not null,
  cache_read_tokens integer not null, cache_creation_tokens integer not null, usage_calls integer not null,
  format text not null, adapter_version integer not null, source_missing integer not null,
  host text not null, logs_dir text not null, content text not null, entry text not null,
  -- what the session file was when it was indexed: a changed file is indexed again
  log_size integer not null, log_mtime_ms real not null
);
create table events (
  session_id text not null references sessions(session_id) on delete cascade, seq integer not null,
  key text, ts text not null, type text not null, role text,
  tool_name text, tool_kind text, tool_id text, success integer,
  text text, line text not null, host text not null,
  primary key (session_id, seq)
);
create index events_by_time on events (ts);
create table usage (
  session_id text not null references sessions(session_id) on delete cascade, seq integer not null,
  ts text not null, model text,
  input_tokens integer not null, output_tokens integer not null,
  cache_read_tokens integer not null, cache_creation_tokens integer not null,
  cache_creation_1h_tokens integer not null, total_cost_usd real,
  host text not null,
  primary key (session_id, seq)
);
create index usage_by_time on usage (ts);
create virtual table events_fts using fts5 (text, content = 'events', content_rowid = 'rowid');
create trigger events_fts_delete after delete on events begin
  insert into events_fts (events_fts, rowid, text) values ('delete', old.rowid, old.text);
end;
`;

export interface LocalIndexUpdate {
  /** False when the archive had not changed since the last update (nothing was opened for writing). */
  changed: boolean;
  sessions_indexed: number;
  sessions_removed: number;
  events_indexed: number;
}

type Database = BetterSqlite3.Database;

/**
 * A database built from nothing is written to a file of its own (this, the host and the process
 * id after the database's name), its journal in memory and without syncing, then renamed into place:
 * readers keep the database they had until then, and a build that ended early leaves no database
 * but this file, which a later build on the same host removes.
 */
const BUILD_INFIX = '-building-';

async function openDatabase(path: string, cold = false): Promise<Database> {
  const { default: Sqlite } = await import('better-sqlite3');
  // Private like every file of the archive; SQLite gives its WAL and shared-memory files the
  // database file's mode.
  closeSync(openSync(path, 'a', FILE_MODE));
  chmodSync(path, FILE_MODE);
  const db = new Sqlite(path);
  // A build from nothing writes each page straight into the file, its rollback journal in memory
  // (better-sqlite3 opens in SQLite's defensive mode, which silently refuses no journal at all);
  // an update goes through the WAL, so that readers keep reading while it runs and a crash leaves
  // the last update whole.
  db.pragma(cold ? 'journal_mode = MEMORY' : 'journal_mode = WAL');
  db.pragma(cold ? 'synchronous = OFF' : 'synchronous = NORMAL');
  // A build from nothing writes each session's rows whole (and removes none): checking the session
  // of every event and usage row would cost it about a twelfth more CPU.
  db.pragma(cold ? 'foreign_keys = OFF' : 'foreign_keys = ON');
  // Deleted rows are overwritten, so that text the archive no longer holds (a session imported
  // again with --redact) is not left in free pages.
  db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 10000');
  // A page cache of 4 MB: a build with 128 MB took the same time (index --rebuild of the 400 MB
  // bench home, alternating rounds) and 470 MB more peak RSS; one with 16 MB the same CPU time as
  // with 4 MB (the index of a 1 GB transcript, paired runs) and 48 MB more peak RSS.
  db.pragma('cache_size = -4096');
  return db;
}

function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

function storedValue(db: Database, name: string): string | undefined {
  return (db.prepare('select value from meta where name = ?').get(name) as { value: string } | undefined)?.value;
}

function hasCurrentSchema(db: Database): boolean {
  const table = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'meta'").get();
  return table !== undefined && storedValue(db, 'schema_version') === String(SCHEMA_VERSION);
}

/** The database to update in place, or null when it must be built from nothing. */
async function openExisting(path: string, rebuild: boolean): Promise<Database | null> {
  if (rebuild || !existsSync(path)) return null;
  const db = await openDatabase(path);
  if (hasCurrentSchema(db)) return db;
  db.close();
  return null;
}

/** An empty database of the current schema at `file`, its journal in memory (see BUILD_INFIX). */
async function createDatabase(file: string): Promise<Database> {
  removeDatabase(file);
  const db = await openDatabase(file, true);
  // Pages of 16 KB rather than 4: most event lines fit in one page, and the build costs about a
  // tenth less.
  db.pragma('page_size = 16384');
  db.exec(SCHEMA);
  db.prepare('insert into meta (name, value) values (?, ?)').run('schema_version', String(SCHEMA_VERSION));
  return db;
}

/** Puts a finished build in place of the database, its pages on disk first. */
function publishBuild(file: string, path: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // The old database's WAL must not be replayed onto the new one.
  for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true });
  renameSync(file, path);
  removeAbandonedBuilds(path);
}

/** Builds left by processes of this host that have ended. */
function removeAbandonedBuilds(path: string): void {
  const prefix = `${basename(path)}${BUILD_INFIX}${hostname()}-`;
  for (const name of readdirSync(dirname(path))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && !isRunning(pid)) removeDatabase(join(dirname(path), name));
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Brings `archive.db` up to date with the logs dir. Cheap when nothing changed: stats of
 * `index.json` and the database compared with the stamp beside it (see stamp.ts), or, without a
 * stamp that matches, `index.json`'s compared with the one the database stores, then nothing more.
 */
export async function updateLocalIndex(
  logsDir: string,
  opts: { rebuild?: boolean; host?: string } = {},
): Promise<LocalIndexUpdate> {
  const path = localIndexPath(logsDir);
  const unchanged: LocalIndexUpdate = { changed: false, sessions_indexed: 0, sessions_removed: 0, events_indexed: 0 };
  const stamp = indexStamp(logsDir);
  if (stamp === null) return unchanged;
  const rebuild = opts.rebuild ?? false;
  if (!rebuild && stampCurrent(logsDir, SCHEMA_VERSION, stamp)) return unchanged;
  const existing = await openExisting(path, rebuild);
  if (existing !== null && storedValue(existing, 'index_stamp') === stamp) {
    existing.close();
    await writeStamp(logsDir, SCHEMA_VERSION, stamp);
    return unchanged;
  }
  removeStamp(logsDir);
  const build = existing === null ? `${path}${BUILD_INFIX}${hostname()}-${process.pid}` : null;
  const db = existing ?? (await createDatabase(build!));
  let result: LocalIndexUpdate;
  try {
    // Loaded here, not by a no-op: reading index.json loads its schema (zod).
    const { readLogsIndex } = await import('../archive/read.js');
    const entries = (await readLogsIndex(logsDir)) ?? [];
    const origin: Origin = { host: opts.host ?? hostname(), logsDir, content: 'full' };
    result = indexSessions(db, entries, origin, build !== null);
    db.prepare('insert or replace into meta (name, value) values (?, ?)').run('index_stamp', stamp);
    // Set now, not by the next update's open: a no-op update must not write to the file.
    if (build !== null) db.pragma('journal_mode = WAL');
  } catch (err) {
    db.close();
    if (build !== null) removeDatabase(build);
    throw err;
  }
  db.close();
  if (build !== null) publishBuild(build, path);
  await writeStamp(logsDir, SCHEMA_VERSION, stamp);
  return result;
}

interface Indexed {
  session_id: string;
  log_size: number;
  log_mtime_ms: number;
}

/**
 * Indexes, in one transaction, the sessions whose file changed since the last update; drops those
 * gone. A build from nothing (`cold`) makes the full-text entries in batches (see `inserter`).
 */
function indexSessions(
  db: Database,
  entries: readonly SessionLogIndexEntry[],
  origin: Origin,
  cold: boolean,
): LocalIndexUpdate {
  const indexed = new Map(
    (db.prepare('select session_id, log_size, log_mtime_ms from sessions').all() as Indexed[]).map((r) => [
      r.session_id,
      r,
    ]),
  );
  const result: LocalIndexUpdate = { changed: true, sessions_indexed: 0, sessions_removed: 0, events_indexed: 0 };
  const insert = inserter(db, origin, cold);
  const removeSession = db.prepare('delete from sessions where session_id = ?');
  let replaced = 0;
  db.transaction(() => {
    const current = new Set<string>();
    for (const entry of entries) {
      const id = entry.wrapper_session_id;
      current.add(id);
      const file = join(origin.logsDir, entry.log_path);
      let st;
      try {
        st = statSync(file);
      } catch {
        continue; // the session file is gone: the import reports it; the database keeps what it had
      }
      const known = indexed.get(id);
      if (known && known.log_size === st.size && known.log_mtime_ms === st.mtimeMs) continue;
      if (known) replaced++;
      if (known) removeSession.run(id);
      result.events_indexed += insert.session(entry, file, st);
      result.sessions_indexed++;
    }
    insert.finish();
    for (const id of indexed.keys()) {
      if (current.has(id)) continue;
      removeSession.run(id);
      result.sessions_removed++;
    }
    // A deleted row's words stay in the full-text index's segments until they are merged. When
    // many sessions were replaced (the archive redacted, or its redaction rules changed), merge
    // them all now, so that no word of the old text is left. (FTS5's own secure-delete would
    // make the file unreadable for SQLite before 3.44, the sqlite3 shell of many systems.)
    if (replaced + result.sessions_removed > indexed.size / 10)
      db.prepare("insert into events_fts (events_fts) values ('optimize')").run();
  })();
  return result;
}

/** How many events a build from nothing inserts before it makes their full-text entries. */
const TEXT_BATCH = 1 << 16;

/**
 * Inserts the rows of sessions (each one's entry and the lines of its file) and their full-text
 * entries: in an update, one per event as it is inserted; in a build from nothing (`cold`), those
 * of every TEXT_BATCH events by one statement that reads them back (cheaper, and cheaper than
 * FTS5's rebuild at the end). `session` returns how many events; `finish` makes the entries left.
 * Every event has its entry, also an event without text.
 */
function inserter(
  db: Database,
  origin: Origin,
  cold: boolean,
): { session: (entry: SessionLogIndexEntry, file: string, st: Stats) => number; finish: () => void } {
  const insertSession = db.prepare(
    `insert into sessions (${SESSION_COLUMNS.join(', ')}, log_size, log_mtime_ms) values (${placeholders(SESSION_COLUMNS.length + 2)})`,
  );
  const insertEvent = db.prepare(
    `insert into events (${EVENT_COLUMNS.join(', ')}) values (${placeholders(EVENT_COLUMNS.length)})`,
  );
  const insertUsage = db.prepare(
    `insert into usage (${USAGE_COLUMNS.join(', ')}) values (${placeholders(USAGE_COLUMNS.length)})`,
  );
  // Inserted by hand rather than by a trigger: a trigger made indexing twice as slow.
  const insertText = db.prepare('insert into events_fts (rowid, text) values (?, ?)');
  const insertTexts = db.prepare('insert into events_fts (rowid, text) select rowid, text from events where rowid > ?');
  /** The last event that has its full-text entry, the last event inserted, and how many lie between. */
  let textsUpTo: number | bigint = 0;
  let lastEvent: number | bigint = 0;
  let pending = 0;
  const finish = () => {
    if (pending === 0) return;
    insertTexts.run(textsUpTo);
    textsUpTo = lastEvent;
    pending = 0;
  };
  const session = (entry: SessionLogIndexEntry, file: string, st: Stats) => {
    const id = entry.wrapper_session_id;
    insertSession.run(...sessionRow(entry, origin).map(sqlValue), st.size, st.mtimeMs);
    let events = 0;
    for (const line of readLines(file, { bytesRead: 0 })) {
      if (line.bytes.length === 0) continue;
      const rows = eventRows(id, line.bytes.toString('utf8'), origin);
      lastEvent = insertEvent.run(rows.event.map(sqlValue)).lastInsertRowid;
      if (!cold) insertText.run(lastEvent, rows.event[TEXT]);
      if (rows.usage) insertUsage.run(rows.usage.map(sqlValue));
      events++;
    }
    pending += cold ? events : 0;
    if (pending >= TEXT_BATCH) finish();
    return events;
  };
  return { session, finish };
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** SQLite has no booleans: 1 and 0. */
function sqlValue(v: string | number | boolean | null): string | number | null {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

export interface SearchHit {
  session_id: string;
  seq: number;
  ts: string;
  type: string;
  role: string | null;
  tool_name: string | null;
  provider: string;
  title: string | null;
  snippet: string;
}

/** What a search hit was: a typed prompt, an answer (or its reasoning), or a tool call or its result. */
const SEARCH_ROLES = ['user', 'assistant', 'tool'] as const;
export type SearchRole = (typeof SEARCH_ROLES)[number];
const ROLE_TYPES: Record<SearchRole, string[]> = {
  user: ['user_message'],
  assistant: ['assistant_message', 'reasoning'],
  tool: ['tool_call', 'tool_result'],
};

export interface SearchOptions {
  limit?: number;
  providers?: readonly string[];
  /** Events at or after this time (RFC 3339). */
  since?: string;
  role?: SearchRole;
  /** What the snippet puts around each matched term (default `[` and `]`). */
  marks?: readonly [string, string];
}

/** What `read` finds in the local index, opened read-only; `empty` when there is no index. */
async function readIndex<T>(logsDir: string, empty: T, read: (db: Database) => T): Promise<T> {
  const path = localIndexPath(logsDir);
  if (!existsSync(path)) return empty;
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** `s.provider in (@p0, @p1, …)` and its parameters, for a provider filter. */
function providerClause(providers: readonly string[] | undefined): { sql: string[]; params: Record<string, string> } {
  if (!providers || providers.length === 0) return { sql: [], params: {} };
  const params = Object.fromEntries(providers.map((p, i) => [`p${i}`, p]));
  return {
    sql: [
      `s.provider in (${Object.keys(params)
        .map((k) => `@${k}`)
        .join(', ')})`,
    ],
    params,
  };
}

/**
 * Full-text search of the local index (FTS5 query syntax: words, "phrases", OR, NOT, prefix*),
 * best matches first (ties in archive order); the snippet marks each hit as [term]. Without a
 * filter, the best hits are ranked from the full-text index alone and only they are joined with
 * their events; snippets are made for the hits shown only. A common word matches hundreds of
 * thousands of events: reading each one's row, or making its snippet, costs seconds on a large archive.
 */
export async function searchLocalIndex(logsDir: string, query: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
  return readIndex(logsDir, [], (db) => {
    const providers = providerClause(opts.providers);
    const filters = [...providers.sql];
    if (opts.since) filters.push('e.ts >= @since');
    if (opts.role) filters.push(`e.type in (${ROLE_TYPES[opts.role].map((t) => `'${t}'`).join(', ')})`);
    const best =
      filters.length === 0
        ? 'select rowid, rank from events_fts where events_fts match @query order by rank, rowid limit @limit'
        : `select e.rowid, events_fts.rank from events_fts join events e on e.rowid = events_fts.rowid
             join sessions s on s.session_id = e.session_id
           where events_fts match @query and ${filters.join(' and ')} order by events_fts.rank, e.rowid limit @limit`;
    const [open, close] = opts.marks ?? ['[', ']'];
    return db
      .prepare(
        // The snippet by a subquery per hit: a join with events_fts would run the match for every event again.
        `select e.session_id, e.seq, e.ts, e.type, e.role, e.tool_name, s.provider, s.title,
                (select snippet(events_fts, 0, @open, @close, '…', 12) from events_fts
                 where events_fts match @query and rowid = top.rowid) as snippet
         from (${best}) top join events e on e.rowid = top.rowid join sessions s on s.session_id = e.session_id
         order by top.rank, top.rowid`,
      )
      .all({
        query,
        since: opts.since ?? null,
        limit: opts.limit ?? 20,
        open,
        close,
        ...providers.params,
      }) as SearchHit[];
  });
}

/** One model call with the session it belongs to, as reports read it. */
export interface UsageRow {
  session_id: string;
  parent_session_id: string | null;
  provider: string;
  workspace_path: string | null;
  ts: string;
  /** The call's model, or the session's when the call names none. */
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  /** Of the cache writes, those kept for an hour (priced higher). */
  cache_creation_1h_tokens: number;
}

export interface UsageFilter {
  providers?: readonly string[];
  /** Calls at or after / before these times (RFC 3339). */
  since?: string;
  until?: string;
}

/** Every model call of the local index, oldest first. */
export async function readUsage(logsDir: string, filter: UsageFilter = {}): Promise<UsageRow[]> {
  return readIndex(logsDir, [], (db) => {
    const providers = providerClause(filter.providers);
    const where = ['1 = 1', ...providers.sql];
    if (filter.since) where.push('u.ts >= @since');
    if (filter.until) where.push('u.ts < @until');
    return db
      .prepare(
        `select u.session_id, s.parent_session_id, s.provider, s.workspace_path, u.ts, coalesce(u.model, s.model) as model,
                u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_creation_tokens,
                u.cache_creation_1h_tokens
         from usage u join sessions s on s.session_id = u.session_id
         where ${where.join(' and ')} order by u.ts, u.session_id, u.seq`,
      )
      .all({ since: filter.since ?? null, until: filter.until ?? null, ...providers.params }) as UsageRow[];
  });
}

/** The model, time and tokens of one call: what prices it. */
export type PricedCall = Pick<
  UsageRow,
  | 'model'
  | 'ts'
  | 'input_tokens'
  | 'output_tokens'
  | 'cache_read_tokens'
  | 'cache_creation_tokens'
  | 'cache_creation_1h_tokens'
>;

/** The sessions a query covers: those of `@ids` (a JSON array), or every one when `ids` is null. */
const scope = (ids: readonly string[] | null) =>
  ids === null ? 'select session_id from sessions' : 'select value as session_id from json_each(@ids)';

/**
 * What the model calls of each session cost (of `ids`, or of all), summed in one query (`price`
 * runs inside SQLite, so no row object is made per call); null when a call's price is unknown.
 * Sessions without calls are left out.
 */
export async function sessionCosts(
  logsDir: string,
  ids: readonly string[] | null,
  price: (call: PricedCall) => number | null,
): Promise<Map<string, number | null>> {
  return readIndex(logsDir, new Map<string, number | null>(), (db) => {
    db.function('call_cost', { deterministic: true }, (model, ts, input, output, cacheRead, cacheWrite, cacheWrite1h) =>
      price({
        model: model as string | null,
        ts: ts as string,
        input_tokens: input as number,
        output_tokens: output as number,
        cache_read_tokens: cacheRead as number,
        cache_creation_tokens: cacheWrite as number,
        cache_creation_1h_tokens: cacheWrite1h as number,
      }),
    );
    const rows = db
      .prepare(
        `select session_id, sum(cost) as cost, count(*) - count(cost) as unpriced from (
           select u.session_id, call_cost(coalesce(u.model, s.model), u.ts, u.input_tokens, u.output_tokens,
                                          u.cache_read_tokens, u.cache_creation_tokens, u.cache_creation_1h_tokens) as cost
           from (${scope(ids)}) k join usage u on u.session_id = k.session_id
             join sessions s on s.session_id = u.session_id)
         group by session_id`,
      )
      .all({ ids: JSON.stringify(ids) }) as { session_id: string; cost: number | null; unpriced: number }[];
    return new Map(rows.map((r) => [r.session_id, r.unpriced > 0 ? null : r.cost]));
  });
}

/** How far into a session its first typed prompt is looked for (on a 2 GB archive, at most the 48th event). */
const PROMPT_WITHIN = 200;

/**
 * The first typed prompt of each session (of `ids`, or of all) the provider gave no title (a
 * sub-agent's: its task), among its first PROMPT_WITHIN events. They are read in order through the
 * primary key: a scan of every event would read the whole table, and so would a session that has
 * no typed prompt (one resumed from another, or made of tool results) if it were read to its end.
 */
export async function firstPrompts(logsDir: string, ids: readonly string[] | null): Promise<Map<string, string>> {
  return readIndex(logsDir, new Map<string, string>(), (db) => {
    const rows = db
      .prepare(
        `select s.session_id, (
           select e.text from events e
           where e.session_id = s.session_id and e.seq <= ${PROMPT_WITHIN}
             and e.type = 'user_message' and e.role = 'user' and e.text is not null
           order by e.seq limit 1) as text
         from (${scope(ids)}) k join sessions s on s.session_id = k.session_id where s.title is null`,
      )
      .all({ ids: JSON.stringify(ids) }) as { session_id: string; text: string | null }[];
    return new Map(rows.flatMap((r) => (r.text === null ? [] : [[r.session_id, r.text] as const])));
  });
}
