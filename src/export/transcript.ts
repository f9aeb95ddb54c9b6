/**
 * A session as a transcript for people: Markdown or HTML, from the same list of blocks. Prompts and
 * answers in full, each tool call with its input and its result (long output folded), usage per
 * model call, and the sub-agent sessions it started.
 */
import { subAgentCalls } from '../archive/sub-agents.js';
import type { AgentLogEvent } from '../model/events.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'fields'; fields: [string, string][] }
  | { kind: 'text'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'code'; label: string; text: string; fold: boolean };

type Of<K extends AgentLogEvent['type']> = Extract<AgentLogEvent, { type: K }>;

/** Output longer than this is folded (`<details>`). */
const FOLD_LINES = 20;
const FOLD_CHARS = 2000;

const fold = (text: string) => text.length > FOLD_CHARS || text.split('\n').length > FOLD_LINES;

function tokens(u: {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens?: number | undefined;
  cache_creation_tokens?: number | undefined;
}): string {
  const parts = [`in ${u.input_tokens}`];
  if (u.cache_read_tokens) parts.push(`cache read ${u.cache_read_tokens}`);
  if (u.cache_creation_tokens) parts.push(`cache write ${u.cache_creation_tokens}`);
  parts.push(`out ${u.output_tokens}`);
  return parts.join(' · ');
}

function inputText(input: unknown): string {
  return typeof input === 'string' ? input : JSON.stringify(input, null, 2);
}

export interface TranscriptSession {
  id: string;
  provider: string;
  entry: SessionLogIndexEntry | null;
  /** The sessions it started, with their index entries. */
  subAgents: SessionLogIndexEntry[];
}

/** The title (the provider's, else the first typed prompt) and the session's fields. */
function headerBlocks(s: TranscriptSession, events: readonly AgentLogEvent[]): Block[] {
  const e = s.entry;
  const prompt = events.find((ev): ev is Of<'user_message'> => ev.type === 'user_message' && ev.role === 'user');
  const fields: [string, string][] = [
    ['session', s.id],
    ['provider', s.provider],
  ];
  if (e) {
    if (e.workspace_path) fields.push(['project', e.workspace_path]);
    if (e.model) fields.push(['model', e.model]);
    fields.push(['time', `${e.started_at} → ${e.ended_at ?? e.started_at}`]);
    if (e.parent_session_id) fields.push(['parent', e.parent_session_id]);
    if (e.usage.calls > 0)
      fields.push(['usage', `${tokens(e.usage)} over ${e.usage.calls} model call${e.usage.calls === 1 ? '' : 's'}`]);
  }
  for (const a of s.subAgents)
    fields.push([
      'sub-agent',
      `${a.wrapper_session_id}${a.title ? `: ${a.title.split('\n')[0]!.trim()}` : ''} (${tokens(a.usage)})`,
    ]);
  return [
    { kind: 'heading', level: 1, text: (e?.title ?? prompt?.content)?.split('\n')[0]?.trim() || s.id },
    { kind: 'fields', fields },
  ];
}

/** What the event blocks look up: sub-agents by the seq of the call that started them, results by tool id. */
interface Context {
  started: ReturnType<typeof subAgentCalls>;
  results: Map<string, Of<'tool_result'>>;
  /** Tool ids that have a call: their results are shown with it. */
  called: Set<string>;
}

function resultBlock(r: Of<'tool_result'>): Block {
  const text = [r.output, r.error && `error: ${r.error}`].filter(Boolean).join('\n');
  const status = r.error !== undefined || r.success === false ? 'failed' : 'result';
  if (text === '') return { kind: 'note', text: `${status}: no output` };
  return { kind: 'code', label: `${status}${r.tool_name ? ` of ${r.tool_name}` : ''}`, text, fold: fold(text) };
}

/** A tool call: its heading, the sub-agent it started, its input and its result. */
function toolCallBlocks(t: Of<'tool_call'>, ctx: Context): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 3, text: `Tool: ${t.tool_name} · ${t.ts}` }];
  const child = ctx.started.get(t.seq);
  if (child)
    blocks.push({
      kind: 'note',
      text: `started sub-agent ${child.wrapper_session_id} (import-logs export ${child.wrapper_session_id})`,
    });
  if (t.input !== undefined) {
    const text = inputText(t.input);
    blocks.push({ kind: 'code', label: 'input', text, fold: fold(text) });
  }
  const r = t.tool_id === undefined ? undefined : ctx.results.get(t.tool_id);
  if (r) blocks.push(resultBlock(r));
  return blocks;
}

