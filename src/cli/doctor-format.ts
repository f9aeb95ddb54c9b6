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

/** One line of a provider's section: a label (blank under the first of a kind) and its text. */
type Row = readonly [label: string, text: string];

/** Rows of one kind: the label on the first only. */
function labelled(label: string, texts: readonly string[]): Row[] {
  return texts.map((text, i) => [i === 0 ? label : '', text]);
}

function homeRows(p: DoctorProvider, home: string): Row[] {
  if (p.homes.length === 0) return [['homes', 'none to look at']];
  return labelled(
    'homes',
    p.homes.map((h) => `${tildePath(h.path, home)}  via ${h.via}${h.found ? '' : ', not found'}`),
  );
}

/** The files found, the sessions imported of them, and those kept after their files went. */
function archiveRows(p: DoctorProvider): Row[] {
  const pending =
    p.pending_sources === null
      ? ''
      : p.pending_sources > 0
        ? `; ${groupDigits(p.pending_sources)} new or changed since the last import`
        : '; all imported';
  const levels = (['full', 'partial', 'metadata_only'] as const)
    .filter((l) => p.completeness[l] > 0)
    .map((l) => `${groupDigits(p.completeness[l])} ${l}`);
  const kept = p.retained
    .slice(0, MAX_FAILED)
    .map((r) => `${r.id}: kept ${groupDigits(r.events)} event${r.events === 1 ? '' : 's'} no longer in the source`);
  if (p.retained.length > MAX_FAILED)
    kept.push(`… and ${p.retained.length - MAX_FAILED} more sessions (--json lists all)`);
  const formats = Object.entries(p.formats).map(([f, n]) => `${f} ${groupDigits(n)}`);
  return [
    [
      'sources',
      `${groupDigits(p.sources)} file${p.sources === 1 ? '' : 's'}, ${formatBytes(p.source_bytes)}${pending}`,
    ],
    ['sessions', p.sessions === 0 ? 'none imported' : `${groupDigits(p.sessions)} (${levels.join(', ')})`],
    ...labelled(
      '',
      p.removed_at_source > 0
        ? [`${groupDigits(p.removed_at_source)} whose native files are gone (kept in the archive)`]
        : [],
    ),
    ...labelled('kept', kept),
    ...labelled('formats', formats.length > 0 ? [formats.join(', ')] : []),
    ...labelled(
      'not full',
      p.completeness_reasons.map((r) => `${groupDigits(r.sessions)} × ${oneLine(r.reason, 90)}`),
    ),
  ];
}

/** The newest session, the last import and what failed in it. */
function importRows(p: DoctorProvider, now: number, home: string, stateUsable: boolean): Row[] {
  const rows: Row[] = [];
  if (p.newest_session)
    rows.push(['newest', `${p.newest_session.id}, started ${localDateTime(p.newest_session.started_at)}`]);
  rows.push([
    'last import',
    p.last_import !== null ? ago(p.last_import, now) : stateUsable ? 'never' : 'unknown (state unusable)',
  ]);
  if (p.failed_count === 0) return rows;
  rows.push(['failed', `${groupDigits(p.failed_count)} in the last import:`]);
  for (const f of p.failed.slice(0, MAX_FAILED))
    rows.push([
      '',
      `${tildePath(f.path, home)}: ${oneLine(tildeText(f.message.replace(`${f.path}: `, ''), home), 100)}`,
    ]);
  if (p.failed_count > MAX_FAILED)
    rows.push(['', `… and ${p.failed_count - MAX_FAILED} more (--json lists ${p.failed.length})`]);
  return rows;
}

function retentionRows(p: DoctorProvider, home: string): Row[] {
  if (p.retention.length === 0) return [['retention', 'no deletion known']];
  return labelled(
    'retention',
    p.retention.map(
      (r) =>
        `${r.days} days: ${tildeText(r.source, home)}${p.retention.length > 1 ? ` (${tildePath(r.home, home)})` : ''}`,
    ),
  );
}

function providerLines(p: DoctorProvider, now: number, home: string, stateUsable: boolean): string[] {
  const head = `${p.id} — ${p.title}  (home: ${p.flag} or $${p.env})`;
  const text = (rows: readonly Row[]) => rows.map(([label, t]) => `  ${label.padEnd(13)}${t}`);
  if (!p.homes.some((h) => h.found)) {
    const hint = `not installed here? If ${p.title} keeps its files elsewhere, set $${p.env} or ${p.flag}.`;
    return [head, ...text([...homeRows(p, home), ['', hint]])];
  }
  return [
    head,
    ...text([
      ...homeRows(p, home),
      ...archiveRows(p),
      ...importRows(p, now, home, stateUsable),
      ...retentionRows(p, home),
    ]),
    ...p.warnings.map((w) => `  ! ${tildeText(w, home)}`),
  ];
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
