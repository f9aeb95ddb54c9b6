/** `import-logs show ID-PREFIX`: one session's events for a person, or its raw lines with --json. */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { homedir } from 'node:os';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { findSession, type FoundSession } from '../archive/find-session.js';
import { readLogsIndex } from '../archive/read.js';
import { subAgentCalls } from '../archive/sub-agents.js';
import { CliError, EXIT, FailedError, UsageError, errorMessage } from '../errors.js';
import { readLines } from '../io/lines.js';
import { resolveLocations } from '../importer/locations.js';
import type { AgentLogEvent } from '../model/events.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import { LABEL_WIDTH, describeEvent, eventLine, noteOutcome, usageSummary, type Outcomes } from './event-lines.js';
import { useColour } from './terminal.js';
import {
  columns,
  groupDigits,
  humanDuration,
  localDate,
  localDateTime,
  localTime,
  oneLine,
  safeLines,
  tildePath,
} from './text.js';

export interface ShowArgs {
  id?: string | undefined;
  root?: string | undefined;
  store?: string | undefined;
  out?: string | undefined;
  json: boolean;
  full: boolean;
  only?: string[] | undefined;
}

const MAX_CANDIDATES = 20;

/** The kinds of line `--only` picks (the label `show` prints). */
const SHOW_LABELS = [
  'user',
  'assistant',
  'thinking',
  'tool',
  'result',
  'usage',
  'start',
  'end',
  'status',
  'permission',
  'stderr',
  'warning',
  'limit',
  'event',
];

const COLOURS: Record<string, string> = {
  user: '1;36',
  assistant: '32',
  thinking: '2',
  tool: '33',
  result: '33',
  usage: '2',
  warning: '31',
  stderr: '31',
};
const paint = (code: string | undefined, text: string) =>
  code === undefined ? text : `\u001b[${code}m${text}\u001b[0m`;

interface RenderOptions {
  width: number;
  full: boolean;
  only: Set<string> | null;
  colour: boolean;
}

async function* events(file: string): AsyncGenerator<AgentLogEvent> {
  for (const line of readLines(file)) {
    try {
      yield JSON.parse(line.bytes.toString('utf8')) as AgentLogEvent;
    } catch {
      throw new FailedError(`${file}:${line.lineNo} is not a JSON line; re-import with \`import-logs --force\``);
    }
  }
}

function header(s: FoundSession, children: readonly SessionLogIndexEntry[], home: string): string[] {
  const e = s.entry;
  const lines = [`${s.id}  (${s.provider}${e ? `, ${e.completeness}` : ''})`];
  if (e === null) return [...lines, `file:     ${tildePath(s.file, home)}`];
  const field = (name: string, value: string | null) => {
    if (value !== null && value !== '') lines.push(`${(name === '' ? '' : `${name}:`).padEnd(10)}${value}`);
  };
  field('title', e.title && oneLine(e.title, 100));
  field('project', e.workspace_path && tildePath(e.workspace_path, home));
  field('model', e.model);
  const ended = e.ended_at ?? e.started_at;
  const sameDay = localDate(ended) === localDate(e.started_at);
  field(
    'time',
    `${localDateTime(e.started_at)} → ${sameDay ? localDateTime(ended).slice(11) : localDateTime(ended)} (${humanDuration(Date.parse(ended) - Date.parse(e.started_at))})`,
  );
  field('parent', e.parent_session_id);
  field('tags', e.tags.join(', '));
  field('reasons', e.completeness_reasons.join('; '));
  field('format', `${e.format} (adapter v${e.adapter_version})${e.source_missing ? ', native source deleted' : ''}`);
  children.forEach((c, i) =>
    field(
      i === 0 ? 'agents' : '',
      `${c.wrapper_session_id}  ${c.title ? `${oneLine(c.title, 50)}  ` : ''}(${c.usage.calls > 0 ? usageSummary(c.usage) : 'no usage'})`,
    ),
  );
  e.source_paths.forEach((p, i) => field(i === 0 ? 'source' : '', tildePath(p, home)));
  field('file', tildePath(s.file, home));
  return lines;
}

/** A sub-agent id as the rest of its parent's: `…-agent-a91c7987` under `claude-983c6d70-…`. */
function childId(parent: string): (id: string) => string {
  return (id) => (id.startsWith(parent) ? `…${id.slice(parent.length)}` : id);
}

