/** One line per normalized event, for people (`import-logs show`). */
import type { AgentLogEvent } from '../model/events.js';
import { groupDigits, oneLine } from './text.js';

export interface ToolOutcome {
  hasCall: boolean;
  hasResult: boolean;
  success: boolean | undefined;
  error: string | undefined;
}

/** What the tool results of a session said, by tool_id (read in a first pass). */
export type Outcomes = Map<string, ToolOutcome>;

type Of<K extends AgentLogEvent['type']> = Extract<AgentLogEvent, { type: K }>;

/** Keys whose value best says what a tool call did, in order of preference. */
const INPUT_KEYS = [
  'command',
  'cmd',
  'file_path',
  'filePath',
  'path',
  'absolute_path',
  'pattern',
  'query',
  'url',
  'description',
  'prompt',
];

function toolInputSummary(input: unknown): string {
  if (input === undefined || input === null) return '';
  if (typeof input === 'string') return input;
  if (typeof input === 'object' && !Array.isArray(input)) {
    const record = input as Record<string, unknown>;
    for (const key of INPUT_KEYS) {
      const value = record[key];
      if (typeof value === 'string' && value !== '') return value;
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(' ');
    }
  }
  return JSON.stringify(input);
}

/** Notes what one event tells about its tool call (first pass over a session). */
export function noteOutcome(outcomes: Outcomes, e: AgentLogEvent): void {
  if ((e.type !== 'tool_call' && e.type !== 'tool_result') || e.tool_id === undefined) return;
  let o = outcomes.get(e.tool_id);
  if (!o) outcomes.set(e.tool_id, (o = { hasCall: false, hasResult: false, success: undefined, error: undefined }));
  if (e.type === 'tool_call') {
    o.hasCall = true;
    return;
  }
  o.hasResult = true;
  o.success = e.success;
  o.error = e.error;
}

function status(outcome: Pick<ToolOutcome, 'hasResult' | 'success' | 'error'> | undefined): string {
  if (outcome === undefined || !outcome.hasResult) return '[no result]';
  if (outcome.success === false || outcome.error !== undefined) return '[failed]';
  return outcome.success === true ? '[ok]' : '[done]';
}

export function usageSummary(u: {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens?: number | undefined;
  cache_creation_tokens?: number | undefined;
  cache_creation_1h_tokens?: number | undefined;
}): string {
  // `in` counts as list's IN does: all input not read from cache, cache writes included.
  const written = u.cache_creation_tokens ?? 0;
  const hour = u.cache_creation_1h_tokens ? `, 1 h ${groupDigits(u.cache_creation_1h_tokens)}` : '';
  const parts = [
    `in ${groupDigits(u.input_tokens + written)}${written ? ` (cache write ${groupDigits(written)}${hour})` : ''}`,
  ];
  if (u.cache_read_tokens) parts.push(`cache read ${groupDigits(u.cache_read_tokens)}`);
  parts.push(`out ${groupDigits(u.output_tokens)}`);
  return parts.join(' · ');
}

export const LABEL_WIDTH = 10;

function startText(s: Of<'session_started'>): string {
  const parts = [s.model && `model ${s.model}`, s.cwd && `in ${s.cwd}`, s.resumed && 'resumed'];
  return parts.filter(Boolean).join(' · ') || 'no model or workspace recorded';
}

function toolCallText(t: Of<'tool_call'>, outcomes: Outcomes): string {
  const outcome = t.tool_id === undefined ? undefined : outcomes.get(t.tool_id);
  const detail = toolInputSummary(t.input);
  const error = outcome?.error === undefined ? '' : ` → ${outcome.error}`;
  return `${status(outcome)} ${t.tool_name}${detail ? `: ${detail}` : ''}${error}`;
}

/** A result without a call gets a line of its own (null: it is shown with its call). */
function toolResultText(r: Of<'tool_result'>, outcomes: Outcomes): string | null {
  if (r.tool_id !== undefined && outcomes.get(r.tool_id)?.hasCall) return null;
  const outcome = { hasResult: true, success: r.success, error: r.error };
  return `${status(outcome)} ${r.tool_name ?? 'tool'}${r.error ? `: ${r.error}` : r.output ? `: ${r.output}` : ''}`;
}

function usageText(u: Of<'usage'>): string {
  const cost = u.total_cost_usd !== undefined ? ` · $${u.total_cost_usd.toFixed(4)}` : '';
  return `${usageSummary(u)}${u.model ? ` · ${u.model}` : ''}${cost}`;
}

/** `[label, text]` for an event, or null for an event folded into another line. */
export function describeEvent(e: AgentLogEvent, outcomes: Outcomes): [string, string] | null {
  switch (e.type) {
    case 'session_started':
      return ['start', startText(e)];
    case 'user_message':
      return ['user', e.role === 'user' ? e.content : `(${e.role}) ${e.content}`];
    case 'assistant_message':
      return ['assistant', e.content];
    case 'reasoning':
      return ['thinking', e.content];
    case 'tool_call':
      return ['tool', toolCallText(e, outcomes)];
    case 'tool_result': {
      const text = toolResultText(e, outcomes);
      return text === null ? null : ['result', text];
    }
    case 'usage':
      return ['usage', usageText(e)];
    case 'permission':
      return ['permission', `${e.granted ? 'granted' : 'denied'} ${e.tool_name}: ${e.description}`];
    case 'provider_status':
      return ['status', e.message];
    case 'stderr':
      return ['stderr', e.message];
    case 'parse_warning':
      return ['warning', e.message];
    case 'session_cleared':
      return ['cleared', ''];
    case 'session_ended':
      return ['end', e.success ? 'ok' : `failed${e.error ? `: ${e.error}` : ''}`];
    case 'session_result':
      return ['result', e.result];
    case 'heartbeat':
      return ['heartbeat', ''];
    case 'user_event':
      return ['event', `${e.level}: ${e.message}`];
    case 'usage_limit_hit':
      return ['limit', `hit (${e.scope})${e.reset_at ? `, resets ${e.reset_at}` : ''}`];
    case 'usage_limit_resumed':
      return ['limit', `resumed: ${e.resume_message}`];
    case 'usage_limit_resume_failed':
      return ['limit', `resume failed: ${e.error}`];
    default:
      return [String((e as { type: unknown }).type), ''];
  }
}

/** The text after the time column, cut to `width` characters; null when folded away. */
export function eventLine(e: AgentLogEvent, outcomes: Outcomes, width: number): string | null {
  const d = describeEvent(e, outcomes);
  if (d === null) return null;
  const [label, text] = d;
  return `${label.padEnd(LABEL_WIDTH)}${oneLine(text, Math.max(10, width - LABEL_WIDTH))}`.trimEnd();
}
