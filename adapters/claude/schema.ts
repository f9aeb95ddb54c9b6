/**
 * Zod schemas of the Claude Code native records: only the fields the adapter reads, lenient
 * (`looseObject`, `nullish`), big nested content kept `unknown` and narrowed by hand in convert.ts.
 * Format reference: the project's Claude Code format notes (part A).
 */
import { z } from 'zod';

const nullishText = z.string().nullish();
const nullishBoolean = z.boolean().nullish();
const nullishNumber = z.number().nullish();

/** One line of a transcript `projects/<enc>/<sessionId>.jsonl` or `agent-*.jsonl`. */
export const ClaudeLine = z.looseObject({
  /** Line discriminator: user, assistant, system, summary, progress, attachment, … */
  type: z.string(),
  /** Id of this line; copied unchanged by resume, compaction re-appends and forks. */
  uuid: nullishText,
  /** Session the line belongs to (in sub-agent files: the parent session). */
  sessionId: nullishText,
  /** Parent line (DAG edge); used here only to group inline sidechain threads. */
  parentUuid: nullishText,
  /** ISO-8601 UTC write time; absent on summary, title and mode lines. */
  timestamp: z.unknown().optional(),
  /** Working directory when the line was written: the session's workspace. */
  cwd: nullishText,
  /** Claude Code version that wrote the line; files mix versions after an update and a resume. */
  version: nullishText,
  /** What started the session: `cli`, `sdk-cli`, `claude-desktop`, … (2.1.78+). */
  entrypoint: nullishText,
  /** True on sub-agent (Task, compaction, side-question) lines. */
  isSidechain: nullishBoolean,
  /** Sub-agent id on sidechain lines (2.0.74+). */
  agentId: nullishText,
  /** Harness-injected user line (command expansion, caveat, skill banner). */
  isMeta: nullishBoolean,
  /** User line carrying a compaction summary. */
  isCompactSummary: nullishBoolean,
  /** API request id on API-backed assistant lines; with message.id it keys a response. */
  requestId: nullishText,
  /** Anthropic message (assistant: the API response; user: role + content). */
  message: z.unknown().optional(),
  /** Structured result of the tool on tool-result user lines (object or string). */
  toolUseResult: z.unknown().optional(),
  /** tool_use id the result line answers (2.1.38+). */
  sourceToolUseID: nullishText,
  /** Synthetic error assistant line (`model:"<synthetic>"`). */
  isApiErrorMessage: nullishBoolean,
  /** Error code of a synthetic assistant line, e.g. `authentication_failed`. */
  error: z.unknown().optional(),
  /** HTTP status of the failed request, on synthetic error lines (2.1.x). */
  apiErrorStatus: nullishNumber,
  /** Subtype of a `system` line: compact_boundary, local_command, api_error, turn_duration, … */
  subtype: nullishText,
  /** Text of a `system` line. */
  content: z.unknown().optional(),
  /** `summary` line: session title for the resume list. */
  summary: nullishText,
  /** `custom-title` line: title set by the user. */
  customTitle: nullishText,
  /** `ai-title` line: generated title. */
  aiTitle: nullishText,
  /** `last-prompt` line: the last prompt, used as a title fallback. */
  lastPrompt: nullishText,
});
export type ClaudeLine = z.infer<typeof ClaudeLine>;

/** `message.usage` of an assistant line: a snapshot copied onto every line of one response. */
export const ClaudeUsage = z.looseObject({
  /** Input tokens not served from cache (Anthropic semantics). */
  input_tokens: nullishNumber,
  /** Output tokens so far (partial on early lines of a response). */
  output_tokens: nullishNumber,
  /** Input tokens read from the prompt cache. */
  cache_read_input_tokens: nullishNumber,
  /** Input tokens written to the prompt cache. */
  cache_creation_input_tokens: nullishNumber,
  /** The cache writes by lifetime (1.0.98+): 5-minute and 1-hour writes are priced apart. */
  cache_creation: z
    .looseObject({ ephemeral_5m_input_tokens: nullishNumber, ephemeral_1h_input_tokens: nullishNumber })
    .nullish()
    .catch(null),
  /**
   * Per sampling step of the request (2.1.x): `message` steps add up to the counts above; a
   * server-side `compaction` step is billed on top of them and not in them.
   */
  iterations: z
    .array(
      z.looseObject({
        /** `message`, `compaction`, … */
        type: nullishText,
        input_tokens: nullishNumber,
        output_tokens: nullishNumber,
        cache_read_input_tokens: nullishNumber,
        cache_creation_input_tokens: nullishNumber,
        cache_creation: z.looseObject({ ephemeral_1h_input_tokens: nullishNumber }).nullish().catch(null),
      }),
    )
    .nullish()
    .catch(null),
});
export type ClaudeUsage = z.infer<typeof ClaudeUsage>;

/** `message` of an assistant line: one API response, one content block per line. */
export const ClaudeAssistantMessage = z.looseObject({
  /** Response id (`msg_…`; a UUID on synthetic lines), shared by the split lines. */
  id: nullishText,
  /** Model that answered; `<synthetic>` for harness-made error lines. */
  model: nullishText,
  /** Content blocks (text, thinking, tool_use, …), narrowed by hand. */
  content: z.unknown().optional(),
  /** Token usage snapshot. */
  usage: ClaudeUsage.nullish().catch(null),
});
export type ClaudeAssistantMessage = z.infer<typeof ClaudeAssistantMessage>;

/** `message` of a user line: a string prompt or an array of blocks (text, image, tool_result). */
export const ClaudeUserMessage = z.looseObject({
  /** String or block array, narrowed by hand. */
  content: z.unknown().optional(),
});

/** The retry fields of a `system/api_error` line. */
export const ClaudeApiError = z.looseObject({
  /** `{status?, message?, formatted?, connection?: {code}}`; a string on some builds. */
  error: z.unknown().optional(),
  /** Older builds: the error as text. */
  cause: z.unknown().optional(),
  /** Delay before the next attempt, in ms, as recorded (may be fractional). */
  retryInMs: nullishNumber,
  /** This attempt's number (1-based). */
  retryAttempt: nullishNumber,
  /** Attempts allowed in all. */
  maxRetries: nullishNumber,
});
export type ClaudeApiError = z.infer<typeof ClaudeApiError>;

/** One line of `subagents/workflows/<runId>/journal.jsonl` (2.1.170+; no time, no session id). */
export const ClaudeJournalLine = z.looseObject({
  /** `launched`, `started`, `result`, `failed`. */
  type: z.string(),
  /** The workflow agent (its transcript is `agent-<agentId>.jsonl` beside the journal). */
  agentId: nullishText,
  /** The label the workflow script gave the agent, e.g. `verify:C1`. */
  label: nullishText,
  /** The script's phase the agent ran in. */
  phase: nullishText,
});
export type ClaudeJournalLine = z.infer<typeof ClaudeJournalLine>;

/** `subagents/agent-<id>.meta.json` sidecar (2.1.81+). */
export const ClaudeAgentMeta = z.looseObject({
  /** Sub-agent type, e.g. `general-purpose`. */
  agentType: nullishText,
  /** Task description given by the parent. */
  description: nullishText,
  /** Parent sub-agent id when a sub-agent spawned this one (newer builds). */
  parentAgentId: nullishText,
});
export type ClaudeAgentMeta = z.infer<typeof ClaudeAgentMeta>;

/** `settings.json` in the Claude home. */
export const ClaudeSettings = z.looseObject({
  /** Days after which Claude Code deletes transcripts on startup (default 30). */
  cleanupPeriodDays: z.number().nonnegative().optional().catch(undefined),
});
