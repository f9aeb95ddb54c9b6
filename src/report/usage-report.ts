/**
 * Usage and cost reports: model calls of the local index grouped by day, week, month, session,
 * model or project, one row per group, provider and model.
 */
import type { UsageRow } from '../database/local-index.js';
import { callCost } from './prices.js';

const REPORT_KINDS = ['daily', 'weekly', 'monthly', 'session', 'model', 'project'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** The name of the grouping key in a row (`model` needs none: every row has its model). */
export const REPORT_KEYS: Record<ReportKind, string | null> = {
  daily: 'date',
  weekly: 'week',
  monthly: 'month',
  session: 'session_id',
  model: null,
  project: 'project',
};

export interface ReportRow {
  /** The day, the Monday of the week, the month, the session id or the project (null for `model`). */
  key: string | null;
  provider: string;
  model: string | null;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  /** Of the cache writes, those kept for an hour (priced higher). */
  cache_creation_1h_tokens: number;
  /** Null when the price table does not know the model. */
  cost_usd: number | null;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const day = (d: Date) => `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;

/** The group of a call; dates are in the local time zone (TZ), weeks start on Monday. */
function keyOf(kind: ReportKind, row: UsageRow): string | null {
  switch (kind) {
    case 'daily':
      return day(new Date(row.ts));
    case 'weekly': {
      const d = new Date(row.ts);
      d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
      return day(d);
    }
    case 'monthly':
      return day(new Date(row.ts)).slice(0, 7);
    case 'session':
      // A sub-agent's calls count for the session that started it.
      return row.parent_session_id ?? row.session_id;
    case 'model':
      return null;
    case 'project':
      return row.workspace_path;
  }
}

/** The report's rows, ordered by key, provider, model. */
export function usageReport(kind: ReportKind, calls: readonly UsageRow[]): ReportRow[] {
  const groups = new Map<string, ReportRow>();
  for (const call of calls) {
    const key = keyOf(kind, call);
    const id = JSON.stringify([key, call.provider, call.model]);
    let row = groups.get(id);
    if (!row) {
      row = {
        key,
        provider: call.provider,
        model: call.model,
        calls: 0,
        input_tokens: 0,
        output_tokens: 0,
        cache_read_tokens: 0,
        cache_creation_tokens: 0,
        cache_creation_1h_tokens: 0,
        cost_usd: 0,
      };
      groups.set(id, row);
    }
    row.calls++;
    row.input_tokens += call.input_tokens;
    row.output_tokens += call.output_tokens;
    row.cache_read_tokens += call.cache_read_tokens;
    row.cache_creation_tokens += call.cache_creation_tokens;
    row.cache_creation_1h_tokens += call.cache_creation_1h_tokens;
    const cost = callCost(call);
    row.cost_usd = cost === null || row.cost_usd === null ? null : row.cost_usd + cost;
  }
  // Code-point order, the same on every machine (localeCompare is not).
  const cmp = (a: string | null, b: string | null) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
  return [...groups.values()].sort((a, b) => cmp(a.key, b.key) || cmp(a.provider, b.provider) || cmp(a.model, b.model));
}