/** The blocks of one event, one case after another; events a reader does not need give none. */
function eventBlocks(ev: AgentLogEvent, ctx: Context): Block[] {
  switch (ev.type) {
    case 'user_message':
      // Text the harness injected (instructions, context) is folded away under its role.
      return ev.role !== 'user'
        ? [{ kind: 'code', label: ev.role, text: ev.content, fold: true }]
        : [
            { kind: 'heading', level: 2, text: `Prompt · ${ev.ts}` },
            { kind: 'text', text: ev.content },
          ];
    case 'assistant_message':
      return [
        { kind: 'heading', level: 3, text: `Answer · ${ev.ts}` },
        { kind: 'text', text: ev.content },
      ];
    case 'reasoning':
      return [{ kind: 'code', label: 'thinking', text: ev.content, fold: true }];
    case 'tool_call':
      return toolCallBlocks(ev, ctx);
    case 'tool_result':
      // Shown with its call; a result without a call stands alone.
      return ev.tool_id === undefined || !ctx.called.has(ev.tool_id) ? [resultBlock(ev)] : [];
    case 'usage':
      return [{ kind: 'note', text: `usage: ${tokens(ev)}${ev.model ? ` · ${ev.model}` : ''}` }];
    case 'session_result':
      return [{ kind: 'note', text: `result: ${ev.result}` }];
    case 'session_ended':
      return [
        { kind: 'note', text: `session ended${ev.success ? '' : `: failed${ev.error ? ` (${ev.error})` : ''}`}` },
      ];
    default:
      return [];
  }
}

export function transcriptBlocks(s: TranscriptSession, events: readonly AgentLogEvent[]): Block[] {
  const ctx: Context = { started: subAgentCalls(events, s.subAgents), results: new Map(), called: new Set() };
  for (const ev of events) {
    if (ev.type === 'tool_result' && ev.tool_id !== undefined) ctx.results.set(ev.tool_id, ev);
    if (ev.type === 'tool_call' && ev.tool_id !== undefined) ctx.called.add(ev.tool_id);
  }
  return [...headerBlocks(s, events), ...events.flatMap((ev) => eventBlocks(ev, ctx))];
}

/** A fence longer than any run of backticks in the text, so that the text cannot close it. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

export function toMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${b.text}`);
        break;
      case 'fields':
        out.push(b.fields.map(([k, v]) => `- **${k}**: ${v}`).join('\n'));
        break;
      case 'text':
        out.push(b.text);
        break;
      case 'note':
        out.push(`_${b.text}_`);
        break;
      case 'code': {
        const f = fence(b.text);
        const code = `${f}\n${b.text}\n${f}`;
        out.push(
          b.fold
            ? `<details><summary>${b.label} (${b.text.split('\n').length} lines)</summary>\n\n${code}\n\n</details>`
            : `${b.label}:\n\n${code}`,
        );
        break;
      }
    }
  }
  return `${out.join('\n\n')}\n`;
}

export function toHtml(blocks: readonly Block[]): string {
  const title = blocks.find((b) => b.kind === 'heading')?.text ?? '';
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`<h${b.level}>${escapeHtml(b.text)}</h${b.level}>`);
        break;
      case 'fields':
        out.push(`<dl>${b.fields.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`);
        break;
      case 'text':
        out.push(`<div class="text">${escapeHtml(b.text)}</div>`);
        break;
      case 'note':
        out.push(`<p class="note">${escapeHtml(b.text)}</p>`);
        break;
      case 'code': {
        const pre = `<pre>${escapeHtml(b.text)}</pre>`;
        out.push(
          b.fold
            ? `<details><summary>${escapeHtml(b.label)} (${b.text.split('\n').length} lines)</summary>${pre}</details>`
            : `<p class="label">${escapeHtml(b.label)}</p>${pre}`,
        );
        break;
      }
    }
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
.text { white-space: pre-wrap; }
pre { white-space: pre-wrap; background: #f5f5f5; padding: 0.5rem; overflow-x: auto; }
.note, .label { color: #666; font-size: 0.9em; }
dt { font-weight: bold; float: left; clear: left; width: 6rem; }
dd { margin-left: 7rem; }
</style>
</head>
<body>
${out.join('\n')}
</body>
</html>
`;
}
