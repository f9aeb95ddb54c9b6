#!/usr/bin/env node
/**
 * Entry point. Only yargs loads up front; each command's code is imported when it runs, so that
 * `--help` stays fast. The provider home flags come from a list the build writes, not from the
 * adapters themselves (see provider-flags.ts).
 */
import { readFileSync } from 'node:fs';
import yargs, { type ArgumentsCamelCase, type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CliError, EXIT, UsageError, errorMessage } from '../errors.js';
import { LOG_FORMATS } from '../log.js';
import { COMPLETENESS_VALUES, SCHEMA_NAMES } from '../model/names.js';
import { withCommon, withHomes, withLocations, withScope, withSessionId } from './options.js';
import { providerFlags, type ProviderFlag } from './provider-flags.js';

/** Commands that read only the archive: they take no provider flags. */
const ARCHIVE_COMMANDS = new Set(['list', 'show', 'schema', 'index', 'push', 'report', 'search', 'export']);

/** A command: its yargs syntax, its help line, its flags, and the module that runs it. */
interface Command {
  syntax: string | readonly string[];
  describe: string;
  flags: (y: Argv, providers: readonly ProviderFlag[]) => Argv;
  /** Imported only when the command runs, so that `--help` stays fast. */
  load: () => Promise<(args: never) => Promise<number>>;
}

/** A command whose handler takes the args its flags give (checked here, where both are known). */
function command<U>(c: {
  syntax: string | readonly string[];
  describe: string;
  flags: (y: Argv, providers: readonly ProviderFlag[]) => Argv<U>;
  load: () => Promise<(args: ArgumentsCamelCase<U>) => Promise<number>>;
}): Command {
  return c;
}

