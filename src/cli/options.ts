/** The options several commands share, as yargs builders; the args they give as `CommonArgs`. */
import type { Argv } from 'yargs';
import { LOG_FORMATS, type LogFormat } from '../log.js';
import type { ProviderFlag } from './provider-flags.js';

export interface CommonArgs {
  store?: string | undefined;
  out?: string | undefined;
  root?: string | undefined;
  provider?: string[] | undefined;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  logFormat: LogFormat;
  [flag: string]: unknown;
}

/** Where the archive is: --root, --store, --out. */
export function withLocations<T>(y: Argv<T>) {
  return y
    .option('root', {
      type: 'string',
      describe: 'Only sessions whose workspace is DIR or inside it; logs go to the project logs dir',
    })
    .option('store', {
      type: 'string',
      describe: 'Store dir (default $IMPORT_LOGS_HOME or ${XDG_DATA_HOME:-~/.local/share}/import-logs)',
    })
    .option('out', {
      type: 'string',
      describe: 'Logs dir to use directly (no store-wide index unless --store is given)',
    });
}

/** A logs dir or, with --all, every one of the store; and which providers (list, report, search). */
export function withScope<T>(y: Argv<T>) {
  return withLocations(y)
    .option('all', { type: 'boolean', default: false, describe: 'Every logs dir of the store (all projects)' })
    .option('provider', { type: 'string', array: true, describe: 'Only these providers' });
}

/** One session, by a prefix of its id (show, export). */
export function withSessionId<T>(y: Argv<T>) {
  // Not demanded here: `show` says itself what is missing; `export <id>` requires it by its syntax.
  return withLocations(y).positional('id', {
    type: 'string',
    describe: 'wrapper_session_id or a prefix of it (or of the native id)',
  });
}

/** The provider home flags, from the list the build writes (`flags`). */
export function withHomes<T>(y: Argv<T>, flags: readonly ProviderFlag[]) {
  let out = y.option('provider', { type: 'string', array: true, describe: 'Only these providers' });
  for (const { title, flag, env } of flags) {
    out = out.option(flag, { type: 'string', describe: `${title} home dir (overrides $${env})` });
  }
  return out;
}

/** The flags of `import`: locations, homes, output and logging. */
export function withCommon<T>(y: Argv<T>, flags: readonly ProviderFlag[]) {
  return withHomes(withLocations(y), flags)
    .option('json', { type: 'boolean', default: false, describe: 'Machine-readable output on stdout' })
    .option('quiet', { type: 'boolean', default: false, describe: 'Only errors on stderr' })
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'Say on stderr, per source, why it was converted, skipped or failed',
    })
    .option('log-format', {
      choices: LOG_FORMATS,
      default: 'text' as const,
      describe: 'Logs on stderr as sentences (text) or as pino JSON lines (json)',
    });
}
