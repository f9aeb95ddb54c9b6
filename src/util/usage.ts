/**
 * Provider token counts to one meaning: `input_tokens` is input NOT served from cache,
 * `output_tokens` includes reasoning. Each adapter states its provider's semantics here instead of
 * doing the arithmetic itself.
 */
import type { EventDraft } from '../model/events.js';

export interface NativeUsage {
  input?: unknown;
  output?: unknown;
  cacheRead?: unknown;
  cacheCreation?: unknown;
  /** Of the cache writes, those kept for an hour (priced above the default 5-minute ones). */
  cacheCreation1h?: unknown;
  /** Reasoning tokens counted apart from output (Gemini `thoughts`). */
  reasoning?: unknown;
  /** Tool-use prompt tokens counted apart from input (Gemini `tool`). */
  toolInput?: unknown;
  costUsd?: unknown;
  model?: string | undefined;
}

export interface UsageSemantics {
  /** The provider's input count includes cache reads (Codex, Gemini, Copilot). */
  inputIncludesCacheRead: boolean;
  /** The provider's input count also includes cache writes (Copilot `usage.inputTokens`). */
  inputIncludesCacheCreation?: boolean;
  /** The provider's output count already includes reasoning (Codex). */
  outputIncludesReasoning: boolean;
}

/** A non-negative integer from a native count (numbers as strings are accepted). */
export function tokenCount(value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}

export type UsageDraft = Extract<EventDraft, { type: 'usage' }>;

export function normalizeUsage(native: NativeUsage, semantics: UsageSemantics): UsageDraft {
  const cacheRead = tokenCount(native.cacheRead);
  const cacheCreation = tokenCount(native.cacheCreation);
  const cacheCreation1h = Math.min(tokenCount(native.cacheCreation1h), cacheCreation);
  const rawInput = tokenCount(native.input) + tokenCount(native.toolInput);
  const cached =
    (semantics.inputIncludesCacheRead ? cacheRead : 0) + (semantics.inputIncludesCacheCreation ? cacheCreation : 0);
  const input = Math.max(0, rawInput - cached);
  const output = tokenCount(native.output) + (semantics.outputIncludesReasoning ? 0 : tokenCount(native.reasoning));
  const cost =
    typeof native.costUsd === 'number' && Number.isFinite(native.costUsd) && native.costUsd >= 0
      ? native.costUsd
      : undefined;
  return {
    type: 'usage',
    input_tokens: input,
    output_tokens: output,
    cache_read_tokens: cacheRead,
    cache_creation_tokens: cacheCreation,
    ...(cacheCreation1h > 0 ? { cache_creation_1h_tokens: cacheCreation1h } : {}),
    ...(cost !== undefined ? { total_cost_usd: cost } : {}),
    ...(native.model ? { model: native.model } : {}),
  };
}

/** True when a usage draft counts nothing at all (e.g. a synthetic error line). */
export function isEmptyUsage(u: UsageDraft): boolean {
  return u.input_tokens === 0 && u.output_tokens === 0 && !u.cache_read_tokens && !u.cache_creation_tokens;
}

export type TokenCounts = Partial<
  Pick<
    UsageDraft,
    'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_creation_tokens' | 'cache_creation_1h_tokens'
  >
>;

/**
 * Cross-check of the usage an adapter emitted with a total the provider states itself (both in our
 * meaning): the reason that makes the session `partial`, naming each count that differs with both
 * numbers, or null when every stated count agrees. Counts the provider does not state are not compared.
 */
export function usageMismatch(stated: string, emitted: TokenCounts, total: TokenCounts): string | null {
  const diffs: string[] = [];
  const keys = [
    'input_tokens',
    'output_tokens',
    'cache_read_tokens',
    'cache_creation_tokens',
    'cache_creation_1h_tokens',
  ] as const;
  for (const key of keys) {
    const want = total[key];
    const got = emitted[key] ?? 0;
    if (want !== undefined && want !== got) diffs.push(`${key} ${got} emitted, ${want} stated`);
  }
  return diffs.length === 0 ? null : `usage differs from ${stated}: ${diffs.join('; ')}`;
}
