/** The performance targets of the benchmark issue, in one table. All are upper bounds. */

export type TargetKey =
  | 'import_vs_baseline'
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

export const TARGETS: readonly Target[] = [
  {
    key: 'import_vs_baseline',
    label: 'cold import / baseline (≤ 1.5× on one core, ≤ 1.0× on 2+ cores)',
    limit: (cores) => (cores >= 2 ? 1.0 : 1.5),
    strict: false,
    format: ratio,
  },
  {
    key: 'noop_vs_ccusage',
    label: "no-op re-run / ccusage's cold run",
    limit: () => 0.25,
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
    limit: () => 0.1,
    strict: false,
    format: ratio,
  },
  {
    key: 'rss_1gb',
    label: 'peak RSS, home holding one 1 GB session',
    limit: () => 300 * MB,
    strict: false,
    format: (v) => `${Math.round(v / MB)} MB`,
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
    format: (v) => `${Math.round(v)} ms`,
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
