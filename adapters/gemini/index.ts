/** Gemini CLI (`~/.gemini`): chat recordings, prompt logs and `/chat save` checkpoints. */
import { join } from 'node:path';
import { SIDE_FILE_MAX_BYTES, readRegularFile } from '../../src/io/regular-file.js';
import { errorMessage } from '../../src/errors.js';
import { afterLoading } from '../lazy.js';
import type { Adapter, SourceFile, SourceUnit } from '../types.js';
import { PROJECTS_FILE, PROJECT_ROOT_MARKER, classify, isSideFile, type UnitKind } from './layout.js';

/** Stable unit key (not a real path): it must not change when a twin or a copy appears. */
function unitKey(home: string, kind: UnitKind): string {
  switch (kind.kind) {
    case 'chat':
      return `${home}/tmp/*/chats/session-*-${kind.group}`;
    case 'subagent':
      return `${home}/tmp/*/chats/${kind.group}`;
    case 'logs':
      return `${home}/tmp/*/logs.json`;
    case 'checkpoint':
      return `${home}/tmp/*/${kind.group}.json`;
  }
}

/**
 * One unit per session across all project dirs: every `session-*-<id8>.json[l]` (JSON and JSONL
 * twins, copies in the hashed and slug dirs, header-only resume files) is converted together and
 * merged by sessionId. Subagent files group by parent and name, checkpoints by tag, and all prompt
 * logs form one unit. `projects.json` and `.project_root` are discovered but belong to no unit:
 * a file can only belong to one unit, and they serve every session of a project.
 */
function units(files: SourceFile[], home: string): SourceUnit[] {
  const byKey = new Map<string, SourceFile[]>();
  for (const file of files) {
    if (isSideFile(file.rel)) continue;
    const kind = classify(file.rel);
    if (!kind) continue;
    const key = unitKey(home, kind);
    const list = byKey.get(key);
    if (list) list.push(file);
    else byKey.set(key, [file]);
  }
  return [...byKey.keys()]
    .sort()
    .map((key) => ({ key, files: byKey.get(key)!.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0)) }));
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Units of `maxAge` (gemini-cli `sessionCleanup.ts`: a month is 30 days). */
const AGE_UNIT_MS: Readonly<Record<string, number>> = { h: 60 * 60 * 1000, d: DAY_MS, w: 7 * DAY_MS, m: 30 * DAY_MS };
const DEFAULT_MAX_AGE = '30d';

function maxAgeDays(maxAge: string): number | null {
  const m = /^(\d+)\s*([hdwm])$/.exec(maxAge.trim());
  return m ? (Number(m[1]) * AGE_UNIT_MS[m[2]!]!) / DAY_MS : null;
}

/** Drops line and block comments outside strings (settings.json may carry them). */
function stripJsonComments(text: string): string {
  return text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_all, str: string | undefined) => str ?? '');
}

export const geminiAdapter = {
  id: 'gemini',
  title: 'Gemini CLI',
  version: 4,
  /** The files record no CLI version; the newest of the corpus are JSONL op-logs (v0.39+). */
  testedVersion: '0.39.0',
  home: {
    env: 'GEMINI_CLI_HOME',
    flag: 'gemini-home',
    // GEMINI_CLI_HOME replaces the home directory: the data is in $GEMINI_CLI_HOME/.gemini.
    resolve: ({ env, homedir }) =>
      env.GEMINI_CLI_HOME
        ? [{ path: join(env.GEMINI_CLI_HOME, '.gemini'), via: 'GEMINI_CLI_HOME' }]
        : [{ path: join(homedir, '.gemini'), via: 'default' }],
  },
  sources: [
    'tmp/*/chats/session-*.json',
    'tmp/*/chats/session-*.jsonl',
    'tmp/*/chats/*/*.json',
    'tmp/*/chats/*/*.jsonl',
    'tmp/*/logs.json',
    'tmp/*/checkpoint-*.json',
    `tmp/*/${PROJECT_ROOT_MARKER}`,
    PROJECTS_FILE,
  ],
  units,
  /** `general.sessionRetention` of settings.json; on by default with maxAge 30d (v0.9+). */
  async retention(home) {
    const path = join(home, 'settings.json');
    let text: string;
    try {
      text = readRegularFile(path, SIDE_FILE_MAX_BYTES).toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return {
          days: maxAgeDays(DEFAULT_MAX_AGE)!,
          source: 'Gemini CLI default (general.sessionRetention.maxAge 30d)',
        };
      return { days: maxAgeDays(DEFAULT_MAX_AGE)!, source: `${errorMessage(err)}: Gemini CLI default (30d) assumed` };
    }
    let settings: unknown;
    try {
      settings = JSON.parse(stripJsonComments(text));
    } catch {
      return {
        days: maxAgeDays(DEFAULT_MAX_AGE)!,
        source: `${path} is not valid JSON: Gemini CLI default (30d) assumed`,
      };
    }
    const { RetentionSettings } = await import('./schema.js');
    const parsed = RetentionSettings.safeParse(settings);
    const retention = parsed.success ? parsed.data.general?.sessionRetention : undefined;
    if (retention?.enabled === false) return null;
    const days = retention?.maxAge !== undefined ? maxAgeDays(retention.maxAge) : null;
    if (days !== null) return { days, source: `${path} general.sessionRetention.maxAge` };
    return {
      days: maxAgeDays(DEFAULT_MAX_AGE)!,
      source: `Gemini CLI default (general.sessionRetention.maxAge 30d; ${path} does not set it)`,
    };
  },
  convert(unit, ctx) {
    // The converter (and zod) loads only when there is something to convert.
    return afterLoading(async () => {
      const { convertChats, convertCheckpoints, convertPromptLogs } = await import('./convert.js');
      const kind = classify(unit.files[0]!.rel);
      if (kind?.kind === 'chat') return convertChats(unit, ctx, null);
      if (kind?.kind === 'subagent') return convertChats(unit, ctx, kind.parent);
      if (kind?.kind === 'logs') return convertPromptLogs(unit, ctx);
      if (kind?.kind === 'checkpoint') return convertCheckpoints(unit, ctx);
      return (async function* () {})(); // not a unit of ours: nothing
    });
  },
} satisfies Adapter;
