/** `import-logs show ID-PREFIX`: one session's events for a person, or its raw lines with --json. */
import { createReadStream } from 'node:fs';
import { homedir } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { findSession, type FoundSession } from '../archive/find-session.js';
import { CliError, EXIT, errorMessage } from '../errors.js';
import { readLines } from '../io/lines.js';
import { resolveLocations } from '../importer/locations.js';
import type { AgentLogEvent } from '../model/events.js';
import { eventLine, noteOutcome, usageSummary, type Outcomes } from './event-lines.js';
import { columns, groupDigits, humanDuration, localDate, localDateTime, localTime, oneLine, tildePath } from './text.js';

export interface ShowArgs {
  id?: string | undefined;
  root?: string | undefined;
  store?: string | undefined;
  out?: string | undefined;
  json: boolean;
}

const MAX_CANDIDATES = 20;

async function* events(file: string): AsyncGenerator<AgentLogEvent> {
  for (const line of readLines(file)) {
    try {
      yield JSON.parse(line.bytes.toString('utf8')) as AgentLogEvent;
    } catch {
      throw new CliError(`${file}:${line.lineNo} is not a JSON line; re-import with \`import-logs --force\``, EXIT.sourcesFailed);
    }
  }
}

function header(s: FoundSession, home: string): string[] {
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
  e.source_paths.forEach((p, i) => field(i === 0 ? 'source' : '', tildePath(p, home)));
  field('file', tildePath(s.file, home));
  return lines;
}

async function render(s: FoundSession, width: number): Promise<void> {
  const home = homedir();
  const outcomes: Outcomes = new Map();
  for await (const e of events(s.file)) noteOutcome(outcomes, e);

  let out = `${header(s, home).join('\n')}\n`;
  let day = '';
  let count = 0;
  const usage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_creation_tokens: 0, calls: 0 };
  for await (const e of events(s.file)) {
    count++;
    if (e.type === 'usage') {
      usage.calls++;
      usage.input_tokens += e.input_tokens;
      usage.output_tokens += e.output_tokens;
      usage.cache_read_tokens += e.cache_read_tokens ?? 0;
      usage.cache_creation_tokens += e.cache_creation_tokens ?? 0;
    }
    const text = eventLine(e, outcomes, width - 10);
    if (text === null) continue;
    const d = localDate(e.ts);
    if (d !== day) {
      day = d;
      out += `\n── ${d}\n`;
    }
    out += `${localTime(e.ts)}  ${text}\n`;
    if (out.length > 64 * 1024) {
      process.stdout.write(out);
      out = '';
    }
  }
  out += `\n${groupDigits(count)} events`;
  const calls = `${groupDigits(usage.calls)} model call${usage.calls === 1 ? '' : 's'}`;
  out += usage.calls > 0 ? `; usage over ${calls}: ${usageSummary(usage)}\n` : '; no usage recorded\n';
  process.stdout.write(out);
}

function ambiguous(prefix: string, candidates: FoundSession[]): CliError {
  const home = homedir();
  const manyDirs = new Set(candidates.map((c) => c.logsDir)).size > 1;
  const rows = candidates.slice(0, MAX_CANDIDATES).map((c) => [
    c.id,
    localDateTime(c.started_at),
    c.entry?.workspace_path ? tildePath(c.entry.workspace_path, home) : '-',
    [c.entry?.title ? oneLine(c.entry.title, 50) : '', manyDirs ? `(${tildePath(c.logsDir, home)})` : ''].filter(Boolean).join(' '),
  ]);
  const more = candidates.length > MAX_CANDIDATES ? `\n  … and ${candidates.length - MAX_CANDIDATES} more` : '';
  return new CliError(
    `${prefix} matches ${candidates.length} sessions; give more of the id:\n${columns(rows, ['left', 'left', 'left', 'left'])
      .map((l) => `  ${l}`)
      .join('\n')}${more}`,
    EXIT.usage,
  );
}

export async function showCommand(args: ShowArgs): Promise<number> {
  const prefix = (args.id ?? '').trim();
  if (prefix === '') throw new CliError('show needs a session id, or the start of one: `import-logs show ID`, with ID as `import-logs list` prints it', EXIT.usage);
  const locations = resolveLocations({ root: args.root, store: args.store, out: args.out, env: process.env, homedir: homedir() });
  const found = await findSession(prefix, locations.logsDir, locations.storeDir);
  if (found.kind === 'none') {
    throw new CliError(`no session id starts with ${prefix} (looked in ${found.searched.join(' and ')}); see \`import-logs list --all\``, EXIT.usage);
  }
  if (found.kind === 'ambiguous') throw ambiguous(prefix, found.candidates);

  try {
    if (args.json) await pipeline(createReadStream(found.session.file), process.stdout, { end: false });
    else await render(found.session, process.stdout.columns ?? 120);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok;
    throw new CliError(`${found.session.file} cannot be read: ${errorMessage(err)}`, EXIT.sourcesFailed);
  }
  return EXIT.ok;
}
