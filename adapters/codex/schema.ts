/**
 * Zod schemas of the Codex CLI native records this adapter reads (formats doc, part B). Lenient:
 * unknown keys are ignored, only the fields we use are declared; big nested content stays `unknown` and is narrowed by
 * hand in convert.ts, so that validating a line costs little next to parsing it.
 */
import { z } from 'zod';

const str = z.string();
const optStr = z.string().nullish();
/** Any JSON value, or absent (narrowed by hand where it is used). */
const any = z.unknown().optional();

/** G2 envelope: one JSONL line of a rollout written by the Rust CLI since 0.3x. */
export const Envelope = z.object({
  /** Write time of the line (UTC); not the time the event happened. */
  timestamp: any,
  /** Rollout item kind: session_meta, response_item, event_msg, turn_context, compacted, … */
  type: str,
  /** The item itself; its shape depends on `type`. */
  payload: any,
});

/** `session_meta` payload (G2) and the envelope-less first line of G1 files. */
export const SessionMeta = z.object({
  /** Thread/session id; the first session_meta of a file names the file's session. */
  id: optStr,
  /** Session start (UTC). */
  timestamp: any,
  /** Working directory of the session (G2). */
  cwd: optStr,
  /** `cli`, `vscode`, `exec`, … or `{subagent: "review" | {thread_spawn: {parent_thread_id}} | …}`. */
  source: any,
  /** Id of the thread a fork was copied from. */
  forked_from_id: optStr,
  /** Parent thread of a sub-agent (2026 builds). */
  parent_thread_id: optStr,
  /** Codex version that wrote the file. */
  cli_version: optStr,
  /** Present in 2026 (G2+) builds: duplicate of `id`. */
  session_id: optStr,
  /** `legacy` / `paginated` (G2+). */
  history_mode: optStr,
  /** `user`, `subagent`, `guardian_review`, … (0.14x); `subagent` marks a spawned child. */
  thread_source: optStr,
});
export type SessionMeta = z.infer<typeof SessionMeta>;

/** `turn_context` payload: per-turn settings. */
export const TurnContext = z.object({
  /** Model of the turn (the only place that names the model). */
  model: optStr,
  /** Working directory of the turn. */
  cwd: optStr,
});

/** A `response_item` payload (a Responses API item), or a bare G1/G0 item. */
export const ResponseItem = z.object({
  /** message, reasoning, function_call, function_call_output, custom_tool_call, … */
  type: optStr,
  /** Message author: user, assistant, developer, system (G0 chat shape: also `tool`). */
  role: optStr,
  /** Message content: array of `{type, text}` items (G0 chat shape: also a string). */
  content: any,
  /** Item id (may be null or empty). */
  id: any,
  /** Tool name of calls. */
  name: optStr,
  /** function_call arguments, a JSON string. */
  arguments: any,
  /** custom_tool_call input, raw text (e.g. a patch). */
  input: any,
  /** Id joining a call to its output. */
  call_id: optStr,
  /** Output of a call: a string (sometimes JSON), an object or a content array. */
  output: any,
  /** Status of calls that carry their own result (web search, image generation). */
  status: optStr,
  /** reasoning: `[{type: "summary_text", text}]`. */
  summary: any,
  /** local_shell_call / web_search_call action. */
  action: any,
  /** tool_search_output: the tools found. */
  tools: any,
  /** G0 chat shape: the assistant's reasoning text. */
  reasoning: any,
  /** reasoning: opaque, not text. */
  encrypted_content: any,
  /** G0 chat shape: calls of an assistant message `[{id, function: {name, arguments}}]`. */
  tool_calls: any,
  /** G0 chat shape: call answered by a `role: "tool"` message. */
  tool_call_id: optStr,
  /** message: `{turn_id, content_item_kinds?: ["user.text", "agents_md.instructions", …]}`, one kind per content item. */
  internal_chat_message_metadata_passthrough: any,
});
export type ResponseItem = z.infer<typeof ResponseItem>;

/** `event_msg` payload: a UI event; only the fields of the kinds we read. */
export const EventMsg = z.object({
  /** Event kind: user_message, token_count, exec_command_end, turn_aborted, … */
  type: str,
  /** user_message text; error message. */
  message: any,
  /** token_count: `{total_token_usage, last_token_usage, model_context_window}` or null. */
  info: any,
  /** exec_command_end / patch_apply_end / mcp_tool_call_end: the call it finishes. */
  call_id: optStr,
  /** exec_command_end exit code. */
  exit_code: any,
  /** exec_command_end / mcp_tool_call_end duration `{secs, nanos}`. */
  duration: any,
  /** patch_apply_end success. */
  success: any,
  /** mcp_tool_call_end result `{Ok: {isError}}` or `{Err}`. */
  result: any,
  /** turn_aborted reason. */
  reason: any,
  /** thread_rolled_back: number of turns dropped. */
  num_turns: any,
  /** thread_name_updated: the thread's name. */
  thread_name: any,
  /** exited_review_mode: the review's findings. */
  review_output: any,
  /** web_search_end: the query as shown, its `action` `{type: search|open_page|find_in_page|other, queries?}` and `results`. */
  query: any,
  action: any,
  results: any,
  /** item_completed: the turn item `{type: UserMessage|AgentMessage|WebSearch|…, id, …}`. */
  item: any,
  /** task_complete: `{message, codex_error_info}` when the turn failed. */
  error: any,
});
export type EventMsg = z.infer<typeof EventMsg>;

/** Token counts of one token_count `info` member (cached ⊂ input, reasoning ⊂ output). */
export const TokenUsage = z.object({
  input_tokens: any,
  cached_input_tokens: any,
  /** 0.14x: cache writes, also part of input_tokens. */
  cache_write_input_tokens: any,
  output_tokens: any,
  reasoning_output_tokens: any,
  total_tokens: any,
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
  message: any,
});

/** G0 (TypeScript CLI) whole-file rollout. */
export const G0Document = z.object({
  /** `{timestamp, id, instructions}`. */
  session: z.object({ id: optStr, timestamp: z.unknown() }),
  /** Responses items, or Chat Completions messages in some variants. */
  items: z.array(z.unknown()),
});

/** One `history.jsonl` line. */
export const HistoryEntry = z.object({
  /** Session the prompt was typed in (`conversation_id` in older builds). */
  session_id: optStr,
  conversation_id: optStr,
  /** Unix seconds. */
  ts: any,
  /** The prompt. */
  text: any,
});
