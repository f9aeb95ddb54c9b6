/**
 * Zod schemas of the Codex CLI native records this adapter reads (formats doc, part B). Lenient:
 * unknown keys are ignored, only the fields we use are declared; big nested content stays `unknown` and is narrowed by
 * hand in convert.ts, so that validating a line costs little next to parsing it.
 */
import { z } from 'zod';

const text = z.string();
const nullishText = z.string().nullish();
/** Any JSON value, or absent (narrowed by hand where it is used). */
const optionalValue = z.unknown().optional();

/** G2 envelope: one JSONL line of a rollout written by the Rust CLI since 0.3x. */
export const Envelope = z.object({
  /** Write time of the line (UTC); not the time the event happened. */
  timestamp: optionalValue,
  /** Rollout item kind: session_meta, response_item, event_msg, turn_context, compacted, … */
  type: text,
  /** The item itself; its shape depends on `type`. */
  payload: optionalValue,
});

/** `session_meta` payload (G2) and the envelope-less first line of G1 files. */
export const SessionMeta = z.object({
  /** Thread/session id; the first session_meta of a file names the file's session. */
  id: nullishText,
  /** Session start (UTC). */
  timestamp: optionalValue,
  /** Working directory of the session (G2). */
  cwd: nullishText,
  /** `cli`, `vscode`, `exec`, … or `{subagent: "review" | {thread_spawn: {parent_thread_id}} | …}`. */
  source: optionalValue,
  /** Id of the thread a fork was copied from. */
  forked_from_id: nullishText,
  /** Parent thread of a sub-agent (2026 builds). */
  parent_thread_id: nullishText,
  /** Codex version that wrote the file. */
  cli_version: nullishText,
  /** Present in 2026 (G2+) builds: duplicate of `id`. */
  session_id: nullishText,
  /** `legacy` / `paginated` (G2+). */
  history_mode: nullishText,
  /** `user`, `subagent`, `guardian_review`, … (0.14x); `subagent` marks a spawned child. */
  thread_source: nullishText,
});
export type SessionMeta = z.infer<typeof SessionMeta>;

/** `turn_context` payload: per-turn settings. */
export const TurnContext = z.object({
  /** Model of the turn (the only place that names the model). */
  model: nullishText,
  /** Working directory of the turn. */
  cwd: nullishText,
});

/** A `response_item` payload (a Responses API item), or a bare G1/G0 item. */
export const ResponseItem = z.object({
  /** message, reasoning, function_call, function_call_output, custom_tool_call, … */
  type: nullishText,
  /** Message author: user, assistant, developer, system (G0 chat shape: also `tool`). */
  role: nullishText,
  /** Message content: array of `{type, text}` items (G0 chat shape: also a string). */
  content: optionalValue,
  /** Item id (may be null or empty). */
  id: optionalValue,
  /** Tool name of calls. */
  name: nullishText,
  /** function_call arguments, a JSON string. */
  arguments: optionalValue,
  /** custom_tool_call input, raw text (e.g. a patch). */
  input: optionalValue,
  /** Id joining a call to its output. */
  call_id: nullishText,
  /** Output of a call: a string (sometimes JSON), an object or a content array. */
  output: optionalValue,
  /** Status of calls that carry their own result (web search, image generation). */
  status: nullishText,
  /** reasoning: `[{type: "summary_text", text}]`. */
  summary: optionalValue,
  /** local_shell_call / web_search_call action. */
  action: optionalValue,
  /** tool_search_output: the tools found. */
  tools: optionalValue,
  /** G0 chat shape: the assistant's reasoning text. */
  reasoning: optionalValue,
  /** reasoning: opaque, not text. */
  encrypted_content: optionalValue,
  /** G0 chat shape: calls of an assistant message `[{id, function: {name, arguments}}]`. */
  tool_calls: optionalValue,
  /** G0 chat shape: call answered by a `role: "tool"` message. */
  tool_call_id: nullishText,
  /** message: `{turn_id, content_item_kinds?: ["user.text", "agents_md.instructions", …]}`, one kind per content item. */
  internal_chat_message_metadata_passthrough: optionalValue,
});
export type ResponseItem = z.infer<typeof ResponseItem>;

/** `event_msg` payload: a UI event; only the fields of the kinds we read. */
export const EventMsg = z.object({
  /** Event kind: user_message, token_count, exec_command_end, turn_aborted, … */
  type: text,
  /** user_message text; error message. */
  message: optionalValue,
  /** token_count: `{total_token_usage, last_token_usage, model_context_window}` or null. */
  info: optionalValue,
  /** exec_command_end / patch_apply_end / mcp_tool_call_end: the call it finishes. */
  call_id: nullishText,
  /** exec_command_end exit code. */
  exit_code: optionalValue,
  /** exec_command_end / mcp_tool_call_end duration `{secs, nanos}`. */
  duration: optionalValue,
  /** patch_apply_end success. */
  success: optionalValue,
  /** mcp_tool_call_end result `{Ok: {isError}}` or `{Err}`. */
  result: optionalValue,
  /** turn_aborted reason. */
  reason: optionalValue,
  /** thread_rolled_back: number of turns dropped. */
  num_turns: optionalValue,
  /** thread_name_updated: the thread's name. */
  thread_name: optionalValue,
  /** exited_review_mode: the review's findings. */
  review_output: optionalValue,
  /** web_search_end: the query as shown, its `action` `{type: search|open_page|find_in_page|other, queries?}` and `results`. */
  query: optionalValue,
  action: optionalValue,
  results: optionalValue,
  /** item_completed: the turn item `{type: UserMessage|AgentMessage|WebSearch|…, id, …}`. */
  item: optionalValue,
  /** task_complete: `{message, codex_error_info}` when the turn failed. */
  error: optionalValue,
});
export type EventMsg = z.infer<typeof EventMsg>;

/** Token counts of one token_count `info` member (cached ⊂ input, reasoning ⊂ output). */
export const TokenUsage = z.object({
  input_tokens: optionalValue,
  cached_input_tokens: optionalValue,
  /** 0.14x: cache writes, also part of input_tokens. */
  cache_write_input_tokens: optionalValue,
  output_tokens: optionalValue,
  reasoning_output_tokens: optionalValue,
  total_tokens: optionalValue,
});
export type TokenUsage = z.infer<typeof TokenUsage>;

/** token_count `info`: cumulative totals of the thread and the last call's counts. */
export const TokenInfo = z.object({
  total_token_usage: TokenUsage.nullish(),
  last_token_usage: TokenUsage.nullish(),
});

/** `compacted` payload: summary that replaced earlier history (replacement_history not read). */
export const Compacted = z.object({
  /** Summary text (may be empty). */
  message: optionalValue,
});

/** G0 (TypeScript CLI) whole-file rollout. */
export const G0Document = z.object({
  /** `{timestamp, id, instructions}`. */
  session: z.object({ id: nullishText, timestamp: z.unknown() }),
  /** Responses items, or Chat Completions messages in some variants. */
  items: z.array(z.unknown()),
});

/** One `history.jsonl` line. */
export const HistoryEntry = z.object({
  /** Session the prompt was typed in (`conversation_id` in older builds). */
  session_id: nullishText,
  conversation_id: nullishText,
  /** Unix seconds. */
  ts: optionalValue,
  /** The prompt. */
  text: optionalValue,
});
