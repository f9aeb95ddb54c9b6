/**
 * The schema of a whole event line (agent-log v1): the envelope and each kind's body, one union
 * by `type`. Apart from `events.ts` because only the JSON Schema of the line and the checks of
 * written lines use it: every conversion's start built it (each worker's, and a re-run's after
 * one appended turn), 2 ms once zod is loaded.
 */
import { z } from 'zod';
import { Envelope, EventBodies, LogEventKinds, type AgentLogEvent as Line, type LogEventKind } from './events.js';

function withEnvelope<K extends LogEventKind>(kind: K) {
  return Envelope.extend({ type: z.literal(kind) }).extend(EventBodies[kind].shape as (typeof EventBodies)[K]['shape']);
}

export const AgentLogEvent = z.discriminatedUnion(
  'type',
  LogEventKinds.map((kind) => withEnvelope(kind)) as unknown as [
    ReturnType<typeof withEnvelope<LogEventKind>>,
    ...ReturnType<typeof withEnvelope<LogEventKind>>[],
  ],
);
export type AgentLogEvent = Line;
