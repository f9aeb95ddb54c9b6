/**
 * `import-logs push`: sends a logs dir to a team's PostgreSQL server (the `pg` client), into the
 * schema `import_logs`. Rows are keyed by session id and event key, so a push is idempotent and
 * copies of one session from several machines merge the way the archive merges re-imports: an
 * event once on the server stays there, and a less complete copy never overwrites the fields of
 * a more complete one. A local ledger remembers what was pushed where, so a re-push of unchanged
 * sessions reads no session file and sends nothing.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { pushLedgerPath } from '../archive/layout.js';
import { ArchiveError, FailedError, UsageError } from '../errors.js';
import { readLines } from '../io/lines.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import { writeWholeFile } from '../writer/atomic-file.js';
import {
  EVENT_COLUMNS,
  SESSION_COLUMNS,
  USAGE_COLUMNS,
  eventRows,
  sessionRow,
  type ContentMode,
  type Origin,
  type Row,
} from './rows.js';

/** Version of the server schema this build writes; a push never runs a destructive migration. */
const SERVER_SCHEMA_VERSION = 2;
/** Rows per INSERT statement (PostgreSQL takes at most 65,535 parameters in one). */
const ROWS_PER_INSERT = 500;

const SERVER_SCHEMA = `
create schema if not exists import_logs;
create table if not exists import_logs.meta (name text primary key, value text not null);
create table if not exists import_logs.sessions (
  session_id text primary key, provider text not null, provider_session_id text, parent_session_id text,
  started_at timestamptz not null, ended_at timestamptz, workspace_path text, title text, model text,
  completeness text not null, event_count integer not null,
  input_tokens bigint not null, output_tokens bigint not null,
  cache_read_tokens bigint not null, cache_creation_tokens bigint not null, usage_calls integer not null,
  format text not null, adapter_version integer not null, source_missing boolean not null,
  host text not null, logs_dir text not null, content text not null, entry jsonb not null,
  pushed_at timestamptz not null default now()
);
create table if not exists import_logs.events (
  session_id text not null references import_logs.sessions (session_id), key text not null, seq integer not null,
  ts timestamptz not null, type text not null, role text,
  tool_name text, tool_kind text, tool_id text, success boolean,
  -- the line as written (text: jsonb cannot hold the escaped NUL some transcripts have); line::jsonb to query it
  text text, line text, host text not null,
  primary key (session_id, key)
);
create index if not exists events_by_time on import_logs.events (ts);
create index if not exists events_text_search on import_logs.events using gin (to_tsvector('simple', coalesce(text, '')));
create table if not exists import_logs.usage (
  session_id text not null references import_logs.sessions (session_id), key text not null, seq integer not null,
  ts timestamptz not null, model text,
  input_tokens bigint not null, output_tokens bigint not null,
  cache_read_tokens bigint not null, cache_creation_tokens bigint not null,
  cache_creation_1h_tokens bigint not null default 0, total_cost_usd double precision,
  host text not null,
  primary key (session_id, key)
);
create index if not exists usage_by_time on import_logs.usage (ts);
`;

/**
 * What brings a server's schema from the version before each one to it: columns added, never
 * dropped, so that what the server holds stays. Rows of an older version get the new columns' values
 * when their sessions are pushed again, which the ledger makes happen (`fileStamp`).
 */
const MIGRATIONS: Record<number, string> = {
  2: 'alter table import_logs.usage add column if not exists cache_creation_1h_tokens bigint not null default 0',
};

export interface PushOptions {
  logsDir: string;
  entries: readonly SessionLogIndexEntry[];
  url: string;
  host: string;
  content: ContentMode;
}

export interface PushSummary {
  target: string;
  host: string;
  content: ContentMode;
  sessions_pushed: number;
  sessions_unchanged: number;
  /** Sessions the server holds a more complete copy of (another machine's): their fields were kept. */
  sessions_kept_on_server: number;
  events_sent: number;
  rows_written: number;
}

interface Ledger {
  version: 1;
  /** Per server (its URL without the password, hashed), per session: what was pushed. */
  targets: Record<string, Record<string, string>>;
}

/** The URL as it may be shown and hashed: never its password. */
function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    throw new UsageError(`--to ${url.replace(/:[^:@/]*@/, ':***@')}: not a postgresql:// URL`);
  }
}

function readLedger(path: string): Ledger {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Ledger;
    if (parsed.version === 1 && typeof parsed.targets === 'object' && parsed.targets !== null) return parsed;
  } catch {
    // missing or damaged: pushing again is always safe (rows are keyed), only slower
  }
  return { version: 1, targets: {} };
}

