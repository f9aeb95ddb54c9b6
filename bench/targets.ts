/** The performance targets of the performance issue, in one table. All are upper bounds. */

export type TargetKey =
  | 'import_vs_baseline'
  | 'import_projected'
  | 'small_per_byte'
  | 'small_noop_ms'
  | 'small_noop_rss'
  | 'noop_rewrites'
  | 'noop_vs_ccusage'
  | 'noop_bytes_read'
  | 'append_vs_cold'
  | 'rss_1gb'
  | 'rss_growth'
  | 'help_ms'
  | 'index_vs_import';

export interface Target {
  key: TargetKey;
  label: string;
  /** The bound for a machine with `cores` cores. */
  limit(cores: number): number;
  /** True when the value must stay strictly under the bound ("under 300 ms", "less than 30%"). */
  strict: boolean;
  format(value: number): string;
}

const ratio = (v: number) => `${v.toFixed(2)}×`;
const MB = 1024 * 1024;
const megabytes = (v: number) => `${Math.round(v / MB)} MB`;
const ms = (v: number) => `${Math.round(v)} ms`;
/** Cores the projection of the cold import is made for. */
export const PROJECTED_CORES = 8;

/** A target: `key` at most `limit` (under it when `strict`), shown by `format`. */
function target(key: TargetKey, label: string, limit: number, format: (v: number) => string, strict = false): Target {
  return { key, label, limit: () => limit, strict, format };
}

export const TARGETS: readonly Target[] = [
  target('import_vs_baseline', 'cold import / 1-thread baseline (on 2 cores)', 1.6, ratio),
  target(
    'import_projected',
    `cold import / baseline projected to ${PROJECTED_CORES} cores from the serial fraction`,
    1.0,
    ratio,
  ),
  target('small_per_byte', 'cold import of the 100k-session home, time per byte / that of the main home', 3, ratio),
  target('small_noop_ms', 'no-op re-run of the 100k-session home', 1000, ms),
  target('small_noop_rss', 'peak RSS of the no-op re-run of the 100k-session home', 300 * MB, megabytes),
  target('noop_rewrites', 'state and index files rewritten by no-op re-runs (every home)', 0, (v) => `${v}`),
  target('noop_vs_ccusage', "no-op re-run / ccusage's cold run", 0.2, ratio),
  target('noop_bytes_read', 'transcript bytes read by the no-op re-run', 0, (v) => `${v} B`),
  target('append_vs_cold', 're-run after one appended turn / cold import', 0.05, ratio),
  target('rss_1gb', 'peak RSS, home holding one 1 GB session', 300 * MB, megabytes),
  target('rss_growth', 'peak RSS growth, 400 MB home → 2 GB home', 0.3, (v) => `${(v * 100).toFixed(0)}%`, true),
  target('help_ms', '`import-logs --help` start-up', 300, ms, true),
  target('index_vs_import', 'cold import with the local index / without it', 1.3, ratio),
];

export type Verdict = 'met' | 'missed' | 'not measured';

export function judge(target: Target, value: number | null, cores: number): Verdict {
  if (value === null) return 'not measured';
  const limit = target.limit(cores);
  return (target.strict ? value < limit : value <= limit) ? 'met' : 'missed';
}

/** The verdict as printed: a missed target says by how much (and by what share of its bound). */
export function verdictText(target: Target, value: number | null, cores: number): string {
  const verdict = judge(target, value, cores);
  if (verdict !== 'missed' || value === null) return verdict;
  const limit = target.limit(cores);
  const over = value - limit;
  const share = limit > 0 ? ` (${Math.round((over / limit) * 100)}% over)` : '';
  return `missed by ${target.format(over)}${share}`;
}

/**
 * Amdahl's law from two cold imports, on one worker and on `n`: the share of the run that does not
 * get faster with more workers (0 when `n` workers divide the time by `n`, 1 when they gain nothing).
 */
export function serialFraction(oneWorkerMs: number, nWorkersMs: number, n: number): number {
  return Math.min(1, Math.max(0, ((n * nWorkersMs) / oneWorkerMs - 1) / (n - 1)));
}

/** The time on `cores` workers that the serial fraction implies, as a share of the one-worker time. */
export function projectedShare(serial: number, cores: number): number {
  return serial + (1 - serial) / cores;
}
