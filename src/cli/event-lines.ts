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
  const r = e as Of<'tool_result'>;
  o.hasResult = true;
  o.success = r.success;
  o.error = r.error;
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
}): string {
  // `in` counts as list's IN does: all input not read from cache, cache writes included.
  const written = u.cache_creation_tokens ?? 0;
  const parts = [
    `in ${groupDigits(u.input_tokens + written)}${written ? ` (cache write ${groupDigits(written)})` : ''}`,
  ];
  if (u.cache_read_tokens) parts.push(`cache read ${groupDigits(u.cache_read_tokens)}`);
  parts.push(`out ${groupDigits(u.output_tokens)}`);
  return parts.join(' · ');
}

export const LABEL_WIDTH = 10;

/** `[label, text]` for an event, or null for an event folded into another line. */
export function describeEvent(e: AgentLogEvent, outcomes: Outcomes): [string, string] | null {
  switch (e.type) {
    case 'session_started': {
      const s = e as Of<'session_started'>;
      return [
        'start',
        [s.model && `model ${s.model}`, s.cwd && `in ${s.cwd}`, s.resumed && 'resumed'].filter(Boolean).join(' · ') ||
          'no model or workspace recorded',
      ];
    }
    case 'user_message': {
      const m = e as Of<'user_message'>;
      return ['user', m.role === 'user' ? m.content : `(${m.role}) ${m.content}`];
    }
    case 'assistant_message':
      return ['assistant', (e as Of<'assistant_message'>).content];
    case 'reasoning':
      return ['thinking', (e as Of<'reasoning'>).content];
    case 'tool_call': {
      const t = e as Of<'tool_call'>;
      const outcome = t.tool_id === undefined ? undefined : outcomes.get(t.tool_id);
      const detail = toolInputSummary(t.input);
      const error = outcome?.error === undefined ? '' : ` → ${outcome.error}`;
      return ['tool', `${status(outcome)} ${t.tool_name}${detail ? `: ${detail}` : ''}${error}`];
    }
    case 'tool_result': {
      const r = e as Of<'tool_result'>;
      // Shown with its call; a result without a call gets a line of its own.
      if (r.tool_id !== undefined && outcomes.get(r.tool_id)?.hasCall) return null;
      const outcome = { hasResult: true, success: r.success, error: r.error };
      return [
        'result',
        `${status(outcome)} ${r.tool_name ?? 'tool'}${r.error ? `: ${r.error}` : r.output ? `: ${r.output}` : ''}`,
      ];
    }
    case 'usage': {
      const u = e as Of<'usage'>;
      return [
        'usage',
        `${usageSummary(u)}${u.model ? ` · ${u.model}` : ''}${u.total_cost_usd !== undefined ? ` · $${u.total_cost_usd.toFixed(4)}` : ''}`,
      ];
    }
    case 'permission': {
      const p = e as Of<'permission'>;
      return ['permission', `${p.granted ? 'granted' : 'denied'} ${p.tool_name}: ${p.description}`];
    }
    case 'provider_status':
      return ['status', (e as Of<'provider_status'>).message];
    case 'stderr':
      return ['stderr', (e as Of<'stderr'>).message];
    case 'parse_warning':
      return ['warning', (e as Of<'parse_warning'>).message];
    case 'session_cleared':
      return ['cleared', ''];
    case 'session_ended': {
      const s = e as Of<'session_ended'>;
      return ['end', s.success ? 'ok' : `failed${s.error ? `: ${s.error}` : ''}`];
    }
    case 'session_result':
      return ['result', (e as Of<'session_result'>).result];
    case 'heartbeat':
      return ['heartbeat', ''];
    case 'user_event': {
      const u = e as Of<'user_event'>;
      return ['event', `${u.level}: ${u.message}`];
    }
    case 'usage_limit_hit': {
      const l = e as Of<'usage_limit_hit'>;
      return ['limit', `hit (${l.scope})${l.reset_at ? `, resets ${l.reset_at}` : ''}`];
    }
    case 'usage_limit_resumed':
      return ['limit', `resumed: ${(e as Of<'usage_limit_resumed'>).resume_message}`];
    case 'usage_limit_resume_failed':
      return ['limit', `resume failed: ${(e as Of<'usage_limit_resume_failed'>).error}`];
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
