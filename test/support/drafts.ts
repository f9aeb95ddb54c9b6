/**
 * What an adapter yields for a home, before the writer: the session drafts and their event drafts
 * (with `key`, which the archive does not show), in the order converted.
 */
import type { Adapter, ConvertItem } from '../../adapters/types.js';
import type { EventDraft } from '../../src/model/events.js';
import { discoverSources, unitsOf } from '../../src/importer/discover.js';
import type { SessionDraft } from '../../src/session/draft.js';

export interface ConvertedSession {
  draft: SessionDraft;
  events: EventDraft[];
}

export async function convertHome(adapter: Adapter, home: string): Promise<ConvertedSession[]> {
  const files = discoverSources(adapter, home);
  const sessions = new Map<SessionDraft, EventDraft[]>();
  for (const unit of unitsOf(adapter, files, home)) {
    const ctx = { home, allFiles: files, stats: { bytesRead: 0 }, warn: () => {} };
    for await (const out of adapter.convert(unit, ctx)) {
      for (const item of (Array.isArray(out) ? out : [out]) as ConvertItem[]) {
        if (!sessions.has(item.session)) sessions.set(item.session, []);
        if ('event' in item) sessions.get(item.session)!.push(item.event);
      }
    }
  }
  return [...sessions].map(([draft, events]) => ({ draft, events }));
}
