/** The one-screen human summary of an import run: per provider, warnings, where it went, what next. */
import { homedir } from 'node:os';
import type { ImportSummary, ProviderSummary } from '../model/reports.js';
import { globalIndexPath } from '../archive/layout.js';
import { columns, formatBytes, tildePath } from './text-core.js';

const MAX_LISTED = 10;

function notes(p: ProviderSummary): string {
  const parts: string[] = [];
  if (p.skipped_since > 0) parts.push(`${p.skipped_since} older than --since`);
  if (p.removed_at_source > 0) parts.push(`${p.removed_at_source} removed at source (kept)`);
  return parts.join(', ');
}

function providerTable(s: ImportSummary, home: string): string[] {
  const header = s.dry_run
    ? ['', 'SOURCES', 'TO CONVERT', 'TO READ', 'UNCHANGED', 'HOME']
    : ['', 'NEW', 'UPDATED', 'UNCHANGED', 'FAILED', 'HOME'];
  const rows = [header];
  for (const [id, p] of Object.entries(s.providers)) {
    const found = p.homes.filter((h) => h.found);
    if (found.length === 0) {
      const looked = p.homes.map((h) => `${tildePath(h.path, home)} (${h.via})`).join(', ') || 'nowhere';
      rows.push([id, '-', '-', '-', '-', `none found; looked at ${looked}`]);
      continue;
    }
    const where = [found.map((h) => tildePath(h.path, home)).join(', '), notes(p)].filter(Boolean).join('; ');
    rows.push(
      s.dry_run
        ? [
            id,
            String(p.sources),
            String(p.pending_units),
            formatBytes(p.bytes_to_read),
            String(p.unchanged_units),
            where,
          ]
        : [
            id,
            String(p.new_sessions),
            String(p.updated_sessions),
            String(p.unchanged_sessions),
            String(p.failed_units),
            where,
          ],
    );
  }
  return columns(rows, ['left', 'right', 'right', 'right', 'right', 'left']).map((l) => `  ${l}`);
}

function listed(title: string, items: readonly string[]): string[] {
  const lines = [`${title} (${items.length}):`, ...items.slice(0, MAX_LISTED).map((i) => `  - ${i}`)];
  if (items.length > MAX_LISTED) lines.push(`  … and ${items.length - MAX_LISTED} more (--json lists all)`);
  return lines;
}

/** `scope`: the location flags of the run (` --root .`), kept in the commands it suggests. */
export function formatSummary(s: ImportSummary, home = homedir(), scope = ''): string {
  const providers = Object.values(s.providers);
  const logsDir = tildePath(s.logs_dir, home);
  const lines = [
    s.dry_run ? `Plan for logs dir ${logsDir} (dry run: nothing written)` : `Logs dir ${logsDir}`,
    ...providerTable(s, home),
  ];
  if (!providers.some((p) => p.homes.some((h) => h.found) && p.sources > 0)) {
    lines.push('No sessions found. Set the provider homes with the flags or environment variables in --help.');
  }
  if (!s.dry_run) {
    const changed = providers.reduce((n, p) => n + p.new_sessions + p.updated_sessions, 0);
    const index = s.store === null ? '' : `; store index ${tildePath(globalIndexPath(s.store), home)}`;
    lines.push(
      changed > 0
        ? `Read ${formatBytes(s.bytes_read)}, wrote ${formatBytes(s.bytes_written)} in ${(s.duration_ms / 1000).toFixed(1)} s (sessions/ and index.json in the logs dir${index}).`
        : `Nothing new to import (${(s.duration_ms / 1000).toFixed(1)} s).`,
    );
  }
  if (s.retained.length > 0) {
    lines.push(
      ...listed(
        'Kept in the archive, no longer in the source',
        s.retained.map(
          (r) => `${r.session}: kept ${r.events} event${r.events === 1 ? '' : 's'} no longer in the source`,
        ),
      ),
    );
  }
  if (s.warnings.length > 0) lines.push(...listed('Warnings', s.warnings));
  if (s.errors.length > 0) {
    lines.push(
      ...listed(
        'Failed sources',
        s.errors.map((e) => `[${e.provider}] ${e.message}`),
      ),
    );
    lines.push('These sources were not imported; everything else was, and they are retried on every run.');
    lines.push(
      'Fix or remove the file, or report the message with the file if it looks fine (`import-logs doctor` lists them again).',
    );
  } else if (!s.dry_run && providers.some((p) => p.sources > 0)) {
    lines.push(
      `See them with \`import-logs list${scope}\`, one with \`import-logs show${scope} ID\`; \`import-logs doctor${scope}\` checks the setup.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
