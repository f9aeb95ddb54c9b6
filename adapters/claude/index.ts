/** The Claude Code adapter: `~/.claude/projects/**` transcripts. Mapping: README.md. */
import { join } from 'node:path';
import { afterLoading } from '../lazy.js';
import type { Adapter, SourceFile, SourceUnit } from '../types.js';
import { errorMessage } from '../../src/errors.js';
import { readJsonDocument } from '../../src/io/json.js';
import { fileKind } from './layout.js';

const DEFAULT_RETENTION_DAYS = 30;

function expandTilde(path: string, homedir: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir, path.slice(1)) : path;
}

/**
 * One unit per main transcript `projects/<enc>/<sid>.jsonl` together with everything under
 * `projects/<enc>/<sid>/` (sub-agents, their sidecars, spilled outputs), keyed by the main file's
 * path even when only the folder is left; one unit per flat `agent-*.jsonl`.
 */
function units(files: SourceFile[], home: string): SourceUnit[] {
  const units = new Map<string, SourceFile[]>();
  for (const file of files) {
    const kind = fileKind(file.rel);
    if (kind === 'other') continue;
    const key =
      kind === 'main' || kind === 'flat-agent'
        ? file.path
        : `${home}/${file.rel.split('/').slice(0, 3).join('/')}.jsonl`;
    const list = units.get(key);
    if (list) list.push(file);
    else units.set(key, [file]);
  }
  return [...units].map(([key, list]) => ({
    key,
    // The main file first, then the folder's files in path order.
    files: list.sort((a, b) => (a.path === key ? -1 : b.path === key ? 1 : a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0)),
  }));
}

export const claudeAdapter = {
  id: 'claude',
  title: 'Claude Code',
  version: 6,
  testedVersion: '2.1.170',
  home: {
    env: 'CLAUDE_CONFIG_DIR',
    flag: 'claude-home',
    resolve: ({ env, homedir }) => {
      const listed = (env.CLAUDE_CONFIG_DIR ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      if (listed.length > 0) return listed.map((p) => ({ path: expandTilde(p, homedir), via: 'CLAUDE_CONFIG_DIR' }));
      const xdg = env.XDG_CONFIG_HOME ? expandTilde(env.XDG_CONFIG_HOME, homedir) : join(homedir, '.config');
      return [
        { path: join(homedir, '.claude'), via: 'default' },
        { path: join(xdg, 'claude'), via: env.XDG_CONFIG_HOME ? 'XDG_CONFIG_HOME' : 'default' },
      ];
    },
  },
  sources: [
    'projects/*/*.jsonl',
    'projects/*/*/subagents/**/agent-*.jsonl',
    'projects/*/*/subagents/**/agent-*.meta.json',
    'projects/*/*/subagents/**/journal.jsonl',
    'projects/*/*/tool-results/*.txt',
  ],
  units,
  async retention(home) {
    const path = join(home, 'settings.json');
    let doc: Awaited<ReturnType<typeof readJsonDocument>> | null = null;
    try {
      doc = await readJsonDocument(path);
    } catch (err) {
      // A FIFO, a device or an unreadable file: never waited on, and said so in `doctor`.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        return { days: DEFAULT_RETENTION_DAYS, source: `${errorMessage(err)}: Claude Code default assumed` };
    }
    if (doc?.ok) {
      const { ClaudeSettings } = await import('./schema.js');
      const days = ClaudeSettings.safeParse(doc.value).data?.cleanupPeriodDays;
      if (days !== undefined) return { days, source: `${path} (cleanupPeriodDays)` };
    }
    return { days: DEFAULT_RETENTION_DAYS, source: 'Claude Code default (cleanupPeriodDays unset)' };
  },
  // The converter (and zod) loads only when there is something to convert.
  convert: (unit, ctx) => afterLoading(async () => (await import('./convert.js')).convertClaudeUnit(unit, ctx)),
} satisfies Adapter;
