/**
 * The trailer of a session file: its index entry, carried by the `session_ended` line
 * (`SessionTrailer`), so that the index can be rebuilt from `sessions/` alone. It is on the last
 * line because a session streams through the writer: its totals are known only at its end.
 */
import { SessionTrailer, type SessionLogIndexEntry } from '../model/index-schema.js';

type Entry = Omit<SessionLogIndexEntry, 'imported_at'>;

/** In the schema's order, whatever order the entry's keys were set in: the line stays deterministic. */
const FIELDS = Object.keys(SessionTrailer.shape) as (keyof SessionTrailer)[];

export function trailerOf(sessionKey: string, entry: Entry): SessionTrailer {
  const all: Record<string, unknown> = { ...entry, session_key: sessionKey };
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) if (all[field] !== undefined) out[field] = all[field];
  return out as SessionTrailer;
}
