/**
 * Builds a synthetic home for the four providers by replicating real sessions with fresh ids,
 * project paths and times. File sizes follow a log-normal shaped like real Claude Code histories
 * (median ~105 KB, p99 ~5.4 MB) plus a few files near 90 MB; a file is grown by repeating the
 * turns of its session, and every file stays valid for its format. Same seed, same bytes.
 *
 *   node dist/bench/generate.js --out DIR [--size 400MB] [--seed 1] [--sessions N]
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, isMain } from './paths.js';
import { Rng } from './prng.js';
import {
  PROVIDERS,
  encodeClaudePath,
  groupTemplates,
  templateSources,
  type Provider,
  type TemplateFile,
  type TemplateGroup,
} from './templates.js';
import { Sink, SessionWriter, USER_HOME } from './writer.js';

export interface GenerateOptions {
  /** The home directory to create (must not exist or be empty). */
  out: string;
  sizeBytes: number;
  seed: string;
  /** Folder of real samples, `<corpus>/<provider>/*` (default `../shared/corpus`). */
  corpus?: string;
  /** Fallback templates, `<fixtures>/<provider>/<case>/input/` (default `fixtures`). */
  fixtures?: string;
  /** Also keep what is needed to append one turn to a mid-sized Claude session. */
  appendable?: boolean;
  /** A home of this many small sessions (about `sizeBytes` / `sessions` each) instead of the log-normal mix. */
  sessions?: number;
}

export interface ProviderTotals {
  sessions: number;
  files: number;
  bytes: number;
}

export interface GeneratedHome {
  home: string;
  files: number;
  bytes: number;
  providers: Record<Provider, ProviderTotals>;
  /** The home dir of each provider inside `home` (e.g. `<home>/.claude`). */
  providerHomes: Record<Provider, string>;
  largestFile: number;
  /** Appends one turn (a user line through the next assistant line) to one session; returns bytes. */
  appendTurn: (() => { path: string; bytes: number }) | null;
}

/** Share of sessions per provider, like a user who mostly uses Claude Code. */
const MIX: Record<Provider, number> = { claude: 0.7, codex: 0.17, gemini: 0.08, copilot: 0.05 };
const MEDIAN = 105e3;
const P99 = 5.4e6;
/** Draws above this are clipped: the files near 90 MB are placed on purpose, a few per run. */
const MAX_DRAW = 50e6;
const GIANT_EVERY = 350e6;
const WORDS = [
  'atlas',
  'birch',
  'cobalt',
  'delta',
  'ember',
  'fjord',
  'granite',
  'harbor',
  'iris',
  'juniper',
  'kestrel',
  'lumen',
  'meadow',
  'nimbus',
  'onyx',
  'pylon',
  'quartz',
  'raven',
  'sierra',
  'tundra',
];
const EPOCH = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

export const PROVIDER_DIRS: Record<Provider, string> = {
  claude: '.claude',
  codex: '.codex',
  gemini: '.gemini',
  copilot: '.copilot',
};

