/** `import-logs search QUERY`: ranked full-text hits from the local index. */
import { searchLocalIndex, type SearchHit, type SearchRole } from '../database/local-index.js';
import { EXIT, UsageError } from '../errors.js';
import { indexedLogsDirs, timeBound, type ScopeArgs } from './indexed-scope.js';
import { providerNames } from './provider-flags.js';
import { useColour } from './terminal.js';
import { columns, localDateTime, oneLine } from './text.js';

export interface SearchArgs extends ScopeArgs {
  query: string;
  provider?: string[] | undefined;
  role?: SearchRole | undefined;
  since?: string | undefined;
  limit: number;
  json: boolean;
}

const ROLES: Record<string, string> = {
  user_message: 'user',
  assistant_message: 'assistant',
  reasoning: 'thinking',
  tool_call: 'tool call',
  tool_result: 'tool result',
};

/** Private-use characters around each matched term, replaced by brackets or colour once the snippet is cut to one line. */
const MARKS = ['\uE000', '\uE001'] as const;

function marked(snippet: string, colour: boolean): string {
  const [open, close] = colour ? ['\u001b[1;33m', '\u001b[0m'] : ['[', ']'];
  return snippet.replaceAll(MARKS[0], open).replaceAll(MARKS[1], close);
}

/** Best first across logs dirs: FTS5 ranks are per database, so hits keep each one's order, interleaved. */
function interleave(lists: SearchHit[][], limit: number): SearchHit[] {
  const out: SearchHit[] = [];
  for (let i = 0; out.length < limit && lists.some((l) => i < l.length); i++) {
    for (const l of lists) if (i < l.length && out.length < limit) out.push(l[i]!);
  }
  return out;
}

export async function searchCommand(args: SearchArgs): Promise<number> {
  if (!Number.isInteger(args.limit) || args.limit < 1)
    throw new UsageError(`--limit ${args.limit}: expected a whole number of at least 1`);
  const colour = !args.json && useColour(process.stdout);
  const opts = {
    limit: args.limit,
    providers: providerNames(args.provider),
    since: timeBound(args.since),
    ...(args.role ? { role: args.role } : {}),
    marks: MARKS,
  };
  const lists: SearchHit[][] = [];
  for (const dir of await indexedLogsDirs(args)) {
    try {
      lists.push(await searchLocalIndex(dir, args.query, opts));
    } catch (err) {
      // FTS5 rejects a malformed query (an unbalanced quote, a bare NOT): the user's input, not a bug.
      throw new UsageError(`search ${JSON.stringify(args.query)}: ${(err as Error).message}`);
    }
  }
  const hits = interleave(lists, args.limit);
  if (args.json) {
    process.stdout.write(hits.map((h) => `${JSON.stringify({ ...h, snippet: marked(h.snippet, false) })}\n`).join(''));
    return EXIT.ok;
  }
  if (hits.length === 0) {
    process.stdout.write(`No match for ${args.query}.\n`);
    return EXIT.ok;
  }
  const rows = hits.map((h) => [
    `${h.session_id}#${h.seq}`,
    localDateTime(h.ts),
    `${ROLES[h.type] ?? h.type}${h.tool_name ? ` ${h.tool_name}` : ''}`,
    marked(oneLine(h.snippet, 200), colour),
  ]);
  process.stdout.write(
    `${columns(rows, ['left', 'left', 'left', 'left']).join('\n')}\n${hits.length} hit${hits.length === 1 ? '' : 's'}, best first. \`import-logs show ID\` shows a session.\n`,
  );
  return EXIT.ok;
}
