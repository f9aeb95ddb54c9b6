/** Which sub-agent session each sub-agent tool call of a session started. */
import type { AgentLogEvent } from '../model/events.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';

/**
 * Per event seq of a `sub_agent` tool call, the child session it started: the child whose title is
 * a text of the call's input (its task), else the next child to start at or after the call.
 */
export function subAgentCalls(
  events: readonly AgentLogEvent[],
  children: readonly SessionLogIndexEntry[],
): Map<number, SessionLogIndexEntry> {
  const out = new Map<number, SessionLogIndexEntry>();
  const free = [...children].sort((a, b) => (a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : 0));
  const take = (c: SessionLogIndexEntry | undefined) =>
    c === undefined ? undefined : free.splice(free.indexOf(c), 1)[0];
  for (const e of events) {
    if (e.type !== 'tool_call' || e.tool_kind !== 'sub_agent') continue;
    const texts = new Set(
      Object.values((e.input ?? {}) as Record<string, unknown>).filter((v) => typeof v === 'string'),
    );
    const child =
      take(free.find((c) => c.title !== null && texts.has(c.title))) ?? take(free.find((c) => c.started_at >= e.ts));
    if (child) out.set(e.seq, child);
  }
  return out;
}
