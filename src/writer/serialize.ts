/** Event lines with a fixed key order, built by hand: this runs once per event on the hot path. */
import { FIELD_ORDER, type EventBody, type LogCompleteness, type LogSourceKind } from '../model/events.js';

export interface SessionEnvelope {
  provider: string;
  wrapper_session_id: string;
  provider_session_id: string | null;
  source_kind: LogSourceKind;
}

/** The envelope keys that are the same on every line of a session, encoded once. */
export function encodeEnvelope(env: SessionEnvelope): string {
  let out = `,"provider":${JSON.stringify(env.provider)},"wrapper_session_id":${JSON.stringify(env.wrapper_session_id)}`;
  if (env.provider_session_id !== null) out += `,"provider_session_id":${JSON.stringify(env.provider_session_id)}`;
  return `${out},"source_kind":"${env.source_kind}"`;
}

/**
 * One JSON line (without the newline): `seq`, `ts`, the session's encoded envelope,
 * `completeness`, `type`, then the kind's fields in schema order. Absent and null optional fields
 * are omitted.
 */
export function serializeEvent(seq: number, ts: string, envelope: string, completeness: LogCompleteness, body: EventBody): string {
  // Normalized times (24 characters, nothing to escape) skip JSON.stringify.
  let out = `{"seq":${seq},"ts":${ts.length === 24 ? `"${ts}"` : JSON.stringify(ts)}${envelope},"completeness":"${completeness}","type":"${body.type}"`;
  const fields = body as unknown as Record<string, unknown>;
  for (const key of FIELD_ORDER[body.type]) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    const encoded = JSON.stringify(value);
    // JSON.stringify drops functions and symbols; nothing we write should be one.
    if (encoded !== undefined) out += `,"${key}":${encoded}`;
  }
  return `${out}}`;
}
