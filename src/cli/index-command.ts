/** `import-logs index`: brings the local index (`archive.db`) up to date, or rebuilds it from the archive. */
import { homedir } from 'node:os';
import { localIndexPath } from '../archive/layout.js';
import { updateLocalIndex } from '../database/local-index.js';
import { ArchiveError, EXIT } from '../errors.js';
import { resolveLocations } from '../importer/locations.js';
import { tildePath } from './text-core.js';

export interface IndexArgs {
  root?: string | undefined;
  store?: string | undefined;
  out?: string | undefined;
  rebuild: boolean;
  json: boolean;
  quiet: boolean;
}

export async function indexCommand(args: IndexArgs): Promise<number> {
  const { logsDir } = resolveLocations(args);
  const result = await updateLocalIndex(logsDir, { rebuild: args.rebuild }).catch((err: unknown) => {
    throw new ArchiveError(`${localIndexPath(logsDir)}: ${(err as Error).message}`);
  });
  const path = tildePath(localIndexPath(logsDir), homedir());
  if (args.json) process.stdout.write(`${JSON.stringify({ database: localIndexPath(logsDir), ...result })}\n`);
  else if (!args.quiet) {
    process.stdout.write(
      result.changed
        ? `${path}: indexed ${result.sessions_indexed} session(s), ${result.events_indexed} event(s); removed ${result.sessions_removed}.\n`
        : `${path} is up to date.\n`,
    );
  }
  return EXIT.ok;
}
