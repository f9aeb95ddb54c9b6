/** The human report of `import-logs doctor`. */
import type { DoctorProvider, DoctorReport } from '../model/reports.js';
import { formatBytes, groupDigits, humanDuration, localDateTime, oneLine, tildePath } from './text.js';

const MAX_FAILED = 10;

function ago(iso: string, now: number): string {
  return `${humanDuration(now - Date.parse(iso))} ago (${localDateTime(iso)})`;
}

/** Paths under the home directory as `~/…`, anywhere in a message. */
function tildeText(text: string, home: string): string {
  return home === '' || home === '/' ? text : text.split(`${home}/`).join('~/');
}

function providerLines(p: DoctorProvider, now: number, home: string, stateUsable: boolean): string[] {
  const lines = [`${p.id} — ${p.title}  (home: ${p.flag} or $${p.env})`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(13)}${text}`);
  p.homes.forEach((h, i) =>
    row(i === 0 ? 'homes' : '', `${tildePath(h.path, home)}  via ${h.via}${h.found ? '' : ', not found'}`),
  );
  if (p.homes.length === 0) row('homes', 'none to look at');
  if (!p.homes.some((h) => h.found)) {
    row('', `not installed here? If ${p.title} keeps its files elsewhere, set $${p.env} or ${p.flag}.`);
    return lines;
  }
  const pending =
    p.pending_sources === null
      ? ''
      : p.pending_sources > 0
        ? `; ${groupDigits(p.pending_sources)} new or changed since the last import`
        : '; all imported';
  row(
    'sources',
    `${groupDigits(p.sources)} file${p.sources === 1 ? '' : 's'}, ${formatBytes(p.source_bytes)}${pending}`,
  );
  const levels = (['full', 'partial', 'metadata_only'] as const)
    .filter((l) => p.completeness[l] > 0)
    .map((l) => `${groupDigits(p.completeness[l])} ${l}`);
  row('sessions', p.sessions === 0 ? 'none imported' : `${groupDigits(p.sessions)} (${levels.join(', ')})`);
  if (p.removed_at_source > 0)
    row('', `${groupDigits(p.removed_at_source)} whose native files are gone (kept in the archive)`);
  p.retained
    .slice(0, MAX_FAILED)
    .forEach((r, i) =>
      row(
        i === 0 ? 'kept' : '',
        `${r.id}: kept ${groupDigits(r.events)} event${r.events === 1 ? '' : 's'} no longer in the source`,
      ),
    );
  if (p.retained.length > MAX_FAILED)
    row('', `… and ${p.retained.length - MAX_FAILED} more sessions (--json lists all)`);
  const formats = Object.entries(p.formats).map(([f, n]) => `${f} ${groupDigits(n)}`);
  if (formats.length > 0) row('formats', formats.join(', '));
  p.completeness_reasons.forEach((r, i) =>
    row(i === 0 ? 'not full' : '', `${groupDigits(r.sessions)} × ${oneLine(r.reason, 90)}`),
  );
  if (p.newest_session) row('newest', `${p.newest_session.id}, started ${localDateTime(p.newest_session.started_at)}`);
  row(
    'last import',
    p.last_import !== null ? ago(p.last_import, now) : stateUsable ? 'never' : 'unknown (state unusable)',
  );
  if (p.failed_count > 0) {
    row('failed', `${groupDigits(p.failed_count)} in the last import:`);
    for (const f of p.failed.slice(0, MAX_FAILED))
      row('', `${tildePath(f.path, home)}: ${oneLine(tildeText(f.message.replace(`${f.path}: `, ''), home), 100)}`);
    if (p.failed_count > MAX_FAILED)
      row('', `… and ${p.failed_count - MAX_FAILED} more (--json lists ${p.failed.length})`);
  }
  p.retention.forEach((r, i) =>
    row(
      i === 0 ? 'retention' : '',
      `${r.days} days: ${tildeText(r.source, home)}${p.retention.length > 1 ? ` (${tildePath(r.home, home)})` : ''}`,
    ),
  );
  if (p.retention.length === 0) row('retention', 'no deletion known');
  for (const w of p.warnings) lines.push(`  ! ${tildeText(w, home)}`);
  return lines;
}

function redactionText(r: NonNullable<DoctorReport['redaction']>): string {
  if (!r.enabled) return 'off (`--redact` turns it on for this logs dir)';
  const rules =
    r.rules_version === r.current_rules_version
      ? `rules version ${r.current_rules_version}`
      : `rules version ${r.rules_version ?? 1}; the next import converts every session again with version ${r.current_rules_version}`;
  return `on: every import masks secrets (${rules}); \`--no-redact\` turns it off`;
}

export function formatDoctor(r: DoctorReport, now: number, home: string): string {
  const lines = [
    `logs dir     ${tildePath(r.logs_dir, home)}${r.store === null ? '' : `  (store ${tildePath(r.store, home)})`}`,
  ];
  const state =
    r.state.status === 'ok'
      ? `ok${r.state.message ? `, ${r.state.message}` : ''}`
      : r.state.status === 'missing'
        ? `none: ${r.state.message ?? ''}`
        : 'unusable (below)';
  lines.push(`state        ${state}`);
  if (r.redaction !== null) lines.push(`redaction    ${redactionText(r.redaction)}`);
  lines.push(`index        ${r.index_sessions === null ? 'none yet' : `${groupDigits(r.index_sessions)} sessions`}`);
  if (r.import_running)
    lines.push(
      `import       running now (pid ${r.import_running.pid} on ${r.import_running.host}, since ${localDateTime(r.import_running.started_at)})`,
    );
  for (const p of r.providers) lines.push('', ...providerLines(p, now, home, r.state.status !== 'unusable'));
  lines.push('');
  if (r.warnings.length === 0) lines.push('No problems found.');
  else {
    const top = r.warnings.filter((w) => !r.providers.some((p) => w.startsWith(`${p.id}: `)));
    for (const w of top) lines.push(`! ${tildeText(w, home)}`);
    lines.push(`${r.warnings.length} problem${r.warnings.length === 1 ? '' : 's'} found (marked !).`);
  }
  return `${lines.join('\n')}\n`;
}
