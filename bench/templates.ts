/**
 * Templates: real session files (the shared corpus, or our fixture homes) cut into records, each
 * record into literal text and slots (ids, timestamps, project paths) that the generator fills with
 * fresh values. Ids are found structurally (string values of id-like keys), then every occurrence
 * of such a value anywhere in the text is a slot, so references inside text still join.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

export const PROVIDERS = ['claude', 'codex', 'gemini', 'copilot'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** What a path literal of a template stands for; the generator gives each a per-session value. */
export type LiteralKind = 'root' | 'home' | 'encRoot' | 'encHome' | 'hash';

export type Slot =
  | { kind: 'id'; id: string; session: boolean }
  | { kind: 'ts'; ms: number; frac: number }
  | { kind: 'lit'; lit: LiteralKind };

/** A record (a JSONL line, a document array element, a document head, a text file). */
export interface Segmented {
  /** `lits.length === slots.length + 1`: lits[0] slot[0] lits[1] … */
  lits: string[];
  slots: Slot[];
  /** Length of the template text, an estimate of the rendered length. */
  length: number;
}

export interface DocShape {
  head: Segmented;
  arrays: { key: string; records: Segmented[] }[];
  indent: number;
  newline: boolean;
}

export interface TemplateFile {
  provider: Provider;
  /** File name without the corpus' `<repo>__` prefix. */
  name: string;
  kind: 'jsonl' | 'doc' | 'text';
  /** JSONL lines that parse (others are dropped so every generated file stays valid). */
  records: Segmented[];
  /** Leading JSONL records written once per session (Codex/Gemini/Copilot headers). */
  head: number;
  doc: DocShape | null;
  /** Native session id of the file (first sessionId-like value), if any. */
  sessionId: string | null;
  /** Every id found, with whether it is session-scoped. */
  ids: Map<string, boolean>;
  uuids: Set<string>;
  leafUuids: string[];
  bytes: number;
  t0: number;
  t1: number;
  /** Provider-specific variant: Copilot `flat`/`dir`, Codex `legacy-json`. */
  variant: string;
}

export interface TemplateGroup {
  provider: Provider;
  main: TemplateFile;
  companions: TemplateFile[];
  growable: boolean;
  t0: number;
  span: number;
}

const ID_KEY = /^(id|uuid)$|(Id|_id|Uuid|UUID|ID|Ids)$/;
const SESSION_KEY = /^(sessionId|session_id|agentId)$/;
const CWD_KEY = /^(cwd|gitRoot|git_root|workspacePath)$/;
const TS = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d{1,9}))?Z/g;
const ID_CHAR = /[A-Za-z0-9]/;

function isIdLike(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.:-]{5,}$/.test(value) && /\d/.test(value) && !/^\d{4}-\d{2}-\d{2}T/.test(value);
}

interface Facts {
  ids: Map<string, boolean>;
  uuids: Set<string>;
  leafUuids: string[];
  cwds: Map<string, number>;
  hashes: Set<string>;
  sessionId: string | null;
}

function newFacts(): Facts {
  return { ids: new Map(), uuids: new Set(), leafUuids: [], cwds: new Map(), hashes: new Set(), sessionId: null };
}

function addId(facts: Facts, key: string, value: string): void {
  if (!isIdLike(value)) return;
  const session = SESSION_KEY.test(key);
  facts.ids.set(value, (facts.ids.get(value) ?? false) || session);
  if (session && key !== 'agentId' && facts.sessionId === null) facts.sessionId = value;
  if (key === 'uuid') facts.uuids.add(value);
  if (key === 'leafUuid') facts.leafUuids.push(value);
}

function collect(value: unknown, facts: Facts, key = ''): void {
  if (typeof value === 'string') {
    if (ID_KEY.test(key)) addId(facts, key, value);
    if (CWD_KEY.test(key) && value.startsWith('/')) facts.cwds.set(value, (facts.cwds.get(value) ?? 0) + 1);
    if (key === 'projectHash' && /^[0-9a-f]{64}$/.test(value)) facts.hashes.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, facts, key);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collect(v, facts, k);
  }
}

/** Claude's project folder name for a path. */
export function encodeClaudePath(path: string): string {
  return path.replace(/[^A-Za-z0-9]/g, '-');
}