/** The commands, in the order `--help` lists them. */
const COMMAND_TABLE: readonly Command[] = [
  command({
    syntax: ['import', '$0'],
    describe: 'Import new and changed sessions (the default command)',
    flags: (y: Argv, providers: readonly ProviderFlag[]) =>
      withCommon(y, providers)
        .option('since', { type: 'string', describe: 'Only sources changed since a date or a duration (7d, 12h)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan, write nothing' })
        .option('force', { type: 'boolean', default: false, describe: 'Re-import every session' })
        .option('concurrency', {
          type: 'string',
          requiresArg: true,
          describe: 'Units converted at once (default: 2 x CPUs, at most 8)',
        })
        .option('redact', {
          type: 'boolean',
          describe:
            'Mask secrets (API keys, tokens, private keys, passwords) in imported text; kept for this logs dir until --no-redact, which converts every session again',
        })
        .option('wait', {
          type: 'string',
          requiresArg: true,
          describe: 'Wait up to SECONDS for another import of the same logs dir to finish (default: exit 75 at once)',
        })
        .option('workers', {
          type: 'string',
          requiresArg: true,
          describe:
            'Worker threads for conversion (default: auto, for large imports on several cores; 0 = none; at most one per core)',
        })
        .option('index', {
          type: 'boolean',
          default: true,
          describe: 'Keep the local index (archive.db in the logs dir) up to date; --no-index skips it',
        }),
    load: async () => (await import('./import-command.js')).importCommand,
  }),
  command({
    syntax: 'check',
    describe: 'Convert fixture homes and compare with their committed expected output (for CI)',
    flags: (y: Argv) =>
      y
        .option('fixtures', {
          type: 'string',
          default: 'fixtures',
          describe: 'Fixtures dir: <provider>/<case>/{input,expected}',
        })
        .option('update', { type: 'boolean', default: false, describe: 'Rewrite the expected output' })
        .option('provider', { type: 'string', array: true, describe: 'Only these providers' })
        .option('quiet', { type: 'boolean', default: false })
        .option('verbose', { type: 'boolean', default: false })
        .option('log-format', { choices: LOG_FORMATS, default: 'text' as const }),
    load: async () => (await import('./check-command.js')).checkCommand,
  }),
  command({
    syntax: 'list',
    describe: 'The sessions of a logs dir, newest first (reads index files only)',
    flags: (y: Argv) =>
      withScope(y)
        .option('since', { type: 'string', describe: 'Only sessions active since a date or a duration (7d, 12h)' })
        .option('completeness', {
          choices: COMPLETENESS_VALUES,
          array: true,
          describe: 'Only sessions of these completeness levels',
        })
        .option('limit', { type: 'number', describe: 'At most N sessions (the newest)' })
        .option('project', {
          type: 'string',
          describe: 'Only sessions whose workspace is DIR or inside it (DIR need not exist any more)',
        })
        .option('subagents', {
          type: 'boolean',
          default: true,
          describe: 'Sub-agent sessions under their parent; --no-subagents hides them',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'One JSON object per line: the index entry and its logs_dir',
        }),
    load: async () => (await import('./list-command.js')).listCommand,
  }),
  command({
    syntax: 'show [id]',
    describe: "One session's events, one line each (ID: a session id or its start, as `list` prints it)",
    flags: (y: Argv) =>
      withSessionId(y)
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'The raw normalized lines (the session file as it is)',
        })
        .option('full', {
          type: 'boolean',
          default: false,
          describe: 'Whole messages, tool inputs and outputs, not one line each',
        })
        .option('only', {
          type: 'string',
          array: true,
          describe: 'Only these lines: user, assistant, thinking, tool, result, usage, …',
        }),
    load: async () => (await import('./show-command.js')).showCommand,
  }),
  command({
    syntax: 'report <kind>',
    describe: 'Token usage and cost by day, week, month, session, model or project (from the local index)',
    flags: (y: Argv) =>
      withScope(y)
        .positional('kind', {
          choices: ['daily', 'weekly', 'monthly', 'session', 'model', 'project'] as const,
          demandOption: true,
          describe: 'How to group model calls',
        })
        .option('since', { type: 'string', describe: 'Only calls since a date or a duration (7d, 12h)' })
        .option('until', { type: 'string', describe: 'Only calls before a date or a duration ago' })
        .option('json', { type: 'boolean', default: false, describe: 'One JSON object per row' }),
    load: async () => (await import('./report-command.js')).reportCommand,
  }),
  command({
    syntax: 'search <query>',
    describe: 'Full-text search of prompts, answers and tool calls (FTS5 syntax: words, "phrases", OR, NOT, prefix*)',
    flags: (y: Argv) =>
      withScope(y)
        .positional('query', { type: 'string', demandOption: true })
        .option('role', {
          choices: ['user', 'assistant', 'tool'] as const,
          describe: 'Only prompts, answers, or tool calls and results',
        })
        .option('since', { type: 'string', describe: 'Only events since a date or a duration (7d, 12h)' })
        .option('limit', { type: 'number', default: 20, describe: 'At most N hits' })
        .option('json', { type: 'boolean', default: false, describe: 'One JSON object per hit' }),
    load: async () => (await import('./search-command.js')).searchCommand,
  }),
  command({
    syntax: 'export <id>',
    describe: 'One session as a readable transcript (Markdown, HTML) or its event lines (JSONL)',
    flags: (y: Argv) =>
      withSessionId(y)
        .option('format', { choices: ['md', 'html', 'jsonl'] as const, default: 'md' as const })
        .option('redact', {
          type: 'boolean',
          default: false,
          describe: 'Mask secrets (API keys, tokens, private keys, URL passwords)',
        }),
    load: async () => (await import('./export-command.js')).exportCommand,
  }),
  command({
    syntax: 'index',
    describe: 'Bring the local index (archive.db: SQLite, full-text search) up to date with the archive',
    flags: (y: Argv) =>
      withLocations(y)
        .option('rebuild', { type: 'boolean', default: false, describe: 'Make it anew from the session files' })
        .option('json', { type: 'boolean', default: false, describe: 'What was indexed, as JSON' })
        .option('quiet', { type: 'boolean', default: false }),
    load: async () => (await import('./index-command.js')).indexCommand,
  }),
  command({
    syntax: 'push',
    describe: 'Send the archive to a PostgreSQL server (idempotent: only what changed since the last push)',
    flags: (y: Argv) =>
      withLocations(y)
        .option('to', { type: 'string', describe: 'postgresql://USER@HOST:PORT/DB (default $IMPORT_LOGS_PUSH_URL)' })
        .option('content', {
          choices: ['none', 'redacted', 'full'] as const,
          default: 'none' as const,
          describe: 'Text sent: none (metadata and usage only), redacted, or full',
        })
        .option('host', { type: 'string', describe: 'Name of this machine on the server (default: the host name)' })
        .option('json', { type: 'boolean', default: false, describe: 'What was pushed, as JSON' })
        .option('quiet', { type: 'boolean', default: false }),
    load: async () => (await import('./push-command.js')).pushCommand,
  }),
  command({
    syntax: 'doctor',
    describe: "Where each provider's files are, what was imported, what failed and why, retention risks",
    flags: (y: Argv, providers: readonly ProviderFlag[]) =>
      withHomes(withLocations(y), providers).option('json', {
        type: 'boolean',
        default: false,
        describe: 'The report as JSON (schema/doctor.schema.json)',
      }),
    load: async () => (await import('./doctor-command.js')).doctorCommand,
  }),
  command({
    syntax: 'schema [name]',
    describe: 'JSON Schema of the event line and the other files, generated from the zod schemas',
    flags: (y: Argv) =>
      y
        .positional('name', {
          choices: SCHEMA_NAMES,
          default: 'event-line' as const,
          describe: 'Which schema to print',
        })
        .option('write', {
          type: 'string',
          describe: 'Write every schema into DIR (as the committed schema/ folder) instead',
        }),
    load: async () => (await import('./schema-command.js')).schemaCommand,
  }),
];

