/** `import-logs list`: the sessions of a logs dir (or of the store), newest first, from index files only. */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { readGlobalIndex, readLogsIndex, logsDirsOf } from '../archive/read.js';
import { EXIT, UsageError } from '../errors.js';
import { firstPrompts, sessionCosts } from '../database/local-index.js';
import { parseSince, resolveLocations } from '../importer/locations.js';
import { isInside } from '../util/paths.js';
import type { LogCompleteness } from '../model/events.js';
import type { ListedSession } from '../model/reports.js';
import { callCost } from '../report/prices.js';
import { providerNames } from './provider-flags.js';
import { shortIds } from './session-ids.js';
import { columns, compactCount, fitWidth, localDateTime, oneLine, tildePath, usd, width } from './text.js';

export interface ListArgs {
  root?: string | undefined;
  store?: string | undefined;
  out?: string | undefined;
  all: boolean;
  provider?: string[] | undefined;
  since?: string | undefined;
  completeness?: LogCompleteness[] | undefined;
  limit?: number | undefined;
  project?: string | undefined;
  subagents: boolean;
  json: boolean;
}

/** What the local index adds to a listed session, when there is one: a title and a cost. */
interface Extras {
  firstPrompt: Map<string, string>;
  /** USD per session id; null when a call's model has no price. */
  cost: Map<string, number | null>;
}

/** The extras of the shown sessions, per logs dir: of all its sessions when all are shown (no list of ids to pass). */
async function readExtras(shown: readonly ListedSession[], all: readonly ListedSession[]): Promise<Extras> {
  const extras: Extras = { firstPrompt: new Map(), cost: new Map() };
  const everything = shown.length === all.length;
  for (const dir of new Set(shown.map((s) => s.logs_dir))) {
    const ids = everything ? null : shown.filter((s) => s.logs_dir === dir).map((s) => s.wrapper_session_id);
    for (const [id, text] of await firstPrompts(dir, ids)) extras.firstPrompt.set(id, text);
    for (const [id, cost] of await sessionCosts(dir, ids, callCost)) extras.cost.set(id, cost);
  }
  return extras;
}

/** Each parent followed by its sub-agents (oldest first); a sub-agent whose parent is not shown stands alone. */
function groupSubAgents(sessions: readonly ListedSession[]): ListedSession[] {
  const shown = new Set(sessions.map((s) => s.wrapper_session_id));
  const children = new Map<string, ListedSession[]>();
  for (const s of sessions) {
    if (s.parent_session_id === null || !shown.has(s.parent_session_id)) continue;
    children.set(s.parent_session_id, [...(children.get(s.parent_session_id) ?? []), s]);
  }
  const out: ListedSession[] = [];
  for (const s of sessions) {
    if (s.parent_session_id !== null && shown.has(s.parent_session_id)) continue;
    out.push(s, ...(children.get(s.wrapper_session_id) ?? []).reverse());
  }
  return out;
}

const TITLE_MAX = 60;
const PROJECT_MAX = 32;

/** Newest first: started_at descending, then id. */
function newestFirst(a: ListedSession, b: ListedSession): number {
  if (a.started_at !== b.started_at) return a.started_at < b.started_at ? 1 : -1;
  return a.wrapper_session_id < b.wrapper_session_id ? -1 : a.wrapper_session_id > b.wrapper_session_id ? 1 : 0;
}

/** Reads the sessions `list` shows, before filters; `scope` says where they came from. */
async function readSessions(args: ListArgs): Promise<{ sessions: ListedSession[]; scope: string; imported: boolean }> {
  const locations = resolveLocations(args);
  if (!args.all) {
    const entries = await readLogsIndex(locations.logsDir);
    return {
      sessions: (entries ?? []).map((e) => ({ ...e, logs_dir: locations.logsDir })),
      scope: locations.logsDir,
      imported: entries !== null,
    };
  }
  if (locations.storeDir === null)
    throw new UsageError('--all needs a store (--store DIR or $IMPORT_LOGS_HOME), not --out alone');
  const global = await readGlobalIndex(locations.storeDir);
  const sessions: ListedSession[] = [];
  for (const logsDir of logsDirsOf(global ?? [])) {
    for (const e of (await readLogsIndex(logsDir)) ?? []) sessions.push({ ...e, logs_dir: logsDir });
  }
  return {
    sessions,
    scope: `every logs dir of ${tildePath(locations.storeDir, homedir())}`,
    imported: global !== null,
  };
}

