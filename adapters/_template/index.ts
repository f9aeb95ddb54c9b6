/**
 * The adapter skeleton: copy this folder to `adapters/<provider>/`, rename, and add one line to
 * `adapters/index.ts` (this folder is not in the registry). Every adapter has the same files and,
 * in `convert.ts`, the same table names: `FORMATS`, `RECORD_TYPES`, `IGNORED`, `TOOL_KINDS`,
 * `ROLES`, then one reader class whose `record()` is the README's record table.
 */
import { join } from 'node:path';
import { afterLoading } from '../lazy.js';
import type { Adapter } from '../types.js';

export const templateAdapter = {
  id: 'template',
  title: 'Template Agent',
  /** Bump on any change of the output: every session this adapter wrote is converted again. */
  version: 1,
  home: {
    env: 'TEMPLATE_HOME',
    flag: 'template-home',
    resolve: ({ env, homedir }) => [
      ...(env.TEMPLATE_HOME ? [{ path: env.TEMPLATE_HOME, via: 'TEMPLATE_HOME' }] : []),
      { path: join(homedir, '.template'), via: 'default' },
    ],
  },
  sources: ['sessions/*.jsonl'],
  // One unit per file (no `units`): a session is one file here. Group side files in `units()`.
  // The converter (and zod) loads only when there is something to convert.
  convert: (unit, ctx) => afterLoading(async () => (await import('./convert.js')).convertTemplateFile(unit, ctx)),
} satisfies Adapter;
