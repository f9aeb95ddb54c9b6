/**
 * Finds one session by a prefix of its wrapper_session_id (or of its native id), across the chosen
 * logs dir and every logs dir of the store. The same session imported into two logs dirs (with and
 * without --root) counts once; the chosen logs dir's copy is preferred. A prefix that matches a
 * parent and its sub-agents (`<parent id>-agent-…`) names the parent; `PARENT/REST` (as `list`
 * shortens a sub-agent's id) names the session whose id is the parent's, a dash, and REST….
 */
import { join } from 'node:path';
import type { GlobalSessionEntry, SessionLogIndexEntry } from '../model/index-schema.js';
import { logsDirOf, readGlobalIndex, readLogsIndex } from './read.js';

export interface FoundSession {
  id: string;
  provider: string;
  started_at: string;
  logsDir: string;
  /** Absolute path of the session file. */
  file: string;
  /** The logs dir's index entry (null if that index no longer lists it). */
  entry: SessionLogIndexEntry | null;
}

export type FindResult =
  | { kind: 'found'; session: FoundSession }
  | { kind: 'none'; searched: string[] }
  | { kind: 'ambiguous'; candidates: FoundSession[] };

function nativePart(id: string, provider: string): string {
  return id.startsWith(`${provider}-`) ? id.slice(provider.length + 1) : id;
}

export async function findSession(prefix: string, logsDir: string, storeDir: string | null): Promise<FindResult> {
  const slash = prefix.indexOf('/');
  if (slash >= 0) {
    const parent = await findSession(prefix.slice(0, slash), logsDir, storeDir);
    if (parent.kind !== 'found') return parent;
    return findSession(`${parent.session.id}-${prefix.slice(slash + 1)}`, logsDir, storeDir);
  }
  const copies: FoundSession[] = [];
  for (const entry of (await readLogsIndex(logsDir)) ?? []) {
    copies.push({
      id: entry.wrapper_session_id,
      provider: entry.provider,
      started_at: entry.started_at,
      logsDir,
      file: join(logsDir, entry.log_path),
      entry,
    });
  }
  const global: GlobalSessionEntry[] = storeDir === null ? [] : ((await readGlobalIndex(storeDir)) ?? []);
  for (const g of global) {
    copies.push({
      id: g.session_id,
      provider: g.provider,
      started_at: g.started_at,
      logsDir: logsDirOf(g),
      file: g.log_path,
      entry: null,
    });
  }
  const searched = [logsDir, ...(storeDir === null ? [] : [`every logs dir of ${storeDir}`])];

  const exact = copies.filter((c) => c.id === prefix || nativePart(c.id, c.provider) === prefix);
  const matching =
    exact.length > 0
      ? exact
      : copies.filter((c) => c.id.startsWith(prefix) || nativePart(c.id, c.provider).startsWith(prefix));
  // One copy per id: the chosen logs dir's first (it came first), else the first the store lists.
  const byId = new Map<string, FoundSession>();
  for (const c of matching) if (!byId.has(c.id)) byId.set(c.id, c);
  let distinct = [...byId.values()];
  if (distinct.length === 0) return { kind: 'none', searched };
  // A parent and its sub-agents (`<parent id>-agent-…`): the prefix names the parent.
  const root = distinct.reduce((a, b) => (b.id.length < a.id.length ? b : a));
  if (distinct.every((c) => c.id.startsWith(root.id))) distinct = [root];
  await fillEntries(distinct.slice(0, MAX_DETAILED));
  if (distinct.length === 1) return { kind: 'found', session: distinct[0]! };
  distinct.sort((a, b) =>
    a.started_at !== b.started_at ? (a.started_at < b.started_at ? 1 : -1) : a.id < b.id ? -1 : 1,
  );
  return { kind: 'ambiguous', candidates: distinct };
}

/** Candidates whose index entry is read for details (an ambiguous prefix lists them). */
const MAX_DETAILED = 50;

/** Reads the index entries of sessions found through the store-wide index (one read per logs dir). */
async function fillEntries(sessions: FoundSession[]): Promise<void> {
  const byDir = new Map<string, Map<string, SessionLogIndexEntry>>();
  for (const s of sessions) {
    if (s.entry !== null) continue;
    let entries = byDir.get(s.logsDir);
    if (!entries) {
      entries = new Map(((await readLogsIndex(s.logsDir)) ?? []).map((e) => [e.wrapper_session_id, e]));
      byDir.set(s.logsDir, entries);
    }
    s.entry = entries.get(s.id) ?? null;
  }
}
