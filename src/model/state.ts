/** The versioned import state of one logs dir (`backfill_state.json`). */
import { z } from 'zod';
import { SessionLogIndexEntry } from './index-schema.js';

export const STATE_VERSION = 2;

export const SourceFingerprint = z.object({
  size: z.number().int().nonnegative(),
  mtime_ms: z.number(),
  ino: z.number(),
  dev: z.number(),
});
export type SourceFingerprint = z.infer<typeof SourceFingerprint>;

export const SourceRecord = SourceFingerprint.extend({
  adapter: z.string().describe('Adapter id that read the file.'),
  adapter_version: z.number().int(),
  unit: z.string().describe('Key of the unit of sources the file was converted in.'),
  sessions: z.array(z.string()).describe('Session keys (`provider:native id`) the unit produced.'),
  redact: z.boolean().optional().describe('Set when the unit was imported with `--redact`.'),
});
export type SourceRecord = z.infer<typeof SourceRecord>;

export const BackfillStateV1 = z.object({
  version: z.literal(1),
  imported_session_keys: z.array(z.string()).default([]),
});

export const BackfillState = z.object({
  version: z.literal(STATE_VERSION),
  imported_session_keys: z.array(z.string()).describe('Sorted `provider:native id` keys.'),
  sources: z.record(z.string(), SourceRecord).describe('Per native file path: fingerprint and sessions.'),
  sessions: z
    .record(z.string(), SessionLogIndexEntry)
    .describe('Per session key: its index entry (index.json is written from these).'),
});
export type BackfillState = z.infer<typeof BackfillState>;

export function emptyState(): BackfillState {
  return { version: STATE_VERSION, imported_session_keys: [], sources: {}, sessions: {} };
}
