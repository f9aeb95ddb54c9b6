/** GitHub Copilot CLI: `~/.copilot` (or `COPILOT_HOME`), all three session layouts. */
import { join } from 'node:path';
import { afterLoading } from '../lazy.js';
import type { Adapter, HomeCandidate, SourceFile, SourceUnit } from '../types.js';
import { classify } from './layout.js';

/** Every layout of one session id is one unit, keyed by where the CLI keeps the session now. */
function units(files: SourceFile[], home: string): SourceUnit[] {
  const byId = new Map<string, { files: SourceFile[]; transcript: boolean }>();
  for (const file of files) {
    const c = classify(file.rel);
    if (!c) continue;
    let unit = byId.get(c.id);
    if (!unit) byId.set(c.id, (unit = { files: [], transcript: false }));
    unit.files.push(file);
    if (c.role === 'legacy' || c.role === 'flat' || c.role === 'dir') unit.transcript = true;
  }
  const list: SourceUnit[] = [];
  for (const [id, unit] of byId) {
    // Sidecars without a transcript (a session being created) are not a session yet.
    if (unit.transcript) list.push({ key: `${home}/session-state/${id}`, files: unit.files });
  }
  return list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export const copilotAdapter = {
  id: 'copilot',
  title: 'GitHub Copilot CLI',
  version: 5,
  /** The newest CLI of the corpus this adapter was checked on (`session.start.copilotVersion`). */
  testedVersion: '1.0.59',
  home: {
    env: 'COPILOT_HOME',
    flag: 'copilot-home',
    resolve: ({ env, homedir }) => {
      const homes: HomeCandidate[] = [];
      if (env.COPILOT_HOME) homes.push({ path: env.COPILOT_HOME, via: 'COPILOT_HOME' });
      // Honored by the CLI until 1.0.4; sessions written then are still there.
      if (env.XDG_CONFIG_HOME) homes.push({ path: join(env.XDG_CONFIG_HOME, '.copilot'), via: 'XDG_CONFIG_HOME' });
      homes.push({ path: join(homedir, '.copilot'), via: 'default' });
      return homes;
    },
  },
  sources: [
    'history-session-state/*.json',
    'session-state/*.jsonl',
    'session-state/*/events.jsonl',
    'session-state/*/workspace.yaml',
    'session-state/*/vscode.metadata.json',
  ],
  units,
  // The converter (zod, yaml) loads only when there is something to convert.
  convert: (unit, ctx) => afterLoading(async () => (await import('./convert.js')).convertSession(unit.files, ctx)),
} satisfies Adapter;
