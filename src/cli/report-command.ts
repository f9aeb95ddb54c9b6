/** `import-logs report daily|weekly|monthly|session|model|project`: token usage and cost from the local index. */
import { homedir } from 'node:os';
import { readUsage, type UsageRow } from '../database/local-index.js';
import { EXIT } from '../errors.js';
import { REPORT_KEYS, usageReport, type ReportKind, type ReportRow } from '../report/usage-report.js';
import { indexedLogsDirs, timeBound, type ScopeArgs } from './indexed-scope.js';
import { providerNames } from './provider-flags.js';
import { columns, groupDigits, tildePath, usd } from './text.js';

export interface ReportArgs extends ScopeArgs {
  kind: ReportKind;
  since?: string | undefined;
  until?: string | undefined;
  provider?: string[] | undefined;
  json: boolean;
}

const HEADINGS: Record<ReportKind, string> = {
  daily: 'DATE',
  weekly: 'WEEK',
  monthly: 'MONTH',
  session: 'SESSION',
  model: '',
  project: 'PROJECT',
};

function cost(amount: number | null): string {
  return amount === null ? '-' : usd(amount);
}

function table(kind: ReportKind, rows: readonly ReportRow[]): string[] {
  const home = homedir();
  const withKey = REPORT_KEYS[kind] !== null;
  const cells = (r: Omit<ReportRow, 'key' | 'provider' | 'model' | 'cache_creation_1h_tokens'>) => [
    groupDigits(r.calls),
    groupDigits(r.input_tokens),
    groupDigits(r.output_tokens),
    groupDigits(r.cache_read_tokens),
    groupDigits(r.cache_creation_tokens),
    cost(r.cost_usd),
  ];
  const head = ['PROVIDER', 'MODEL', 'CALLS', 'INPUT', 'OUTPUT', 'CACHE READ', 'CACHE WRITE', 'COST'];
  const out = [withKey ? [HEADINGS[kind], ...head] : head];
  let shownKey: string | null = null;
  for (const r of rows) {
    // A key is printed once, on the first row of its group.
    const key =
      r.key === shownKey ? '' : kind === 'project' ? (r.key === null ? '-' : tildePath(r.key, home)) : (r.key ?? '-');
    shownKey = r.key;
    out.push([...(withKey ? [key] : []), r.provider, r.model ?? '-', ...cells(r)]);
  }
  const total = rows.reduce(
    (t, r) => ({
      calls: t.calls + r.calls,
      input_tokens: t.input_tokens + r.input_tokens,
      output_tokens: t.output_tokens + r.output_tokens,
      cache_read_tokens: t.cache_read_tokens + r.cache_read_tokens,
      cache_creation_tokens: t.cache_creation_tokens + r.cache_creation_tokens,
      cost_usd: t.cost_usd + (r.cost_usd ?? 0),
    }),
    { calls: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_creation_tokens: 0, cost_usd: 0 },
  );
  const unpriced = rows.some((r) => r.cost_usd === null);
  out.push([
    ...(withKey ? ['TOTAL'] : []),
    withKey ? '' : 'TOTAL',
    '',
    ...cells(total).slice(0, 5),
    `${cost(total.cost_usd)}${unpriced ? '+' : ''}`,
  ]);
  const lines = columns(out, [
    ...(withKey ? ['left' as const] : []),
    'left',
    'left',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
  ]);
  if (unpriced)
    lines.push('- : a model the price table (@pydantic/genai-prices) does not know; the total leaves it out (+).');
  return lines;
}

export async function reportCommand(args: ReportArgs): Promise<number> {
  const filter = {
    providers: providerNames(args.provider),
    since: timeBound(args.since),
    until: timeBound(args.until),
  };
  const calls: UsageRow[] = [];
  for (const dir of await indexedLogsDirs(args)) calls.push(...(await readUsage(dir, filter)));
  calls.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const rows = usageReport(args.kind, calls);
  if (args.json) {
    const keyName = REPORT_KEYS[args.kind];
    process.stdout.write(
      rows
        .map(({ key, ...rest }) => `${JSON.stringify(keyName === null ? rest : { [keyName]: key, ...rest })}\n`)
        .join(''),
    );
    return EXIT.ok;
  }
  if (rows.length === 0) {
    process.stdout.write('No model calls recorded in this scope.\n');
    return EXIT.ok;
  }
  process.stdout.write(`${table(args.kind, rows).join('\n')}\n`);
  return EXIT.ok;
}
