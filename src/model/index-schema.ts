/** The per-logs-dir index (`index.json`) and the store-wide index (`sessions_index.json`). */
import { z } from 'zod';
import { LogCompleteness } from './completeness.js';

export const UsageTotals = z.object({
  input_tokens: z.number().int().nonnegative().describe('Sum of uncached input tokens.'),
  output_tokens: z.number().int().nonnegative().describe('Sum of output tokens, reasoning included.'),
  cache_read_tokens: z.number().int().nonnegative(),
  cache_creation_tokens: z.number().int().nonnegative(),
  calls: z.number().int().nonnegative().describe('Number of usage events (model API calls).'),
});
export type UsageTotals = z.infer<typeof UsageTotals>;

export const SessionLogIndexEntry = z.object({
  wrapper_session_id: z.string().describe('`<provider>-<native id>`, safe as a file name.'),
  provider: z.string(),
  provider_session_id: z.string().nullable(),
  log_path: z.string().describe('Session file, relative to the logs dir.'),
  log_bytes: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe(
      'Size of the session file as written: another size on disk means it was damaged, and the next import writes it again.',
    ),
  completeness: LogCompleteness,
  started_at: z.string().describe('Native time of the first record.'),
  ended_at: z.string().nullable().describe('Native time of the last record.'),
  workspace_path: z.string().nullable(),
  command: z.string().nullable(),
  source_paths: z.array(z.string()).describe('Native files the session was read from.'),
  backfilled: z.boolean(),
  model: z.string().nullable().describe('Most used model of the session.'),
  parent_session_id: z.string().nullable().describe('wrapper_session_id of the parent, for sub-agents.'),
  title: z.string().nullable(),
  tags: z.array(z.string()).describe('Labels such as `subagent`, `warmup`, `prompt_history`.'),
  event_count: z.number().int().nonnegative(),
  retained_events: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe('Events kept from an earlier import that no copy of the source holds any more (counted in event_count).'),
  usage: UsageTotals,
  completeness_reasons: z.array(z.string()),
  format: z.string().describe('Detected native format variant, e.g. `gemini:jsonl`.'),
  agent_version: z
    .string()
    .optional()
    .describe('Version of the agent that wrote the session, as its records state it (the newest seen).'),
  adapter_version: z.number().int(),
  source_missing: z.boolean().describe('The native sources are gone; the archive keeps the session.'),
  imported_at: z.string().describe('When this session file was last written (import time).'),
});
export type SessionLogIndexEntry = z.infer<typeof SessionLogIndexEntry>;

/**
 * What the last line of a session file (`session_ended.entry`) carries: its index entry but for
 * what only the logs dir knows (the file's size, whether a source is left, the import time), and
 * its session key. From these alone the index is rebuilt.
 */
export const SessionTrailer = SessionLogIndexEntry.omit({
  log_bytes: true,
  source_missing: true,
  imported_at: true,
}).extend({ session_key: z.string().describe('`provider:native id`, the session key of the state file.') });
export type SessionTrailer = z.infer<typeof SessionTrailer>;

export const SessionLogIndex = z.object({ sessions: z.array(SessionLogIndexEntry) });
export type SessionLogIndex = z.infer<typeof SessionLogIndex>;

export const GlobalSessionEntry = z.object({
  session_id: z.string().describe('wrapper_session_id.'),
  project: z.string().describe('Slug of the `--root` of its logs dir; empty for the default logs dir.'),
  log_path: z.string().describe('Absolute path of the session file.'),
  provider: z.string(),
  started_at: z.string(),
});
export type GlobalSessionEntry = z.infer<typeof GlobalSessionEntry>;

export const GlobalSessionIndex = z.object({ sessions: z.array(GlobalSessionEntry) });
export type GlobalSessionIndex = z.infer<typeof GlobalSessionIndex>;