/** A filter by provider name; a name neither the archive nor the registry knows is a usage error. */
async function providerFilter(
  names: string[] | undefined,
  sessions: readonly ListedSession[],
): Promise<((s: ListedSession) => boolean) | null> {
  const wanted = new Set(providerNames(names));
  if (wanted.size === 0) return null;
  const known = new Set(sessions.map((s) => s.provider));
  if ([...wanted].some((n) => !known.has(n))) {
    // Only now load the adapters (and every parser): a provider with no sessions yet is still known.
    for (const a of (await import('../../adapters/index.js')).adapters) known.add(a.id);
    const unknown = [...wanted].filter((n) => !known.has(n));
    if (unknown.length > 0)
      throw new UsageError(`unknown provider ${unknown.join(', ')} (known: ${[...known].sort().join(', ')})`);
  }
  return (s) => wanted.has(s.provider);
}

function projectCell(path: string | null, home: string, max: number): string {
  if (path === null) return '-';
  const short = tildePath(path, home);
  const chars = [...short];
  return width(short) <= max ? short : `…${chars.slice(chars.length - max + 1).join('')}`;
}

function titleCell(s: ListedSession, extras: Extras, max: number): string {
  const text = s.title ?? extras.firstPrompt.get(s.wrapper_session_id) ?? null;
  const marker = s.parent_session_id !== null ? '↳ ' : '';
  const title = text === null ? '' : oneLine(text, Math.max(1, max - marker.length));
  return s.parent_session_id !== null ? `${marker}${title || '(sub-agent)'}` : title || '-';
}

function costCell(id: string, extras: Extras): string {
  const cost = extras.cost.get(id);
  return cost === undefined ? '-' : cost === null ? '?' : usd(cost);
}

const HEADER = ['ID', 'STARTED', 'EVENTS', 'IN', 'CACHED', 'OUT', 'COST', 'MODEL', 'COMPLETENESS', 'PROJECT', 'TITLE'];
const ALIGN = ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left', 'left', 'left', 'left'] as const;
const TITLE_MIN = 20;
const PROJECT_MIN = 12;

/**
 * The widest PROJECT and TITLE that fit `lineWidth` after the other columns (`fixed` columns wide)
 * when the longest project is `project` wide: the project gives way first, down to PROJECT_MIN.
 */
function fitCaps(fixed: number, project: number, lineWidth: number | undefined): { project: number; title: number } {
  if (lineWidth === undefined) return { project: PROJECT_MAX, title: TITLE_MAX };
  const room = lineWidth - fixed - 4; // two column separators
  const projectCap = Math.min(project, Math.max(PROJECT_MIN, room - TITLE_MAX));
  return { project: projectCap, title: Math.max(TITLE_MIN, Math.min(TITLE_MAX, room - projectCap)) };
}

/** Left out, in this order, on a terminal too narrow for PROJECT_MIN and TITLE_MIN after the other columns. */
const DROPPABLE = ['CACHED', 'EVENTS', 'COMPLETENESS', 'IN', 'OUT', 'MODEL'];

/** The columns before PROJECT and TITLE that fit: their indexes, and how wide they are laid out. */
function fixedColumns(rows: readonly string[][], lineWidth: number | undefined): { keep: number[]; fixed: number } {
  let keep = HEADER.slice(0, 9).map((_, i) => i);
  const laidOut = () =>
    columns(
      [keep.map((i) => HEADER[i]!), ...rows.map((r) => keep.map((i) => r[i]!))],
      keep.map((i) => ALIGN[i]!),
    ).reduce((w, line) => Math.max(w, width(line)), 0);
  let fixed = laidOut();
  for (const name of DROPPABLE) {
    if (lineWidth === undefined || fixed + 4 + PROJECT_MIN + TITLE_MIN <= lineWidth) break;
    keep = keep.filter((i) => HEADER[i] !== name);
    fixed = laidOut();
  }
  return { keep, fixed };
}

