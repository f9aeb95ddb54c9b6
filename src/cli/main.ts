#!/usr/bin/env node
/**
 * Entry point. Only yargs loads up front; each command's code is imported when it runs, so that
 * `--help` stays fast.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { adapters } from '../../adapters/index.js';
import { CliError, EXIT, errorMessage } from '../errors.js';

export interface CommonArgs {
  store?: string | undefined;
  out?: string | undefined;
  root?: string | undefined;
  provider?: string[] | undefined;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  [flag: string]: unknown;
}

function withCommon<T>(y: Argv<T>) {
  let out = y
    .option('root', { type: 'string', describe: 'Only sessions whose workspace is DIR or inside it; logs go to the project logs dir' })
    .option('store', { type: 'string', describe: 'Store dir (default $IMPORT_LOGS_HOME or ${XDG_DATA_HOME:-~/.local/share}/import-logs)' })
    .option('out', { type: 'string', describe: 'Logs dir to use directly (no store-wide index unless --store is given)' })
    .option('provider', { type: 'string', array: true, describe: 'Only these providers' })
    .option('json', { type: 'boolean', default: false, describe: 'Machine-readable output on stdout' })
    .option('quiet', { type: 'boolean', default: false, describe: 'Only errors on stderr' })
    .option('verbose', { type: 'boolean', default: false, describe: 'Debug logs on stderr' });
  for (const { title, home } of adapters) {
    out = out.option(home.flag, { type: 'string', describe: `${title} home dir (overrides $${home.env})` });
  }
  return out;
}

async function run(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const parser = yargs(argv)
    .scriptName('import-logs')
    .usage('$0 [import] [options]\n\nImport AI coding agent sessions into one normalized event log.')
    .command(
      ['import', '$0'],
      'Import new and changed sessions (the default command)',
      (y) =>
        withCommon(y)
          .option('since', { type: 'string', describe: 'Only sources changed since a date or a duration (7d, 12h)' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan, write nothing' })
          .option('force', { type: 'boolean', default: false, describe: 'Re-import every session' })
          .option('concurrency', { type: 'number', describe: 'Units converted at once (default: 2 x CPUs, at most 8)' })
          .option('workers', { type: 'number', describe: 'Worker threads for conversion (default: auto, for large imports on several cores; 0 = none)' }),
      async (args) => {
        const { importCommand } = await import('./import-command.js');
        exitCode = await importCommand(args as unknown as Parameters<typeof importCommand>[0]);
      },
    )
    .command(
      'check',
      'Convert fixture homes and compare with their committed expected output (for CI)',
      (y) =>
        y
          .option('fixtures', { type: 'string', default: 'fixtures', describe: 'Fixtures dir: <provider>/<case>/{input,expected}' })
          .option('update', { type: 'boolean', default: false, describe: 'Rewrite the expected output' })
          .option('provider', { type: 'string', array: true, describe: 'Only these providers' })
          .option('quiet', { type: 'boolean', default: false })
          .option('verbose', { type: 'boolean', default: false }),
      async (args) => {
        const { checkCommand } = await import('./check-command.js');
        exitCode = await checkCommand(args);
      },
    )
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      throw err ?? new CliError(msg, EXIT.usage);
    });
  await parser.parseAsync();
  return exitCode;
}

run(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`import-logs: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    // A bug, not bad input: say so, with the stack, and fail.
    process.stderr.write(`import-logs: internal error: ${err instanceof Error ? (err.stack ?? err.message) : errorMessage(err)}\n`);
    process.exitCode = EXIT.sourcesFailed;
  },
);
