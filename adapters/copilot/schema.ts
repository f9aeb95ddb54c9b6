/**
 * The native records of GitHub Copilot CLI, as far as the importer reads them. Lenient: unknown
 * keys are ignored, not rejected (new keys arrive every few releases), almost every field is optional, and big
 * nested payloads are `unknown`, narrowed by hand where they are used.
 */
import { z } from 'zod';

const optionalText = z.string().optional();
const optionalBoolean = z.boolean().optional();
const optionalNumber = z.number().optional();

/** Fields tool requests and tool starts share for MCP tools. */
const mcpFields = {
  /** MCP server providing the tool, for MCP tools. */
  mcpServerName: optionalText,
  /** Tool name on the MCP server. */
  mcpToolName: optionalText,
};

/** Envelope of every line of `session-state/<id>.jsonl` and `session-state/<id>/events.jsonl`. */
export const EventLine = z.object({
  /** Event discriminator, e.g. `session.start`, `user.message`. */
  type: z.string(),
  /** Type-specific payload. */
  data: z.unknown().optional(),
  /** Event id (a UUID, or a short id in hand-written files). */
  id: optionalText,
  /** ISO-8601 time the event was emitted. */
  timestamp: z.unknown().optional(),
  /** Id of the preceding event; may point at an event that is not in the file. */
  parentId: z.string().nullable().optional(),
  /** True for streaming/UI events that are never meant to be persisted. */
  ephemeral: optionalBoolean,
  /** Sub-agent instance id; absent for the main agent. */
  agentId: optionalText,
});
export type EventLine = z.infer<typeof EventLine>;

/** `session.start.data` and `session.resume.data` (the fields read). */
export const SessionStartData = z.object({
  /** Native session id. */
  sessionId: optionalText,
  /** CLI version that wrote the segment, e.g. `0.0.354`, `1.0.34`. */
  copilotVersion: optionalText,
  /** Start of the session (`session.start`). */
  startTime: z.unknown().optional(),
  /** Model chosen at start or resume. */
  selectedModel: optionalText,
  /** Where the session ran; absent before about 0.0.36x. */
  context: z
    .looseObject({
      /** Working directory. */
      cwd: optionalText,
      /** Root of the git repository containing cwd. */
      gitRoot: optionalText,
    })
    .optional(),
});

/** `session.model_change.data`. */
export const ModelChangeData = z.object({
  /** Model in use before the change. */
  previousModel: optionalText,
  /** Model in use after the change. */
  newModel: optionalText,
});

/** `session.info.data` / `session.warning.data`. */
export const InfoData = z.object({
  /** `session.info`: `folder_trust`, `authentication`, `mcp`, `model`, … */
  infoType: optionalText,
  /** `session.warning`: `policy`, `token_budget`, … */
  warningType: optionalText,
  /** Human-readable text. */
  message: optionalText,
});

/** `session.error.data`. */
export const ErrorData = z.object({
  /** Error category. */
  errorType: optionalText,
  /** Human-readable text. */
  message: optionalText,
});

/** `user.message.data`. */
export const UserMessageData = z.object({
  /** What the user typed; `""` for autopilot continuations. */
  content: z.string().optional(),
  /** What was sent to the model (typed text plus injected context). */
  transformedContent: optionalText,
  /** `interactive`, `plan`, `autopilot`, `shell`. */
  agentMode: optionalText,
  /** True when the harness, not the user, continued an autopilot run. */
  isAutopilotContinuation: optionalBoolean,
  /** Files, selections, … attached to the prompt. */
  attachments: z.unknown().optional(),
});

/** One entry of `assistant.message.data.toolRequests`. */
export const ToolRequest = z.object({
  /** Joins the request to its execution events. */
  toolCallId: z.string(),
  /** Tool name as the model called it. */
  name: z.string(),
  /** Object in real files; the schema allows any JSON value, so also a JSON string. */
  arguments: z.unknown().optional(),
  ...mcpFields,
});

/** `assistant.message.data`. */
export const AssistantMessageData = z.object({
  /** Message id (shared by the chunks of one message from 1.0.79). */
  messageId: optionalText,
  /** Text of the message; `""` when the turn only calls tools. */
  content: z.string().optional(),
  /** Tool calls requested by this message. */
  toolRequests: z.array(z.unknown()).optional(),
  /** Visible reasoning summary. */
  reasoningText: optionalText,
  /** Model that wrote the message, when recorded. */
  model: optionalText,
});

/** `assistant.reasoning.data`. */
export const ReasoningData = z.object({
  /** Reasoning block id. */
  reasoningId: optionalText,
  /** Reasoning text. */
  content: optionalText,
});

/** `tool.execution_start.data`. */
export const ToolStartData = z.object({
  /** Joins the execution to its request and completion. */
  toolCallId: z.string(),
  /** Tool name. */
  toolName: z.string(),
  /** Tool arguments (object or JSON string). */
  arguments: z.unknown().optional(),
  ...mcpFields,
});

