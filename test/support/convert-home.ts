/**
 * An adapter's own output for a provider home, with no importer around it: discover → units →
 * convert, in memory. Mapping tests assert on this (what the adapter says); the importer's own
 * behaviour (lock, state, writer, indexes) keeps its end-to-end tests through `importHome`.
 */
import type { Adapter, ConvertItem } from '../../adapters/types.js';
import type { EventDraft } from '../../src/model/events.js';
import { discoverSources, unitsOf } from '../../src/importer/discover.js';
import type { SessionDraft } from '../../src/session/draft.js';

export interface ConvertedSession {
  /** The draft as the adapter left it after its last item (title, tags, reasons, parent). */
  draft: SessionDraft;
  /** Its event drafts in the order the adapter yielded them, with their `key`. */
  events: EventDraft[];
}

/** What the adapter made of every unit of `home`, session by session in order of first item; unit warnings beside. */
export async function convertHome(
  adapter: Adapter,
  home: string,
): Promise<ConvertedSession[] & { warnings: string[] }> {
  const { files } = discoverSources(adapter, home);
  const sessions = new Map<SessionDraft, EventDraft[]>();
  const warnings: string[] = [];
  for (const unit of unitsOf(adapter, files, home)) {
    const ctx = { home, allFiles: files, stats: { bytesRead: 0 }, warn: (m: string) => void warnings.push(m) };
    for await (const out of adapter.convert(unit, ctx)) {
      for (const item of (Array.isArray(out) ? out : [out]) as ConvertItem[]) {
        if (!sessions.has(item.session)) sessions.set(item.session, []);
        if ('event' in item) sessions.get(item.session)!.push(item.event);
      }
    }
  }
  return Object.assign(
    [...sessions].map(([draft, events]) => ({ draft, events })),
    { warnings },
  );
}

/** The session the adapter gave this id (its native id, without the provider prefix). */
export function sessionById(sessions: readonly ConvertedSession[], id: string): ConvertedSession {
  const found = sessions.find((s) => s.draft.id === id);
  if (!found) throw new Error(`no session ${id} among ${sessions.map((s) => s.draft.id).join(', ')}`);
  return found;
}