/** `400MB`, `2GB`, `1.5GiB`, `123456` (bytes). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(k|m|g|ki|mi|gi)?b?$/i.exec(text.trim());
  if (!m?.[1]) throw new Error(`bad size ${text}: expected e.g. 400MB or 2GB`);
  const unit = (m[2] ?? '').toLowerCase();
  const mult: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30 };
  return Math.round(Number(m[1]) * (mult[unit] ?? 1));
}

function ymd(ms: number): { y: string; m: string; d: string; hh: string; mm: string; ss: string } {
  const iso = new Date(ms).toISOString();
  return {
    y: iso.slice(0, 4),
    m: iso.slice(5, 7),
    d: iso.slice(8, 10),
    hh: iso.slice(11, 13),
    mm: iso.slice(14, 16),
    ss: iso.slice(17, 19),
  };
}

function slugOf(root: string): string {
  return (root.split('/').pop() ?? 'project').toLowerCase().replace(/[^a-z0-9]/g, '-');
}

/** Where each file of a generated session goes, relative to the home. */
function placeFiles(w: SessionWriter): Map<TemplateFile, string> {
  const { group, place } = w;
  const { main } = group;
  const sid = w.sessionId(main.sessionId ?? `${group.provider}-session`);
  const out = new Map<TemplateFile, string>();
  const t = ymd(place.start);
  switch (group.provider) {
    case 'claude': {
      const project = `.claude/projects/${encodeClaudePath(place.root)}`;
      out.set(main, `${project}/${sid}.jsonl`);
      for (const c of group.companions) {
        const agent = /^agent-(.+?)\.(jsonl|meta\.json)$/.exec(c.name);
        if (agent?.[1] === undefined) {
          out.set(c, `${project}/${w.sessionId(c.sessionId ?? c.name)}.jsonl`);
          continue;
        }
        const file = `agent-${w.sessionId(agent[1])}.${agent[2]}`;
        // 2.1.x nests sub-agents under their session (17-hex ids); 2.0.x kept them flat (7-hex).
        const parent =
          c.kind === 'doc'
            ? (group.companions.find((g) => g.name === `agent-${agent[1]}.jsonl`)?.sessionId ?? main.sessionId)
            : c.sessionId;
        out.set(
          c,
          agent[1].length > 7 ? `${project}/${w.sessionId(parent ?? sid)}/subagents/${file}` : `${project}/${file}`,
        );
      }
      break;
    }
    case 'codex':
      out.set(
        main,
        main.variant === 'legacy-json'
          ? `.codex/sessions/rollout-${t.y}-${t.m}-${t.d}-${sid}.json`
          : `.codex/sessions/${t.y}/${t.m}/${t.d}/rollout-${t.y}-${t.m}-${t.d}T${t.hh}-${t.mm}-${t.ss}-${sid}.jsonl`,
      );
      break;
    case 'gemini':
      out.set(
        main,
        `.gemini/tmp/${slugOf(place.root)}/chats/session-${t.y}-${t.m}-${t.d}T${t.hh}-${t.mm}-${sid.slice(0, 8)}.${main.kind === 'jsonl' ? 'jsonl' : 'json'}`,
      );
      break;
    case 'copilot':
      if (main.variant === 'legacy-json')
        out.set(main, `.copilot/history-session-state/session_${sid}_${place.start}.json`);
      else if (main.variant === 'flat') out.set(main, `.copilot/session-state/${sid}.jsonl`);
      else {
        out.set(main, `.copilot/session-state/${sid}/events.jsonl`);
        for (const c of group.companions) out.set(c, `.copilot/session-state/${sid}/${c.name}`);
      }
      break;
  }
  return out;
}

interface Position {
  rep: number;
  index: number;
}

/** Writes a JSONL file: the head once, then body records, repeated, until `target` characters. */
function writeJsonl(
  file: TemplateFile,
  w: SessionWriter,
  path: string,
  target: number,
): { bytes: number; next: Position } {
  const sink = new Sink(path);
  for (const rec of file.records.slice(0, file.head)) sink.write(`${w.render(rec, 0)}\n`);
  const body = file.records.slice(file.head);
  const next: Position = { rep: 0, index: 0 };
  let wrote = 0;
  while (body.length > 0 && (wrote === 0 || sink.length < target)) {
    sink.write(`${w.render(body[next.index] as (typeof body)[number], next.rep)}\n`);
    wrote++;
    if (++next.index === body.length) {
      next.index = 0;
      next.rep++;
    }
  }
  return { bytes: sink.close(), next };
}

/** Writes a single-document JSON file, growing its arrays by repetitions of their elements. */
function writeDoc(file: TemplateFile, w: SessionWriter, path: string, target: number): number {
  const doc = file.doc;
  if (doc === null) throw new Error(`${file.name} is not a document`);
  const value = JSON.parse(w.render(doc.head, 0)) as Record<string, unknown[]>;
  const repLength = doc.arrays.reduce((n, a) => n + a.records.reduce((m, r) => m + r.length, 0), 0);
  const compact = doc.head.length + repLength;
  const inflation = file.bytes / Math.max(1, compact);
  let size = doc.head.length * inflation;
  for (let rep = 0; rep === 0 || size < target; rep++) {
    const fraction = Math.min(1, (target - size) / (repLength * inflation));
    for (const { key, records } of doc.arrays) {
      const take = Math.max(1, Math.ceil(records.length * fraction));
      for (const rec of records.slice(0, take)) {
        value[key]?.push(JSON.parse(w.render(rec, rep)));
        size += rec.length * inflation;
      }
    }
  }
  const text = JSON.stringify(value, null, doc.indent) + (doc.newline ? '\n' : '');
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}

