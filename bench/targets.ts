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

export const TARGETS: readonly Target[] = [
  {
    key: 'import_vs_baseline',
    label: 'cold import / 1-thread baseline (on 2 cores)',
    limit: () => 1.6,
    strict: false,
    format: ratio,
  },
  {
    key: 'import_projected',
    label: `cold import / baseline projected to ${PROJECTED_CORES} cores from the serial fraction`,
    limit: () => 1.0,
    strict: false,
    format: ratio,
  },
  {
    key: 'small_per_byte',
    label: 'cold import of the 100k-session home, time per byte / that of the main home',
    limit: () => 3,
    strict: false,
    format: ratio,
  },
  {
    key: 'small_noop_ms',
    label: 'no-op re-run of the 100k-session home',
    limit: () => 1000,
    strict: false,
    format: ms,
  },
  {
    key: 'small_noop_rss',
    label: 'peak RSS of the no-op re-run of the 100k-session home',
    limit: () => 300 * MB,
    strict: false,
    format: megabytes,
  },
  {
    key: 'noop_rewrites',
    label: 'state and index files rewritten by no-op re-runs (every home)',
    limit: () => 0,
    strict: false,
    format: (v) => `${v}`,
  },
  {
    key: 'noop_vs_ccusage',
    label: "no-op re-run / ccusage's cold run",
    limit: () => 0.2,
    strict: false,
    format: ratio,
  },
  {
    key: 'noop_bytes_read',
    label: 'transcript bytes read by the no-op re-run',
    limit: () => 0,
    strict: false,
    format: (v) => `${v} B`,
  },
  {
    key: 'append_vs_cold',
    label: 're-run after one appended turn / cold import',
    limit: () => 0.05,
    strict: false,
    format: ratio,
  },
  {
    key: 'rss_1gb',
    label: 'peak RSS, home holding one 1 GB session',
    limit: () => 300 * MB,
    strict: false,
    format: megabytes,
  },
  {
    key: 'rss_growth',
    label: 'peak RSS growth, 400 MB home → 2 GB home',
    limit: () => 0.3,
    strict: true,
    format: (v) => `${(v * 100).toFixed(0)}%`,
  },
  {
    key: 'help_ms',
    label: '`import-logs --help` start-up',
    limit: () => 300,
    strict: true,
    format: ms,
  },
  {
    key: 'index_vs_import',
    label: 'cold import with the local index / without it',
    limit: () => 1.3,
    strict: false,
    format: ratio,
  },
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