/** `tool.execution_complete.data`. The tool name is not repeated here. */
export const ToolCompleteData = z.object({
  /** Joins the completion to its call. */
  toolCallId: z.string(),
  /** Whether the tool succeeded. */
  success: optionalBoolean,
  /** `{content, detailedContent?, contents?[]}`; `content` is what the model saw. */
  result: z.unknown().optional(),
  /** `{message, code?}` when the tool failed. */
  error: z.unknown().optional(),
});

const tokenCount = z.looseObject({ /** Tokens of this kind. */ tokenCount: optionalNumber }).optional();

/**
 * `tokenDetails` (1.0.5x+), per model and for the whole segment: the four disjoint parts of the
 * tokens, `input` being the prompt tokens neither read from nor written to the cache.
 */
export const TokenDetails = z.looseObject({
  /** Uncached prompt tokens. */
  input: tokenCount,
  /** Prompt tokens read from the cache. */
  cache_read: tokenCount,
  /** Prompt tokens written to the cache. */
  cache_write: tokenCount,
  /** Completion tokens, reasoning included. */
  output: tokenCount,
});
export type TokenDetails = z.infer<typeof TokenDetails>;

/** One model's entry in `session.shutdown.data.modelMetrics`. */
export const ModelMetric = z.object({
  /** `{count, cost}`: API requests and premium requests (not money). */
  requests: z.unknown().optional(),
  /** Token counts of the segment for this model. */
  usage: z
    .looseObject({
      /** Prompt tokens, cache reads and cache writes included. */
      inputTokens: optionalNumber,
      /** Completion tokens, reasoning included. */
      outputTokens: optionalNumber,
      /** Prompt tokens served from cache. */
      cacheReadTokens: optionalNumber,
      /** Prompt tokens written to cache. */
      cacheWriteTokens: optionalNumber,
      /** Reasoning tokens (already inside outputTokens). */
      reasoningTokens: optionalNumber,
    })
    .optional(),
  /** The same tokens in disjoint parts (1.0.5x+). */
  tokenDetails: TokenDetails.optional(),
});
export type ModelMetric = z.infer<typeof ModelMetric>;

/** `session.shutdown.data` (one per start/resume segment). */
export const ShutdownData = z.object({
  /** `routine` or `error`. */
  shutdownType: optionalText,
  /** Why the segment ended in error. */
  errorReason: optionalText,
  /** Per-model totals of the segment (persisted since 0.0.422). */
  modelMetrics: z.record(z.string(), z.unknown()).optional(),
  /** Totals of the segment over all models, in disjoint parts (1.0.5x+); checked, not imported. */
  tokenDetails: z.unknown().optional(),
});

/** `history-session-state/session_<id>_<ms>.json` (up to 0.0.341). */
export const LegacySession = z.object({
  /** Native session id. */
  sessionId: optionalText,
  /** ISO time the session started. */
  startTime: z.unknown().optional(),
  /** The LLM context, OpenAI chat-completions messages; may be empty. */
  chatMessages: z.array(z.unknown()).optional(),
  /** The UI transcript, with times. */
  timeline: z.array(z.unknown()).optional(),
});

/** One entry of legacy `chatMessages`. */
export const LegacyChatMessage = z.object({
  /** `user`, `assistant`, `tool`, `system`. */
  role: z.string(),
  /** Text; null on assistant messages that only call tools. */
  content: z.unknown().optional(),
  /** OpenAI tool calls `{id, type, function{name, arguments (JSON string)}}`. */
  tool_calls: z.array(z.unknown()).optional(),
  /** On `tool` messages: the call answered. */
  tool_call_id: optionalText,
});

/** One entry of legacy `chatMessages[].tool_calls`. */
export const LegacyToolCall = z.object({
  /** Call id (shared with the timeline's `callId`). */
  id: z.string(),
  /** `{name, arguments}`; arguments is a JSON string. */
  function: z.object({ name: z.string(), arguments: z.unknown().optional() }),
});

/** One entry of legacy `timeline`. */
export const LegacyTimelineEntry = z.object({
  /** `info`, `user`, `copilot`, `tool_call_completed`, … */
  type: z.string(),
  /** Entry id. */
  id: optionalText,
  /** ISO time of the entry. */
  timestamp: z.unknown().optional(),
  /** Text of `info`, `user`, `copilot` entries. */
  text: optionalText,
  /** `tool_call_completed`: call id. */
  callId: optionalText,
  /** `tool_call_completed`: tool name. */
  name: optionalText,
  /** `tool_call_completed`: arguments (an object). */
  arguments: z.unknown().optional(),
  /** `tool_call_completed`: `{type: success|…, log}`. */
  result: z.unknown().optional(),
});

/** `session-state/<id>/workspace.yaml` (the keys read). */
export const WorkspaceYaml = z.object({
  /** Session id. */
  id: z.unknown().optional(),
  /** Working directory. */
  cwd: z.unknown().optional(),
  /** Root of the git repository. */
  git_root: z.unknown().optional(),
  /** Session name (user-given or generated). */
  name: z.unknown().optional(),
  /** Generated summary. */
  summary: z.unknown().optional(),
});
