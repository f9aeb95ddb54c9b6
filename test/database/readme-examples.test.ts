/**
 * README's database examples, run as written: the `sqlite3` lines on the local index, the DuckDB
 * query over the session files, and the `psql` query on a server the archive was pushed to (with
 * psql's unaligned output flags added, to read its rows). The
 * archive is the default one of a private HOME, so the paths in README are the real ones.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps, repoRoot } from '../support/harness.js';
import { postgresBin, startPostgres, type PostgresServer } from '../../bench/postgres.js';
import { runCli } from '../reliability/support.js';
import { archiveLines, corpusSandbox } from './corpus-archive.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The fenced block that follows `<!-- example: NAME -->` in README. */
function example(name: string): string {
  const match = readme.match(new RegExp(`<!-- example: ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``));
  if (!match) throw new Error(`README has no example ${name}`);
  return match[1]!;
}

const sb = corpusSandbox();
const logs = () => join(sb.home, '.local/share/import-logs/logs');
const sh = (script: string, env: Record<string, string> = {}) =>
  spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: sb.home, ...env } });

/** Usage events of the archive: calls and output tokens per provider and model. */
function usageByModel(): Map<string, { calls: number; output: number }> {
  const out = new Map<string, { calls: number; output: number }>();
  for (const lines of archiveLines(logs()).values()) {
    for (const line of lines) {
      const e = JSON.parse(line) as { type: string; provider: string; model?: string; output_tokens: number };
      if (e.type !== 'usage') continue;
      const key = `${e.provider}|${e.model ?? ''}`;
      const t = out.get(key) ?? { calls: 0, output: 0 };
      t.calls++;
      t.output += e.output_tokens;
      out.set(key, t);
    }
  }
  return out;
}

let server: PostgresServer | null = null;
const bin = postgresBin();

afterAll(() => {
  server?.stop();
  cleanupTemps();
});

describe("README's database examples", () => {
  beforeAll(async () => {
    const res = await runCli(sb, ['--claude-home', sb.claudeHome, '--codex-home', sb.codexHome, '--quiet']);
    expect(res.code, res.stderr).toBe(0);
  }, 120_000);

  it('sqlite3: usage per day and model adds up to the archive; the search finds its word', () => {
    const res = sh(example('sqlite'));
    expect(res.status, res.stderr).toBe(0);
    const rows = res.stdout
      .split('\n')
      .filter((l) => /^\d{4}-\d{2}-\d{2}\|/.test(l))
      .map((l) => l.split('|'));
    const want = [...usageByModel().values()];
    expect(rows.reduce((n, r) => n + Number(r[2]), 0)).toBe(want.reduce((n, t) => n + t.calls, 0));
    expect(rows.reduce((n, r) => n + Number(r[5]), 0)).toBe(want.reduce((n, t) => n + t.output, 0));
    expect(res.stdout).toMatch(/\[migration/i);
  });

  it('DuckDB over sessions/*.jsonl gives the archive usage per provider and model', async () => {
    const sql = example('duckdb').replace('~/', `${sb.home}/`);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const rows = (await conn.runAndReadAll(sql)).getRowObjects() as {
      provider: string;
      model: string | null;
      calls: bigint;
      output: bigint;
    }[];
    expect(
      new Map(
        rows.map((r) => [`${r.provider}|${r.model ?? ''}`, { calls: Number(r.calls), output: Number(r.output) }]),
      ),
    ).toEqual(usageByModel());
  });

  it.skipIf(bin === null && !process.env.CI)(
    'psql: usage per person and week on the server adds up to the archive',
    async () => {
      server = await startPostgres(bin!);
      const pushed = await runCli(sb, ['push', '--to', server.url, '--host', 'dev-laptop', '--quiet']);
      expect(pushed.code, pushed.stderr).toBe(0);
      const res = sh(`${example('postgres')}`.replace('psql ', 'psql -A -t -F "|" '), {
        IMPORT_LOGS_PUSH_URL: server.url,
      });
      expect(res.status, res.stderr).toBe(0);
      const rows = res.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('|'));
      expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(['dev-laptop']));
      const want = [...usageByModel().values()];
      expect(rows.reduce((n, r) => n + Number(r[2]), 0)).toBe(want.reduce((n, t) => n + t.calls, 0));
      expect(rows.reduce((n, r) => n + Number(r[5]), 0)).toBe(want.reduce((n, t) => n + t.output, 0));
    },
    120_000,
  );
});
