/** The OpenAI Codex CLI adapter: rollouts under `$CODEX_HOME` (README.md has the mapping). */
import { join } from 'node:path';
import { afterLoading } from '../lazy.js';
import type { Adapter, SourceFile, SourceUnit } from '../types.js';
import { isLegacyJson, isZst, rolloutNameId } from './layout.js';

const HISTORY = 'history.jsonl';

/** Which copy of one rollout in one folder is read: readable before compressed. */
function byRank(a: SourceFile, b: SourceFile): number {
  const az = isZst(a.path) ? 1 : 0;
  const bz = isZst(b.path) ? 1 : 0;
  return az - bz || (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);
}

/**
 * One unit per rollout id (from the file name) and folder: the copies of one rollout as `.jsonl`
 * and `.jsonl.zst` convert together and only the readable one is read. A rollout in both
 * `sessions/` and `archived_sessions/` is two units of one session, which the import merges like
 * any two copies. `history.jsonl` is a unit of its own.
 */
export function codexUnits(files: SourceFile[]): SourceUnit[] {
  const units: SourceUnit[] = [];
  const groups = new Map<string, SourceFile[]>();
  for (const file of files) {
    const rollout = file.rel === HISTORY ? null : rolloutNameId(file.path);
    if (rollout === null) {
      units.push({ key: file.path, files: [file] });
      continue;
    }
    const id = `${file.rel.slice(0, file.rel.indexOf('/'))}/${rollout}`;
    const group = groups.get(id);
    if (group) group.push(file);
    else groups.set(id, [file]);
  }
  for (const group of groups.values()) {
    group.sort(byRank);
    units.push({ key: group[0]!.path, files: group });
  }
  return units.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export const codexAdapter = {
  id: 'codex',
  title: 'OpenAI Codex CLI',
  version: 4,
  testedVersion: '0.154.0',
  home: {
    env: 'CODEX_HOME',
    flag: 'codex-home',
    resolve: ({ env, homedir }) =>
      env.CODEX_HOME
        ? [{ path: env.CODEX_HOME, via: 'CODEX_HOME' }]
        : [{ path: join(homedir, '.codex'), via: 'default' }],
  },
  sources: [
    'sessions/**/rollout-*.jsonl',
    'sessions/**/rollout-*.jsonl.zst',
    'sessions/rollout-*.json',
    'archived_sessions/**/rollout-*.jsonl',
    'archived_sessions/**/rollout-*.jsonl.zst',
    HISTORY,
  ],
  units: codexUnits,
  convert(unit, ctx) {
    // The converter (and zod) loads only when there is something to convert.
    return afterLoading(async () => {
      const { convertHistory, convertLegacyJson, convertRollout, skipCompressed } = await import('./convert.js');
      const file = unit.files[0]!;
      if (file.rel === HISTORY) return convertHistory(file, ctx);
      if (isZst(file.path)) return skipCompressed(file, ctx);
      if (isLegacyJson(file.path)) return convertLegacyJson(file, ctx);
      return convertRollout(file, ctx);
    });
  },
} satisfies Adapter;