function literalsOf(facts: Facts): Map<string, LiteralKind> {
  const lits = new Map<string, LiteralKind>();
  const root = [...facts.cwds.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  if (root !== undefined) {
    lits.set(root, 'root');
    lits.set(encodeClaudePath(root), 'encRoot');
    const home = /^(\/Users\/[^/]+|\/home\/[^/]+)\//.exec(root)?.[1];
    if (home !== undefined) {
      lits.set(home, 'home');
      lits.set(encodeClaudePath(home), 'encHome');
    }
  }
  for (const hash of facts.hashes) lits.set(hash, 'hash');
  return lits;
}

function bounded(text: string, at: number, length: number): boolean {
  return !ID_CHAR.test(text[at - 1] ?? ' ') && !ID_CHAR.test(text[at + length] ?? ' ');
}

/** Cuts `text` into literals and slots. */
export function segment(
  text: string,
  ids: ReadonlyMap<string, boolean>,
  lits: ReadonlyMap<string, LiteralKind>,
): Segmented {
  const found: { at: number; length: number; slot: Slot }[] = [];
  for (const m of text.matchAll(TS)) {
    found.push({
      at: m.index,
      length: m[0].length,
      slot: { kind: 'ts', ms: Date.parse(m[0]), frac: m[1]?.length ?? 0 },
    });
  }
  const search = (needle: string, slot: () => Slot) => {
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      if (bounded(text, at, needle.length)) found.push({ at, length: needle.length, slot: slot() });
    }
  };
  for (const [value, lit] of lits) search(value, () => ({ kind: 'lit', lit }));
  for (const [id, session] of ids) search(id, () => ({ kind: 'id', id, session }));
  found.sort((a, b) => a.at - b.at || b.length - a.length);
  const out: Segmented = { lits: [], slots: [], length: text.length };
  let pos = 0;
  for (const f of found) {
    if (f.at < pos) continue; // overlaps a longer or earlier match
    out.lits.push(text.slice(pos, f.at));
    out.slots.push(f.slot);
    pos = f.at + f.length;
  }
  out.lits.push(text.slice(pos));
  return out;
}

function timeRange(text: string): [number, number] {
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const m of text.matchAll(TS)) {
    const ms = Date.parse(m[0]);
    if (ms < t0) t0 = ms;
    if (ms > t1) t1 = ms;
  }
  return Number.isFinite(t0) ? [t0, t1] : [0, 0];
}

function parseYamlish(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_]+):\s*(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2].trim();
  }
  return out;
}

/** The session id of a head record that names it only `id` (Codex session_meta, pre-envelope, legacy JSON). */
function headId(first: unknown): string | null {
  const f = first as
    { type?: unknown; id?: unknown; payload?: { id?: unknown }; session?: { id?: unknown } } | undefined;
  const id = f?.type === 'session_meta' ? f.payload?.id : f?.type === undefined ? (f?.id ?? f?.session?.id) : undefined;
  return typeof id === 'string' && isIdLike(id) ? id : null;
}

function headCount(provider: Provider, kind: TemplateFile['kind']): number {
  return kind === 'jsonl' && provider !== 'claude' ? 1 : 0;
}

function variantOf(provider: Provider, kind: TemplateFile['kind'], first: unknown): string {
  if (provider === 'codex' && kind === 'doc') return 'legacy-json';
  if (provider === 'copilot' && kind === 'doc') return 'legacy-json';
  if (provider === 'copilot' && kind === 'jsonl') {
    const version = (first as { data?: { copilotVersion?: unknown } } | undefined)?.data?.copilotVersion;
    return typeof version === 'string' && version.startsWith('0.0.') ? 'flat' : 'dir';
  }
  return kind;
}

