/**
 * Every native record type and sub-type the Codex adapter knows, in one table: those it maps and
 * those it ignores on purpose, with the reason. README "Record types" is this table; anything
 * outside it makes the session `partial` (`unknownRecord()`), so a format change cannot pass
 * silently. Names: the envelope `type`, `response_item:<payload.type>`, `event_msg:<payload.type>`,
 * `event_msg:item_completed:<item.type>`.
 */

/** `map`: converted to events (README "Mapping"); `ignore`: read and dropped, for the reason given. */
export type Handling = readonly ['map' | 'ignore', string];

const map = (what: string): Handling => ['map', what];
const ignore = (why: string): Handling => ['ignore', why];

const REPEAT = 'repeats a response_item';

export const RECORD_TYPES: Readonly<Record<string, Handling>> = {
  session_meta: map('session id, start, cwd, parent, agent version; a later one of another thread starts a replay'),
  turn_context: map('model and cwd of the turn'),
  compacted: map('provider_status `context compacted`'),
  world_state: ignore('snapshot of the injected context, whose text is in the messages'),
  inter_agent_communication_metadata: ignore('routing of inter-agent messages; the messages are response items'),
  token_usage_record: ignore('per-request usage ledger; usage is read from token_count'),
  security_risk_score: ignore('a score, no conversation'),
  retained_context: ignore('context bookkeeping, no conversation'),
  record_type: ignore('G1 `{"record_type":"state"}` marker: where the CLI saved its state'),

  'response_item:message': map('user_message (user, developer, system) or assistant_message'),
  'response_item:chat_message': map(
    'G0 item with a `role` and no `type` (Chat Completions shape): as `message`, plus its tool_calls',
  ),
  'response_item:reasoning': map('reasoning'),
  'response_item:function_call': map('tool_call'),
  'response_item:custom_tool_call': map('tool_call'),
  'response_item:local_shell_call': map('tool_call'),
  'response_item:tool_search_call': map('tool_call'),
  'response_item:function_call_output': map('tool_result'),
  'response_item:custom_tool_call_output': map('tool_result'),
  'response_item:local_shell_call_output': map('tool_result'),
  'response_item:tool_search_output': map('tool_result'),
  'response_item:web_search_call': map('tool_call + tool_result (web)'),
  'response_item:image_generation_call': map('tool_call + tool_result'),
  'response_item:agent_message': map('user_message role `agent`'),
  'response_item:ghost_snapshot': ignore('undo snapshot (a git commit id)'),
  'response_item:additional_tools': ignore('tool list sent to the model'),
  'response_item:compaction': ignore('opaque provider-side compaction'),
  'response_item:context_compaction': ignore('opaque provider-side compaction'),

  'event_msg:user_message': map('user_message, unless the response item gave the same prompt'),
  'event_msg:token_count': map('usage'),
  'event_msg:web_search_end': map('tool_call + tool_result (web), unless its web_search_call is present'),
  'event_msg:exec_command_end': map('folded into its tool_result'),
  'event_msg:patch_apply_end': map('folded into its tool_result'),
  'event_msg:mcp_tool_call_end': map('folded into its tool_result'),
  'event_msg:task_complete': map('provider_status when it carries an error (a failed turn)'),
  'event_msg:turn_complete': map('as task_complete (its alias)'),
  'event_msg:turn_aborted': map('provider_status'),
  'event_msg:error': map('provider_status'),
  'event_msg:thread_rolled_back': map('provider_status'),
  'event_msg:entered_review_mode': map('provider_status'),
  'event_msg:exited_review_mode': map('provider_status with the review output'),
  'event_msg:thread_name_updated': map('title'),
  'event_msg:item_completed:UserMessage': map('user_message, unless the response item gave the same prompt'),
  'event_msg:item_completed:WebSearch': map('as web_search_end'),
  'event_msg:item_completed:Extension': map('as web_search_end when it carries a search `action`'),
  'event_msg:agent_message': ignore(REPEAT),
  'event_msg:agent_reasoning': ignore(REPEAT),
  'event_msg:agent_reasoning_raw_content': ignore(REPEAT),
  'event_msg:agent_reasoning_section_break': ignore('UI marker'),
  'event_msg:task_started': ignore('turn start, no content'),
  'event_msg:turn_started': ignore('turn start, no content'),
  'event_msg:context_compacted': ignore('repeats `compacted`'),
  'event_msg:image_generation_end': ignore(REPEAT),
  'event_msg:thread_goal_updated': ignore('UI goal text'),
  'event_msg:thread_settings_applied': ignore('settings snapshot'),
  'event_msg:sub_agent_activity': ignore('UI progress of a sub-agent (its rollout has the conversation)'),
  'event_msg:collab_agent_spawn_end': ignore('repeats the spawn call; the sub-agent has its own rollout'),
  'event_msg:collab_agent_interaction_end': ignore(REPEAT),
  'event_msg:collab_waiting_end': ignore(REPEAT),
  'event_msg:collab_close_end': ignore(REPEAT),
  'event_msg:guardian_assessment': ignore('approval reviewer verdict, no conversation'),
  'event_msg:view_image_tool_call': ignore(REPEAT),
  'event_msg:dynamic_tool_call_request': ignore(REPEAT),
  'event_msg:dynamic_tool_call_response': ignore(REPEAT),
  'event_msg:undo_completed': ignore('UI notice'),
  'event_msg:item_completed:AgentMessage': ignore(REPEAT),
  'event_msg:item_completed:Reasoning': ignore(REPEAT),
  'event_msg:item_completed:Plan': ignore('the plan is in the assistant message (`<proposed_plan>`)'),
  'event_msg:item_completed:Sleep': ignore('a pause, no content'),
  'event_msg:item_completed:CommandExecution': ignore(REPEAT),
  'event_msg:item_completed:FileChange': ignore(REPEAT),
  'event_msg:item_completed:McpToolCall': ignore(REPEAT),
  'event_msg:item_completed:FunctionCallOutput': ignore(REPEAT),
  'event_msg:item_completed:HookPrompt': ignore(REPEAT),
  'event_msg:item_completed:ImageGeneration': ignore(REPEAT),
  'event_msg:item_completed:ContextCompaction': ignore('repeats `compacted`'),
  'event_msg:item_completed:SubAgentActivity': ignore('UI progress of a sub-agent (its rollout has the conversation)'),
};

const IGNORED = new Set(Object.keys(RECORD_TYPES).filter((name) => RECORD_TYPES[name]![0] === 'ignore'));

/** True for a record the table ignores on purpose. */
export function isIgnored(name: string): boolean {
  return IGNORED.has(name);
}
