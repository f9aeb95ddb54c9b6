/** `import-logs push --to postgresql://…`: sends a logs dir to a team's PostgreSQL server. */
import { hostname } from 'node:os';
import { readLogsIndex } from '../archive/read.js';
import { pushArchive } from '../database/push.js';
import type { ContentMode } from '../database/rows.js';
import { EXIT, UsageError } from '../errors.js';
import { resolveLocations } from '../importer/locations.js';

export interface PushArgs {
  root?: string | undefined;
  store?: string | undefined;
  out?: string | undefined;
  to?: string | undefined;
  content: ContentMode;
  host?: string | undefined;
  json: boolean;
  quiet: boolean;
}

export async function pushCommand(args: PushArgs): Promise<number> {
  const url = args.to ?? process.env.IMPORT_LOGS_PUSH_URL;
  if (!url) throw new UsageError('push needs a server: --to postgresql://USER@HOST/DB (or $IMPORT_LOGS_PUSH_URL)');
  const { logsDir } = resolveLocations(args);
  const entries = await readLogsIndex(logsDir);
  if (entries === null) throw new UsageError(`${logsDir}: nothing imported yet; run import-logs first`);
  const summary = await pushArchive({ logsDir, entries, url, host: args.host ?? hostname(), content: args.content });
  if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else if (!args.quiet) {
    const kept =
      summary.sessions_kept_on_server > 0
        ? ` (${summary.sessions_kept_on_server} kept the server's more complete copy)`
        : '';
    process.stdout.write(
      `Pushed ${summary.sessions_pushed} session(s)${kept}, ${summary.events_sent} event(s), ${summary.rows_written} row(s) written to ${summary.target} ` +
        `as ${summary.host}, content ${summary.content}; ${summary.sessions_unchanged} unchanged.\n`,
    );
  }
  return EXIT.ok;
}