/** The table; with `lineWidth` (a terminal), columns are left out and PROJECT and TITLE cut so that rows fit it. */
function formatList(
  sessions: readonly ListedSession[],
  short: Map<string, string>,
  extras: Extras,
  home: string,
  lineWidth: number | undefined,
): string[] {
  const rows = sessions.map((s) => [
    short.get(s.wrapper_session_id) ?? s.wrapper_session_id,
    localDateTime(s.started_at),
    String(s.event_count),
    compactCount(s.usage.input_tokens + s.usage.cache_creation_tokens),
    compactCount(s.usage.cache_read_tokens),
    compactCount(s.usage.output_tokens),
    costCell(s.wrapper_session_id, extras),
    s.model ?? '-',
    s.completeness,
  ]);
  const { keep, fixed } = fixedColumns(rows, lineWidth);
  const project = sessions.reduce((w, s) => Math.max(w, width(projectCell(s.workspace_path, home, PROJECT_MAX))), 7);
  const caps = fitCaps(fixed, project, lineWidth);
  const table = sessions.map((s, i) => [
    ...keep.map((k) => rows[i]![k]!),
    projectCell(s.workspace_path, home, caps.project),
    titleCell(s, extras, caps.title),
  ]);
  const all = [...keep, 9, 10];
  return columns(
    [all.map((i) => HEADER[i]!), ...table],
    all.map((i) => ALIGN[i]!),
  );
}

export async function listCommand(args: ListArgs): Promise<number> {
  if (args.limit !== undefined && (!Number.isInteger(args.limit) || args.limit < 1)) {
    throw new UsageError(`--limit ${args.limit}: expected a whole number of at least 1`);
  }
  const since = args.since === undefined ? null : parseSince(args.since, Date.now());
  const { sessions: all, scope, imported } = await readSessions(args);
  const byProvider = await providerFilter(args.provider, all);
  const levels = args.completeness && args.completeness.length > 0 ? new Set(args.completeness) : null;
  // A project by its path, whether or not it is still on disk.
  const project = args.project === undefined ? null : resolve(args.project);
  let shown = all.filter(
    (s) =>
      (byProvider === null || byProvider(s)) &&
      (args.subagents || s.parent_session_id === null) &&
      (project === null || (s.workspace_path !== null && isInside(project, s.workspace_path))) &&
      (levels === null || levels.has(s.completeness)) &&
      (since === null || Date.parse(s.ended_at ?? s.started_at) >= since),
  );
  shown.sort(newestFirst);
  if (args.limit !== undefined) shown = shown.slice(0, args.limit);

  if (args.json) {
    process.stdout.write(shown.map((s) => `${JSON.stringify(s)}\n`).join(''));
    return EXIT.ok;
  }
  const home = homedir();
  if (!imported) {
    process.stdout.write(
      `No import yet in ${tildePath(scope, home)}. Run \`import-logs\` (add --root DIR for one project) first.\n`,
    );
    return EXIT.ok;
  }
  const extras = await readExtras(shown, all);
  // On a terminal, a line never wraps (as ps does): PROJECT and TITLE narrow first, then lines are cut; a pipe gets whole lines.
  const lineWidth = process.stdout.isTTY ? process.stdout.columns - 1 : undefined;
  const short = shortIds(all.map((s) => s.wrapper_session_id));
  const lines = shown.length > 0 ? formatList(groupSubAgents(shown), short, extras, home, lineWidth) : [];
  const filtered = shown.length === all.length ? `${all.length}` : `${shown.length} of ${all.length}`;
  lines.push(
    `${filtered} session${all.length === 1 ? '' : 's'} in ${tildePath(scope, home)}.${shown.length > 0 ? ' `import-logs show ID` shows one.' : ''}`,
  );
  process.stdout.write(`${(lineWidth === undefined ? lines : lines.map((l) => fitWidth(l, lineWidth))).join('\n')}\n`);
  return EXIT.ok;
}