function writeFile(
  file: TemplateFile,
  w: SessionWriter,
  path: string,
  target: number,
): { bytes: number; next: Position | null } {
  mkdirSync(dirname(path), { recursive: true });
  if (file.kind === 'jsonl') return writeJsonl(file, w, path, target);
  if (file.kind === 'doc') return { bytes: writeDoc(file, w, path, target), next: null };
  const text = w.render(file.records[0] ?? { lits: [''], slots: [], length: 0 }, 0);
  writeFileSync(path, text);
  return { bytes: Buffer.byteLength(text), next: null };
}

export interface WrittenSession {
  files: number;
  bytes: number;
  mainPath: string;
  mainBytes: number;
  next: Position | null;
}

/** Writes one session (its main file grown to `target`, side files as they are) under `home`. */
export function writeSession(home: string, w: SessionWriter, target: number): WrittenSession {
  const places = placeFiles(w);
  const result: WrittenSession = { files: 0, bytes: 0, mainPath: '', mainBytes: 0, next: null };
  for (const [file, rel] of places) {
    const path = join(home, rel);
    const isMain = file === w.group.main;
    const { bytes, next } = writeFile(file, w, path, isMain ? target : 0);
    result.files++;
    result.bytes += bytes;
    if (isMain) Object.assign(result, { mainPath: path, mainBytes: bytes, next });
  }
  return result;
}

/** Appends records from `next` on, through the first assistant line, to a Claude session file. */
function appendTurnTo(w: SessionWriter, path: string, next: Position): number {
  const body = w.group.main.records.slice(w.group.main.head);
  const sink = new Sink(path, 'a');
  for (let n = 0; n < body.length; n++) {
    const rec = body[next.index] as (typeof body)[number];
    const line = w.render(rec, next.rep);
    sink.write(`${line}\n`);
    if (++next.index === body.length) {
      next.index = 0;
      next.rep++;
    }
    if (n > 0 && line.includes('"type":"assistant"')) break;
  }
  return sink.close();
}

function loadGroups(opts: GenerateOptions): Map<Provider, TemplateGroup[]> {
  const root = repoRoot();
  const sources = templateSources(
    opts.corpus ?? join(root, '..', 'shared', 'corpus'),
    opts.fixtures ?? join(root, 'fixtures'),
  );
  const groups = new Map<Provider, TemplateGroup[]>();
  for (const provider of PROVIDERS) groups.set(provider, groupTemplates(provider, sources.get(provider) ?? []));
  return groups;
}

function projectPool(rng: Rng, sizeBytes: number): string[] {
  const count = Math.min(200, Math.max(3, Math.round(sizeBytes / 10e6)));
  return Array.from({ length: count }, (_, i) => `${USER_HOME}/src/${rng.pick(WORDS)}-${i + 1}`);
}

