/** The one-screen human summary of an import run. */
import type { ImportSummary } from '../importer/run.js';

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

const MAX_LISTED = 10;

export function formatSummary(s: ImportSummary): string {
  const lines: string[] = [];
  const providers = Object.entries(s.providers);
  const anyHome = providers.some(([, p]) => p.homes.some((h) => h.found));
  const anySource = providers.some(([, p]) => p.sources > 0);
  lines.push(s.dry_run ? `Plan for ${s.logs_dir} (dry run: nothing written)` : `Logs: ${s.logs_dir}`);
  for (const [id, p] of providers) {
    const found = p.homes.filter((h) => h.found);
    if (found.length === 0) {
      const looked = p.homes.map((h) => `${h.path} (${h.via})`).join(', ') || 'nowhere';
      lines.push(`  ${id.padEnd(8)} no home found; looked at ${looked}`);
      continue;
    }
    const parts = s.dry_run
      ? [`${p.sources} sources`, `${p.pending_units} to convert (${mb(p.bytes_to_read)})`, `${p.unchanged_units} unchanged`]
      : [`${p.new_sessions} new`, `${p.updated_sessions} updated`, `${p.unchanged_sessions} unchanged`, `${p.failed_units} failed`];
    if (p.skipped_since > 0) parts.push(`${p.skipped_since} older than --since`);
    if (p.removed_at_source > 0) parts.push(`${p.removed_at_source} removed at source (kept)`);
    lines.push(`  ${id.padEnd(8)} ${parts.join(', ')}  [${found.map((h) => h.path).join(', ')}]`);
  }
  if (!anyHome || !anySource) {
    lines.push('No sessions found. Set the provider homes with the flags or environment variables in --help.');
  }
  if (!s.dry_run) lines.push(`Read ${mb(s.bytes_read)}, wrote ${mb(s.bytes_written)} in ${(s.duration_ms / 1000).toFixed(1)} s.`);
  if (s.warnings.length > 0) {
    lines.push(`Warnings (${s.warnings.length}):`);
    for (const w of s.warnings.slice(0, MAX_LISTED)) lines.push(`  - ${w}`);
    if (s.warnings.length > MAX_LISTED) lines.push(`  … and ${s.warnings.length - MAX_LISTED} more (--json lists all)`);
  }
  if (s.errors.length > 0) {
    lines.push(`Failed sources (${s.errors.length}):`);
    for (const e of s.errors.slice(0, MAX_LISTED)) {
      lines.push(`  - [${e.provider}] ${e.message.includes(e.path) ? e.message : `${e.path}: ${e.message}`}`);
    }
    if (s.errors.length > MAX_LISTED) lines.push(`  … and ${s.errors.length - MAX_LISTED} more (--json lists all)`);
    lines.push('These sources were not imported; everything else was. They are retried on every run:');
    lines.push('fix or remove the file, or report the message if the file looks fine.');
  }
  return `${lines.join('\n')}\n`;
}