/**
 * What a session file is now, as the ledger compares it: no byte of it is read. With the server
 * schema's version: a session pushed into an older schema is sent again, to fill its new columns.
 */
function fileStamp(path: string, content: ContentMode): string | null {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}:${content}:${SERVER_SCHEMA_VERSION}`;
  } catch {
    return null;
  }
}

const RANK: Record<string, number> = { metadata_only: 0, partial: 1, full: 2 };

async function ensureSchema(client: Client): Promise<void> {
  await client.query('begin');
  try {
    // One pusher at a time creates or checks the schema.
    await client.query('select pg_advisory_xact_lock(hashtext($1))', ['import_logs schema']);
    await client.query(SERVER_SCHEMA);
    const found = await client.query<{ value: string }>(
      "select value from import_logs.meta where name = 'schema_version'",
    );
    const version = found.rows[0] === undefined ? null : Number(found.rows[0].value);
    if (version === null) {
      await client.query("insert into import_logs.meta (name, value) values ('schema_version', $1)", [
        String(SERVER_SCHEMA_VERSION),
      ]);
    } else if (version > SERVER_SCHEMA_VERSION) {
      throw new ArchiveError(
        `the server's import_logs schema is version ${version}, newer than this import-logs knows (${SERVER_SCHEMA_VERSION}): upgrade import-logs`,
      );
    } else if (version < SERVER_SCHEMA_VERSION) {
      for (let next = version + 1; next <= SERVER_SCHEMA_VERSION; next++) await client.query(MIGRATIONS[next]!);
      await client.query("update import_logs.meta set value = $1 where name = 'schema_version'", [
        String(SERVER_SCHEMA_VERSION),
      ]);
    }
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
}

async function insertRows(
  client: Client,
  table: string,
  columns: readonly string[],
  rows: Row[],
  conflict: string,
): Promise<number> {
  let written = 0;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const params: Row = [];
    const values = chunk.map((row) => `(${row.map((v) => `$${params.push(v)}`).join(', ')})`);
    const res = await client.query(
      `insert into import_logs.${table} (${columns.join(', ')}) values ${values.join(', ')} ${conflict}`,
      params,
    );
    written += res.rowCount ?? 0;
  }
  return written;
}

/** `on conflict` clause: update every column but the key, or keep the server's row. */
function onConflict(columns: readonly string[], key: readonly string[], update: boolean): string {
  if (!update) return `on conflict (${key.join(', ')}) do nothing`;
  const set = columns.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
  return `on conflict (${key.join(', ')}) do update set ${set.join(', ')}`;
}

// The server keys events by `key`; the local rows put it third, after session_id and seq.
const SERVER_EVENT_COLUMNS = ['session_id', 'key', 'seq', ...EVENT_COLUMNS.slice(3)];
const SERVER_USAGE_COLUMNS = ['session_id', 'key', 'seq', ...USAGE_COLUMNS.slice(2)];

/** Another machine's copy that is more complete keeps its fields; its events stay either way. */
async function serverKeepsItsCopy(client: Client, entry: SessionLogIndexEntry, origin: Origin): Promise<boolean> {
  const found = await client.query<{ host: string; completeness: string; event_count: number }>(
    'select host, completeness, event_count from import_logs.sessions where session_id = $1 for update',
    [entry.wrapper_session_id],
  );
  const server = found.rows[0];
  return (
    server !== undefined &&
    server.host !== origin.host &&
    (RANK[server.completeness]! > RANK[entry.completeness]! ||
      (RANK[server.completeness] === RANK[entry.completeness] && server.event_count > entry.event_count))
  );
}

/** Event and usage rows, keyed as the server keys them, waiting for one insert each. */
interface Batch {
  events: Row[];
  usage: Row[];
}

/** One event line as the server's rows: `key` moved to second place. */
function addLine(batch: Batch, sessionId: string, lineText: string, origin: Origin): void {
  const row = eventRows(sessionId, lineText, origin);
  const [rowSession, seq, key, ...rest] = row.event;
  // Archives written before events had keys: the position is the only identity there is.
  const eventKey = key ?? `#${String(seq)}`;
  batch.events.push([rowSession!, eventKey, seq!, ...rest]);
  if (row.usage) {
    const [uSession, uSeq, ...uRest] = row.usage;
    batch.usage.push([uSession!, eventKey, uSeq!, ...uRest]);
  }
}