/** Generates a home of about `sizeBytes` bytes. */
export function generateHome(opts: GenerateOptions): GeneratedHome {
  const groups = loadGroups(opts);
  const rng = new Rng(opts.seed);
  const projects = projectPool(rng, opts.sizeBytes);
  const providers = Object.fromEntries(PROVIDERS.map((p) => [p, { sessions: 0, files: 0, bytes: 0 }])) as Record<
    Provider,
    ProviderTotals
  >;
  const available = PROVIDERS.filter((p) => (groups.get(p) ?? []).length > 0);
  if (available.length === 0)
    throw new Error('no templates: neither the shared corpus nor fixtures/*/*/input was found');
  const claudeGrowable = (groups.get('claude') ?? []).filter((g) => g.growable);
  const small = opts.sessions !== undefined;
  const giants = claudeGrowable.length > 0 && !small ? Math.floor(opts.sizeBytes / GIANT_EVERY) : 0;
  const result: GeneratedHome = {
    home: opts.out,
    files: 0,
    bytes: 0,
    providers,
    providerHomes: Object.fromEntries(PROVIDERS.map((p) => [p, join(opts.out, PROVIDER_DIRS[p])])) as Record<
      Provider,
      string
    >,
    largestFile: 0,
    appendTurn: null,
  };
  const geminiRoots = new Map<string, string>();
  for (let n = 0; small ? n < opts.sessions! : result.bytes < opts.sizeBytes; n++) {
    let group: TemplateGroup;
    let target: number;
    if (n < giants) {
      group = rng.pick(claudeGrowable);
      target = 85e6 + rng.next() * 10e6;
    } else {
      const provider = available[rng.weighted(available.map((p) => MIX[p]))] as Provider;
      const all = groups.get(provider) ?? [];
      const growable = all.filter((g) => g.growable);
      // Now and then a session that cannot grow (empty, metadata-only), as real homes have.
      group = growable.length === 0 || rng.next() < 0.05 ? rng.pick(all) : rng.pick(growable);
      target = small
        ? opts.sizeBytes / opts.sessions!
        : Math.min(MAX_DRAW, opts.sizeBytes / 8, rng.logNormal(MEDIAN, P99));
    }
    const place = { root: rng.pick(projects), start: EPOCH + Math.floor(rng.next() * 90 * DAY) };
    const w = new SessionWriter(group, Rng.derive(opts.seed, `session-${n}`), place);
    const written = writeSession(opts.out, w, group.growable ? target : 0);
    if (group.provider === 'gemini') geminiRoots.set(place.root, slugOf(place.root));
    const totals = providers[group.provider];
    totals.sessions++;
    totals.files += written.files;
    totals.bytes += written.bytes;
    result.files += written.files;
    result.bytes += written.bytes;
    result.largestFile = Math.max(result.largestFile, written.mainBytes);
    const next = written.next;
    if (
      opts.appendable &&
      result.appendTurn === null &&
      group.provider === 'claude' &&
      group.growable &&
      next &&
      written.mainBytes > 50e3 &&
      written.mainBytes < 500e3
    ) {
      result.appendTurn = () => ({ path: written.mainPath, bytes: appendTurnTo(w, written.mainPath, next) });
    }
  }
  if (geminiRoots.size > 0) {
    const written = writeGeminiProjects(opts.out, geminiRoots);
    providers.gemini.files += written.files;
    providers.gemini.bytes += written.bytes;
    result.files += written.files;
    result.bytes += written.bytes;
  }
  return result;
}

/** Gemini CLI ≥ 0.29 maps project roots to slug dirs in `projects.json` and `.project_root`. */
function writeGeminiProjects(home: string, roots: Map<string, string>): { files: number; bytes: number } {
  const sorted = [...roots].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const files: [string, string][] = sorted.map(([root, slug]) => [
    join(home, '.gemini', 'tmp', slug, '.project_root'),
    root,
  ]);
  files.push([
    join(home, '.gemini', 'projects.json'),
    `${JSON.stringify({ projects: Object.fromEntries(sorted) }, null, 2)}\n`,
  ]);
  for (const [path, text] of files) writeFileSync(path, text);
  return { files: files.length, bytes: files.reduce((n, [, text]) => n + Buffer.byteLength(text), 0) };
}

/**
 * A home holding one Claude session of about `sizeBytes` (the largest session template, grown):
 * every repetition of its turns gets fresh ids, so that an import keeps them all.
 */
export function generateSingleSession(opts: GenerateOptions): { home: string; path: string; bytes: number } {
  const claude = (loadGroups(opts).get('claude') ?? []).filter((g) => g.growable);
  const group = claude.sort((a, b) => b.main.bytes - a.main.bytes)[0];
  if (group === undefined) throw new Error('no Claude session template to grow');
  const w = new SessionWriter({ ...group, companions: [] }, Rng.derive(opts.seed, 'single'), {
    root: `${USER_HOME}/src/monolith`,
    start: EPOCH,
  });
  const written = writeSession(opts.out, w, opts.sizeBytes);
  const onDisk = statSync(written.mainPath).size;
  if (onDisk !== written.bytes || written.bytes < opts.sizeBytes)
    throw new Error(`${written.mainPath}: ${onDisk} bytes on disk, ${written.bytes} counted, ${opts.sizeBytes} asked`);
  return { home: opts.out, path: written.mainPath, bytes: written.bytes };
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      size: { type: 'string', default: '400MB' },
      seed: { type: 'string', default: '1' },
      sessions: { type: 'string' },
    },
  });
  if (values.out === undefined) throw new Error('--out DIR is required');
  if (existsSync(values.out)) throw new Error(`${values.out} exists; choose a new dir`);
  const t = performance.now();
  const home = generateHome({
    out: values.out,
    sizeBytes: parseSize(values.size),
    seed: values.seed,
    ...(values.sessions !== undefined ? { sessions: Number(values.sessions) } : {}),
  });
  process.stdout.write(
    `${JSON.stringify({ ...home, appendTurn: undefined, ms: Math.round(performance.now() - t) }, null, 2)}\n`,
  );
}
