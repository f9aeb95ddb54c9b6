/** Provider homes built from the real corpus (read in place) for the archive tests, and their sessions' lines. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentLogEvent } from '../../src/model/events.js';
import { buildHome, corpusDir } from '../support/harness.js';

/** A Claude main session of 151 lines: prompts, tool calls, results and usage. */
export const CLAUDE_ID = '983c6d70-0ec5-4892-8277-c8fc164c3bfb';
export const CLAUDE_FILE = 'JamesTiberiusKirk-dotsv2__983c6d70-0ec5-4892-8277-c8fc164c3bfb.jsonl';
export const CLAUDE_REL = `projects/-home-dev-dots/${CLAUDE_ID}.jsonl`;
/** A Gemini chat file (legacy JSON, rewritten whole by the CLI on every message). */
export const GEMINI_FILE = 'M-Gemini__session-2025-12-30T01-16-3f9ce747.json';
export const GEMINI_REL = 'tmp/0a1b2c3d/chats/session-2025-12-30T01-16-3f9ce747.json';

export const claudeCorpus = corpusDir('claude');
export const geminiCorpus = corpusDir('gemini');

/** The corpus file's lines (each with its `\n`). */
export function claudeLines(): string[] {
  return readFileSync(join(claudeCorpus!, CLAUDE_FILE), 'utf8').split(/(?<=\n)/);
}

/** A Claude home holding `text` as the session file (a fresh temp dir unless `home` is given). */
export function claudeHome(text: string, home?: string): string {
  return buildHome({ [CLAUDE_REL]: text }, home);
}

export function geminiChat(): { messages: unknown[] } & Record<string, unknown> {
  return JSON.parse(readFileSync(join(geminiCorpus!, GEMINI_FILE), 'utf8')) as { messages: unknown[] } & Record<
    string,
    unknown
  >;
}

/** The conversation of a session: its events without seq (what a merge must keep), as comparable text. */
export function bodies(events: readonly AgentLogEvent[]): string[] {
  return events
    .filter((e) => e.type !== 'session_started' && e.type !== 'session_ended')
    .map(({ seq: _s, ...e }) => JSON.stringify(e));
}
