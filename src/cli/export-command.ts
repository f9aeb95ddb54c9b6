/** `import-logs export ID --format md|html|jsonl`: one session as a transcript, or its event lines. */
import { findSession } from '../archive/find-session.js';
import { readLogsIndex } from '../archive/read.js';
import { EXIT, UsageError } from '../errors.js';
import { transcriptBlocks, toHtml, toMarkdown } from '../export/transcript.js';
import { readLines } from '../io/lines.js';
import { resolveLocations } from '../importer/locations.js';
import type { AgentLogEvent } from '../model/events.js';
import { redactSecrets } from '../writer/redact.js';

export interface ExportArgs {
  /** Required by the command syntax (`export <id>`). */
  id?: string | undefined;
  root?: string | undefined;
  store?: string | undefined;
  out?: string | undefined;
  format: 'md' | 'html' | 'jsonl';
  redact: boolean;
}

export async function exportCommand(args: ExportArgs): Promise<number> {
  const prefix = (args.id ?? '').trim();
  const locations = resolveLocations(args);
  const found = await findSession(prefix, locations.logsDir, locations.storeDir);
  if (found.kind === 'none')
    throw new UsageError(
      `no session id starts with ${prefix} (looked in ${found.searched.join(' and ')}); see \`import-logs list --all\``,
    );
  if (found.kind === 'ambiguous') {
    throw new UsageError(
      `${prefix} matches ${found.candidates.length} sessions; give more of the id (\`import-logs show ${prefix}\` lists them)`,
    );
  }
  const s = found.session;
  // The redaction rules work on JSON-encoded text and never break a line.
  const lines: string[] = [];
  for (const line of readLines(s.file)) {
    if (line.bytes.length === 0) continue;
    const text = line.bytes.toString('utf8');
    lines.push(args.redact ? redactSecrets(text) : text);
  }
  if (args.format === 'jsonl') {
    process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    return EXIT.ok;
  }
  const events = lines.map((l) => JSON.parse(l) as AgentLogEvent);
  const subAgents = ((await readLogsIndex(s.logsDir)) ?? [])
    .filter((e) => e.parent_session_id === s.id)
    .map((e) => (args.redact && e.title !== null ? { ...e, title: redactSecrets(e.title) } : e));
  const entry =
    s.entry && args.redact && s.entry.title !== null ? { ...s.entry, title: redactSecrets(s.entry.title) } : s.entry;
  const blocks = transcriptBlocks({ id: s.id, provider: s.provider, entry, subAgents }, events);
  process.stdout.write(args.format === 'html' ? toHtml(blocks) : toMarkdown(blocks));
  return EXIT.ok;
}