async function render(s: FoundSession, out: Writable, opts: RenderOptions): Promise<void> {
  const home = homedir();
  const outcomes: Outcomes = new Map();
  const all: AgentLogEvent[] = [];
  const output = new Map<string, string>();
  for await (const e of events(s.file)) {
    noteOutcome(outcomes, e);
    if (e.type === 'tool_result' && e.tool_id !== undefined && e.output) output.set(e.tool_id, e.output);
    all.push(e);
  }
  const children = ((await readLogsIndex(s.logsDir)) ?? []).filter((c) => c.parent_session_id === s.id);
  const started = subAgentCalls(all, children);
  const short = childId(s.id);

  let text = `${header(s, children, home).join('\n')}\n`;
  const indent = ' '.repeat(10 + LABEL_WIDTH);
  let day = '';
  const usage = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_creation_tokens: 0,
    cache_creation_1h_tokens: 0,
    calls: 0,
  };
  for (const e of all) {
    if (e.type === 'usage') {
      usage.calls++;
      usage.input_tokens += e.input_tokens;
      usage.output_tokens += e.output_tokens;
      usage.cache_read_tokens += e.cache_read_tokens ?? 0;
      usage.cache_creation_tokens += e.cache_creation_tokens ?? 0;
      usage.cache_creation_1h_tokens += e.cache_creation_1h_tokens ?? 0;
    }
    const d = describeEvent(e, outcomes);
    if (d === null || (opts.only !== null && !opts.only.has(d[0]))) continue;
    const child = started.get(e.seq);
    const link = child ? ` → sub-agent ${short(child.wrapper_session_id)}` : '';
    let body: string;
    if (opts.full) {
      // A tool call shows its whole output under it.
      const result = e.type === 'tool_call' && e.tool_id !== undefined ? output.get(e.tool_id) : undefined;
      const [first = '', ...rest] = safeLines(`${d[1]}${link}${result === undefined ? '' : `\n${result}`}`);
      body = `${d[0].padEnd(LABEL_WIDTH)}${first}${rest.map((l) => `\n${indent}${l}`.trimEnd()).join('')}`;
    } else {
      body = child
        ? `${eventLine(e, outcomes, opts.width - 10 - link.length)}${link}`
        : eventLine(e, outcomes, opts.width - 10)!;
    }
    const dayOf = localDate(e.ts);
    if (dayOf !== day) {
      day = dayOf;
      text += `\n${paint(opts.colour ? '1' : undefined, `── ${dayOf}`)}\n`;
    }
    const label = d[0];
    text += `${paint(opts.colour ? '2' : undefined, localTime(e.ts))}  ${opts.colour ? paint(COLOURS[label], body.slice(0, LABEL_WIDTH)) + body.slice(LABEL_WIDTH) : body}\n`;
    if (text.length > 64 * 1024) {
      if (!out.write(text)) await once(out, 'drain');
      text = '';
    }
  }
  text += `\n${groupDigits(all.length)} events`;
  const calls = `${groupDigits(usage.calls)} model call${usage.calls === 1 ? '' : 's'}`;
  text += usage.calls > 0 ? `; usage over ${calls}: ${usageSummary(usage)}\n` : '; no usage recorded\n';
  out.write(text);
}

/**
 * The pager for a terminal: $PAGER (`less` when unset; an empty PAGER or `cat` means none), with
 * `LESS=FRX` so that a short session prints as it is and colours pass through.
 */
async function withPager(write: (out: Writable) => Promise<void>): Promise<void> {
  const pager = process.env.PAGER ?? 'less';
  if (!process.stdout.isTTY || pager.trim() === '' || pager.trim() === 'cat') return write(process.stdout);
  const child = spawn(pager, {
    shell: true,
    stdio: ['pipe', 'inherit', 'inherit'],
    env: { LESS: 'FRX', ...process.env },
  });
  const closed = once(child, 'close');
  // The reader quit the pager before the end: not an error.
  child.stdin.on('error', () => undefined);
  try {
    await write(child.stdin);
  } finally {
    child.stdin.end();
    await closed;
  }
}

function ambiguous(prefix: string, candidates: FoundSession[]): CliError {
  const home = homedir();
  const manyDirs = new Set(candidates.map((c) => c.logsDir)).size > 1;
  const rows = candidates
    .slice(0, MAX_CANDIDATES)
    .map((c) => [
      c.id,
      localDateTime(c.started_at),
      c.entry?.workspace_path ? tildePath(c.entry.workspace_path, home) : '-',
      [c.entry?.title ? oneLine(c.entry.title, 50) : '', manyDirs ? `(${tildePath(c.logsDir, home)})` : '']
        .filter(Boolean)
        .join(' '),
    ]);
  const more = candidates.length > MAX_CANDIDATES ? `\n  … and ${candidates.length - MAX_CANDIDATES} more` : '';
  return new UsageError(
    `${prefix} matches ${candidates.length} sessions; give more of the id:\n${columns(rows, [
      'left',
      'left',
      'left',
      'left',
    ])
      .map((l) => `  ${l}`)
      .join('\n')}${more}`,
  );
}

export async function showCommand(args: ShowArgs): Promise<number> {
  const prefix = (args.id ?? '').trim();
  if (prefix === '')
    throw new UsageError(
      'show needs a session id, or the start of one: `import-logs show ID`, with ID as `import-logs list` prints it',
    );
  const locations = resolveLocations(args);
  const found = await findSession(prefix, locations.logsDir, locations.storeDir);
  if (found.kind === 'none') {
    throw new UsageError(
      `no session id starts with ${prefix} (looked in ${found.searched.join(' and ')}); see \`import-logs list --all\``,
    );
  }
  if (found.kind === 'ambiguous') throw ambiguous(prefix, found.candidates);

  try {
    if (args.json) await pipeline(createReadStream(found.session.file), process.stdout, { end: false });
    else {
      const only = args.only && args.only.length > 0 ? new Set(args.only.flatMap((o) => o.split(','))) : null;
      const unknown = [...(only ?? [])].filter((o) => !SHOW_LABELS.includes(o));
      if (unknown.length > 0) throw new UsageError(`--only ${unknown.join(', ')}: expected ${SHOW_LABELS.join(', ')}`);
      const opts = { width: process.stdout.columns ?? 120, full: args.full, only, colour: useColour(process.stdout) };
      await withPager((out) => render(found.session, out, opts));
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok;
    throw new FailedError(`${found.session.file} cannot be read: ${errorMessage(err)}`);
  }
  return EXIT.ok;
}
