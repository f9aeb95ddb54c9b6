/** Event lines with a fixed key order, built by hand: this runs once per event on the hot path. */
import { FIELD_ORDER, type EventBody, type LogCompleteness, type LogSourceKind } from '../model/events.js';
import { redactSecrets } from './redact.js';

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

/** Per kind: the fields in schema order, each with its encoded `,"key":` prefix. */
const FIELDS: Readonly<Record<string, readonly (readonly [string, string])[]>> = Object.fromEntries(
  Object.entries(FIELD_ORDER).map(([kind, keys]) => [kind, keys.map((key) => [key, `,"${key}":`] as const)]),
);

/** What JSON.stringify escapes in a string: `"`, `\\`, control characters, lone surrogates (any surrogate here). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON text of one field value; strings, booleans and finite numbers are the common cases. */
function encodeValue(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      // Most strings need no escape: quoting them is cheaper than JSON.stringify's copy.
      return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return JSON.stringify(value);
  }
}

/** The kind's fields in schema order, each as `,"key":value`. */
function encodeFields(body: EventBody): string {
  let out = '';
  const fields = body as unknown as Record<string, unknown>;
  for (const [key, prefix] of FIELDS[body.type]!) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    const encoded = encodeValue(value);
    // JSON.stringify drops functions and symbols; nothing we write should be one.
    if (encoded !== undefined) out += prefix + encoded;
  }
  return out;
}

/**
 * The part of an event line after `seq` and `key`: `ts`, the session's encoded envelope,
 * `completeness`, `type`, then the kind's fields in schema order, and the closing brace. Absent and
 * null optional fields are omitted; keys that are not fields of the kind (`ts`, `completeness`,
 * `key` of a draft) are never read. With `redact`, secrets in the event's fields (never the
 * envelope) are masked, in one pass over the encoded fields (no rule's match can run past the
 * quote that ends a field).
 */
export function serializeTail(
  ts: string,
  envelope: string,
  completeness: LogCompleteness,
  body: EventBody,
  redact = false,
): string {
  // Normalized times (24 characters, nothing to escape) skip JSON.stringify.
  const head = `"ts":${ts.length === 24 ? `"${ts}"` : JSON.stringify(ts)}${envelope},"completeness":"${completeness}","type":"${body.type}"`;
  const fields = redact ? redactSecrets(encodeFields(body)) : encodeFields(body);
  return `${head}${fields}}`;
}

/** One event line, `\n` included: `seq`, `key`, then the tail (`serializeTail`). */
export function eventLine(seq: number, key: string, tail: string): string {
  return `{"seq":${seq},"key":${encodeValue(key)},${tail}\n`;
}
