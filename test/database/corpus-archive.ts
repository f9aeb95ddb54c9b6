/**
 * An archive of real corpus sessions for the database tests: Claude and Codex files of the shared
 * corpus laid out as provider homes in a sandbox, imported by the built CLI.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { expect } from 'vitest';
import { corpusFiles } from '../support/harness.js';
import { runCli, sandbox, type CliResult, type Sandbox } from '../reliability/support.js';

/** Main Claude session files (not sub-agents) and Codex rollouts of the corpus. */
export function corpusSessionFiles(): { claude: string[]; codex: string[] } {
  const uuid = /__[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.jsonl$/;
  return {
    claude: corpusFiles('claude').filter((f) => uuid.test(f)),
    codex: corpusFiles('codex').filter((f) => /__rollout-.*\.jsonl$/.test(f)),
  };
}

/** A sandbox whose Claude and Codex homes hold `files` (or every corpus session file). */
export function corpusSandbox(
  files = corpusSessionFiles(),
): Sandbox & { claudeHome: string; codexHome: string; claudeFile(name: string): string } {
  const sb = sandbox();
  const claudeHome = join(sb.root, 'claude');
  const codexHome = join(sb.root, 'codex');
  const project = join(claudeHome, 'projects', '-home-dev-project');
  mkdirSync(project, { recursive: true });
  for (const f of files.claude) copyFileSync(f, join(project, basename(f).split('__')[1]!));
  const day = join(codexHome, 'sessions', '2026', '01', '01');
  mkdirSync(day, { recursive: true });
  for (const f of files.codex) copyFileSync(f, join(day, basename(f).split('__')[1]!));
  return { ...sb, claudeHome, codexHome, claudeFile: (name) => join(project, name) };
}

/** Puts the corpus sub-agent `agent` (its `.jsonl` and `.meta.json`) under the session `parent`, where Claude Code keeps it. */
export function addSubAgent(sb: ReturnType<typeof corpusSandbox>, parent: string, agent: string): void {
  for (const ext of ['jsonl', 'meta.json']) {
    const to = sb.claudeFile(`${parent}/subagents/${agent}.${ext}`);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(
      corpusFiles('claude').find((f) => f.endsWith(`__${agent}.${ext}`))!,
      to,
    );
  }
}

export async function importSandbox(
  sb: ReturnType<typeof corpusSandbox>,
  extra: string[] = [],
  logs = sb.logs,
): Promise<CliResult> {
  const result = await runCli(sb, [
    '--out',
    logs,
    '--json',
    '--claude-home',
    sb.claudeHome,
    '--codex-home',
    sb.codexHome,
    ...extra,
  ]);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** Every event line of a logs dir, per session id, as written. */
export function archiveLines(logs: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const dir = join(logs, 'sessions');
  for (const name of readdirSync(dir).sort()) {
    out.set(name.replace(/\.jsonl$/, ''), readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean));
  }
  return out;
}

/** Usage totals per session, summed from the archive's usage events. */
export function archiveUsage(
  logs: string,
): Map<
  string,
  { input: number; output: number; cacheRead: number; cacheWrite: number; cacheWrite1h: number; calls: number }
> {
  const out = new Map<
    string,
    { input: number; output: number; cacheRead: number; cacheWrite: number; cacheWrite1h: number; calls: number }
  >();
  for (const [id, lines] of archiveLines(logs)) {
    const t = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, calls: 0 };
    for (const line of lines) {
      const e = JSON.parse(line) as Record<string, number | string>;
      if (e.type !== 'usage') continue;
      t.input += Number(e.input_tokens ?? 0);
      t.output += Number(e.output_tokens ?? 0);
      t.cacheRead += Number(e.cache_read_tokens ?? 0);
      t.cacheWrite += Number(e.cache_creation_tokens ?? 0);
      t.cacheWrite1h += Number(e.cache_creation_1h_tokens ?? 0);
      t.calls++;
    }
    if (t.calls > 0) out.set(id, t);
  }
  return out;
}