/** Inserts a batch; `update`: the pushed rows replace the server's. Returns the rows written. */
async function sendBatch(client: Client, batch: Batch, update: boolean): Promise<number> {
  const tables = [
    ['events', SERVER_EVENT_COLUMNS, batch.events],
    ['usage', SERVER_USAGE_COLUMNS, batch.usage],
  ] as const;
  let written = 0;
  for (const [table, columns, rows] of tables)
    written += await insertRows(client, table, columns, rows, onConflict(columns, ['session_id', 'key'], update));
  return written;
}

/** Streams the session file's events to the server, a batch at a time. */
async function sendEvents(
  client: Client,
  entry: SessionLogIndexEntry,
  file: string,
  origin: Origin,
  update: boolean,
): Promise<{ rows: number; events: number }> {
  let batch: Batch = { events: [], usage: [] };
  let rows = 0;
  let events = 0;
  for (const line of readLines(file, { bytesRead: 0 })) {
    if (line.bytes.length === 0) continue;
    addLine(batch, entry.wrapper_session_id, line.bytes.toString('utf8'), origin);
    events++;
    if (batch.events.length < ROWS_PER_INSERT) continue;
    rows += await sendBatch(client, batch, update);
    batch = { events: [], usage: [] };
  }
  rows += await sendBatch(client, batch, update);
  return { rows, events };
}

/** Sends one session in one transaction, streaming its file; says whether the server kept its copy. */
async function pushSession(
  client: Client,
  entry: SessionLogIndexEntry,
  file: string,
  origin: Origin,
): Promise<{ rows: number; events: number; kept: boolean }> {
  await client.query('begin');
  try {
    const kept = await serverKeepsItsCopy(client, entry, origin);
    const sessionRows = await insertRows(
      client,
      'sessions',
      SESSION_COLUMNS,
      [sessionRow(entry, origin)],
      onConflict(SESSION_COLUMNS, ['session_id'], !kept),
    );
    const sent = await sendEvents(client, entry, file, origin, !kept);
    // The session row counts what the server holds, which may be more than any one copy.
    await client.query(
      'update import_logs.sessions set event_count = (select count(*) from import_logs.events where session_id = $1) where session_id = $1',
      [entry.wrapper_session_id],
    );
    await client.query('commit');
    return { rows: sessionRows + sent.rows, events: sent.events, kept };
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

export async function pushArchive(opts: PushOptions): Promise<PushSummary> {
  const target = publicUrl(opts.url);
  const targetId = createHash('sha256').update(target).digest('hex').slice(0, 16);
  const ledgerPath = pushLedgerPath(opts.logsDir);
  const ledger = readLedger(ledgerPath);
  const pushed = (ledger.targets[targetId] ??= {});
  const summary: PushSummary = {
    target,
    host: opts.host,
    content: opts.content,
    sessions_pushed: 0,
    sessions_unchanged: 0,
    sessions_kept_on_server: 0,
    events_sent: 0,
    rows_written: 0,
  };
  const todo: { entry: SessionLogIndexEntry; file: string; stamp: string }[] = [];
  for (const entry of opts.entries) {
    const file = join(opts.logsDir, entry.log_path);
    const stamp = fileStamp(file, opts.content);
    if (stamp === null) continue;
    if (pushed[entry.wrapper_session_id] === stamp) summary.sessions_unchanged++;
    else todo.push({ entry, file, stamp });
  }
  if (todo.length === 0) return summary;

  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: opts.url, application_name: 'import-logs' });
  try {
    await client.connect();
  } catch (err) {
    throw new FailedError(`cannot connect to ${target}: ${(err as Error).message}`);
  }
  const origin: Origin = { host: opts.host, logsDir: opts.logsDir, content: opts.content };
  let lastSave = Date.now();
  try {
    await ensureSchema(client);
    for (const { entry, file, stamp } of todo) {
      const result = await pushSession(client, entry, file, origin);
      summary.sessions_pushed++;
      summary.events_sent += result.events;
      summary.rows_written += result.rows;
      if (result.kept) summary.sessions_kept_on_server++;
      pushed[entry.wrapper_session_id] = stamp;
      // A killed push loses at most the ledger entries since the last save: those sessions are
      // sent again, which writes nothing new (rows are keyed).
      if (Date.now() - lastSave > 2000) {
        await writeWholeFile(ledgerPath, `${JSON.stringify(ledger)}\n`);
        lastSave = Date.now();
      }
    }
  } finally {
    await writeWholeFile(ledgerPath, `${JSON.stringify(ledger)}\n`);
    await client.end().catch(() => undefined);
  }
  return summary;
}