/** Loads one native file as a template; null for a file that is neither JSONL, JSON nor YAML, or a damaged document. */
export function loadTemplate(provider: Provider, path: string): TemplateFile | null {
  const text = readFileSync(path, 'utf8');
  const name = basename(path).replace(/^.*__/, '');
  const kind: TemplateFile['kind'] | null = name.endsWith('.jsonl')
    ? 'jsonl'
    : name.endsWith('.json')
      ? 'doc'
      : name.endsWith('.yaml')
        ? 'text'
        : null;
  if (kind === null) return null;
  const facts = newFacts();
  const stem = /^(?:agent-)?([0-9a-f-]{7,})(?:\.meta)?\.jsonl?$/.exec(name)?.[1];
  if (stem !== undefined) facts.ids.set(stem, true);
  let lines: string[] = [];
  let parsed: unknown[] = [];
  if (kind === 'jsonl') {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        parsed.push(JSON.parse(line));
        lines.push(line);
      } catch {
        // a torn or damaged line: left out of the template
      }
    }
  } else if (kind === 'doc') {
    try {
      parsed = [JSON.parse(text)];
    } catch {
      return null; // a damaged document (fixtures test those): nothing to replicate
    }
    if (parsed[0] === null || typeof parsed[0] !== 'object' || Array.isArray(parsed[0])) return null;
  } else {
    parsed = [parseYamlish(text)];
  }
  for (const value of parsed) collect(value, facts);
  const lits = literalsOf(facts);
  let doc: DocShape | null = null;
  if (kind === 'doc') {
    const value = parsed[0] as Record<string, unknown>;
    const arrays = Object.entries(value).filter(
      (e): e is [string, object[]] =>
        Array.isArray(e[1]) && e[1].length > 0 && e[1].every((x) => x !== null && typeof x === 'object'),
    );
    const head = { ...value };
    for (const [key] of arrays) head[key] = [];
    doc = {
      head: segment(JSON.stringify(head), facts.ids, lits),
      arrays: arrays.map(([key, items]) => ({
        key,
        records: items.map((item) => segment(JSON.stringify(item), facts.ids, lits)),
      })),
      indent: /^[{[]\r?\n( +)/.exec(text)?.[1]?.length ?? 2,
      newline: text.endsWith('\n'),
    };
    lines = [];
  } else if (kind === 'text') {
    lines = [text];
  }
  const [t0, t1] = timeRange(text);
  facts.sessionId ??= headId(parsed[0]);
  return {
    provider,
    name,
    kind,
    records: lines.map((line) => segment(line, facts.ids, lits)),
    head: headCount(provider, kind),
    doc,
    sessionId: facts.sessionId ?? stem ?? null,
    ids: facts.ids,
    uuids: facts.uuids,
    leafUuids: facts.leafUuids,
    bytes: Buffer.byteLength(text),
    t0,
    t1,
    variant: variantOf(provider, kind, parsed[0]),
  };
}

function isSkipped(name: string): boolean {
  // Not sessions: prompt histories, prompt logs, and schema-derived (not captured) catalogues.
  return /^(history\.jsonl|logs\.json)$/.test(name) || name.includes('SCHEMA-DERIVED');
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/**
 * Template files per provider: `<corpus>/<provider>/*` when the corpus folder exists, else every
 * file of `<fixtures>/<provider>/<case>/input/`.
 */
export function templateSources(corpus: string, fixtures: string): Map<Provider, string[]> {
  const out = new Map<Provider, string[]>();
  for (const provider of PROVIDERS) {
    const fromCorpus = join(corpus, provider);
    let files: string[] = [];
    if (existsSync(fromCorpus)) files = walk(fromCorpus);
    else if (existsSync(join(fixtures, provider))) {
      for (const c of readdirSync(join(fixtures, provider)).sort()) {
        const input = join(fixtures, provider, c, 'input');
        if (existsSync(input) && statSync(input).isDirectory()) files.push(...walk(input));
      }
    }
    out.set(
      provider,
      files.filter((f) => !isSkipped(basename(f).replace(/^.*__/, ''))),
    );
  }
  return out;
}

/** Marks ids session-scoped across the group and maps companion session ids onto the main's. */
function finishGroup(provider: Provider, main: TemplateFile, companions: TemplateFile[]): TemplateGroup {
  const files = [main, ...companions];
  const session = new Set<string>();
  for (const f of files) {
    for (const [id, s] of f.ids) if (s) session.add(id);
    for (const r of f.records.slice(0, f.head))
      for (const slot of r.slots) if (slot.kind === 'id') session.add(slot.id);
    if (f.doc) for (const slot of f.doc.head.slots) if (slot.kind === 'id') session.add(slot.id);
  }
  const alias = new Map<string, string>();
  for (const c of companions) {
    // A side file copied from another session of the corpus (Copilot sidecars) takes the main's id.
    if (c.kind === 'text' && c.sessionId !== null && main.sessionId !== null) alias.set(c.sessionId, main.sessionId);
  }
  for (const f of files) {
    const recs = [...f.records, ...(f.doc ? [f.doc.head, ...f.doc.arrays.flatMap((a) => a.records)] : [])];
    for (const r of recs) {
      for (const slot of r.slots) {
        if (slot.kind !== 'id') continue;
        slot.id = alias.get(slot.id) ?? slot.id;
        slot.session = session.has(slot.id);
      }
    }
  }
  const bodyRecords = main.doc
    ? main.doc.arrays.reduce((n, a) => n + a.records.length, 0)
    : main.records.length - main.head;
  // Times of the session itself: text side files (copied from another session) do not count.
  const timed = files.filter((f) => f.t1 > 0 && f.kind !== 'text');
  const t0 = Math.min(...timed.map((f) => f.t0));
  const t1 = Math.max(...timed.map((f) => f.t1));
  return {
    provider,
    main,
    companions,
    growable: bodyRecords >= 2 && main.bytes >= 1000,
    t0: Number.isFinite(t0) ? t0 : 0,
    span: Number.isFinite(t0) ? Math.max(0, t1 - t0) : 0,
  };
}

function claudeGroups(files: TemplateFile[]): TemplateGroup[] {
  const parent = new Map<TemplateFile, TemplateFile>();
  const byStem = new Map(files.map((f) => [f.name.replace(/\.(meta\.json|jsonl)$/, ''), f]));
  for (const f of files) {
    const stem = f.name.replace(/\.(meta\.json|jsonl)$/, '');
    let p: TemplateFile | undefined;
    if (f.name.endsWith('.meta.json'))
      p = f.kind === 'doc' ? files.find((g) => g.kind === 'jsonl' && g.name === `${stem}.jsonl`) : undefined;
    else if (stem.startsWith('agent-') && f.sessionId !== null) {
      p =
        byStem.get(f.sessionId) ??
        files.find((g) => g !== f && !g.name.startsWith('agent-') && g.sessionId === f.sessionId);
    } else if (f.leafUuids.length > 0 && f.uuids.size === 0) {
      // A metadata-only file (titles pointing into another session's lines).
      p = files.find((g) => g !== f && f.leafUuids.some((u) => g.uuids.has(u)));
    }
    if (p !== undefined && p !== f) parent.set(f, p);
  }
  const rootOf = (f: TemplateFile): TemplateFile => {
    const seen = new Set<TemplateFile>();
    let cur = f;
    for (let p = parent.get(cur); p !== undefined && !seen.has(p); p = parent.get(cur)) {
      seen.add(cur);
      cur = p;
    }
    return cur;
  };
  const groups = new Map<TemplateFile, TemplateFile[]>();
  for (const f of files) {
    const root = rootOf(f);
    if (root.kind !== 'jsonl') continue; // an orphan side file
    if (!groups.has(root)) groups.set(root, []);
    if (root !== f) groups.get(root)?.push(f);
  }
  return [...groups].map(([main, companions]) => finishGroup('claude', main, companions));
}

/** Groups the template files of one provider into sessions (a main file and its side files). */
export function groupTemplates(provider: Provider, paths: string[]): TemplateGroup[] {
  const loaded = paths.flatMap((path) => {
    const file = loadTemplate(provider, path);
    return file === null ? [] : [{ path, file }];
  });
  if (provider === 'claude') return claudeGroups(loaded.map((l) => l.file));
  const isSidecar = (f: TemplateFile) => f.kind === 'text' || (f.kind === 'doc' && f.doc?.arrays.length === 0);
  // Sidecars (Copilot workspace.yaml, vscode.metadata.json) belong to the per-session directory
  // layout, one of each name; every session gets fresh copies (grouping rewrites their slots).
  const sidecars = new Map<string, string>();
  for (const { path, file } of loaded) if (isSidecar(file) && !sidecars.has(file.name)) sidecars.set(file.name, path);
  const companions = () =>
    [...sidecars.values()].map((p) => loadTemplate(provider, p)).filter((f): f is TemplateFile => f !== null);
  return loaded
    .filter(({ file }) => !isSidecar(file) && (file.records.length > 0 || file.doc !== null))
    .map(({ file }) => finishGroup(provider, file, file.variant === 'dir' ? companions() : []));
}
