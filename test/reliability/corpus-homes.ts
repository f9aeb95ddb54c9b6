/**
 * Provider homes laid out from the real corpus (../shared/corpus, copied at test time into a
 * sandbox), each file where its agent keeps it: Claude Code's under `projects/-<repo>/`, Codex
 * rollouts under `sessions/YYYY/MM/DD/`.
 */
import { basename, join } from 'node:path';
import { buildHome, corpusFiles } from '../support/harness.js';

function codexPath(name: string): string | null {
  if (name === 'history.jsonl') return name;
  if (/^rollout-.*\.json$/.test(name)) return `sessions/${name}`;
  const dated = /^rollout-(\d{4})-(\d{2})-(\d{2})T/.exec(name);
  return dated ? `sessions/${dated[1]}/${dated[2]}/${dated[3]}/${name}` : null;
}

/** True when the corpus is there (it is not outside this workplace's CI). */
export const hasCorpus = corpusFiles('claude').length > 0 && corpusFiles('codex').length > 0;

/** Builds a Claude Code and a Codex home from the corpus under `dir`; returns their CLI flags. */
export function corpusHomes(dir: string): string[] {
  const claude: Record<string, { copy: string }> = {};
  for (const f of corpusFiles('claude')) {
    const [repo, name] = basename(f).split('__') as [string, string];
    claude[`projects/-${repo}/${name}`] = { copy: f };
  }
  const codex: Record<string, { copy: string }> = {};
  for (const f of corpusFiles('codex')) {
    const rel = codexPath(basename(f).replace(/^.*?__/, ''));
    if (rel !== null) codex[rel] = { copy: f };
  }
  return [
    '--claude-home',
    buildHome(claude, join(dir, 'claude')),
    '--codex-home',
    buildHome(codex, join(dir, 'codex')),
  ];
}