/** The command names (the first word of each syntax), for "did you mean". */
const COMMANDS = COMMAND_TABLE.map((c) => [c.syntax].flat()[0]!.split(' ')[0]!);
/** Flags whose value may be mistaken for flags by the parser when it starts with `-`. */
const VALUE_FLAGS = ['--since', '--limit', '--concurrency', '--workers', '--wait'];

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** Mistakes the parser would answer with a line of its own jargon, said as a sentence instead. */
function checkWords(argv: string[]): void {
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !COMMANDS.includes(first)) {
    const near = COMMANDS.filter((c) => distance(first, c) <= 2);
    const hint = near.length > 0 ? `did you mean ${near.join(' or ')}?` : `the commands are ${COMMANDS.join(', ')}`;
    throw new UsageError(`unknown command ${first}: ${hint}`);
  }
  argv.forEach((arg, i) => {
    const value = argv[i + 1];
    if (VALUE_FLAGS.includes(arg) && value !== undefined && /^-\d/.test(value)) {
      throw new UsageError(
        `${arg} ${value}: expected a value without a minus sign (${arg === '--since' ? '3d means 3 days ago' : 'a whole number'})`,
      );
    }
  });
}

/**
 * The version `--version` prints, from the package's package.json: three folders up from this
 * module (dist/src/cli/). yargs would look for it from where yargs lies, which in the bundle
 * (build/bundle.ts) is this module too, and so would find none when installed.
 */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
}

async function run(argv: string[]): Promise<number> {
  checkWords(argv);
  const providers: ProviderFlag[] = ARCHIVE_COMMANDS.has(argv[0] ?? '') ? [] : await providerFlags();
  /** What the command that ran returned. */
  const outcome: { exitCode: number } = { exitCode: EXIT.ok };
  let parser = yargs(argv)
    .scriptName('import-logs')
    .usage('$0 [import] [options]\n\nImport AI coding agent sessions into one normalized event log.');
  for (const c of COMMAND_TABLE) {
    parser = parser.command(
      c.syntax,
      c.describe,
      (y) => c.flags(y, providers),
      async (args) => {
        outcome.exitCode = await (await c.load())(args as never);
      },
    );
  }
  await parser
    .strict()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    // yargs' own messages in English, as the tool's: its translations are not in the bundle.
    .locale('en')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .parseAsync();
  return outcome.exitCode;
}

// A reader that stops early (`list --json | head -1`) is not an error: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});

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
    process.stderr.write(
      `import-logs: internal error: ${err instanceof Error ? (err.stack ?? err.message) : errorMessage(err)}\n`,
    );
    process.exitCode = EXIT.failed;
  },
);
