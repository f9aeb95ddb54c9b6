/**
 * Fixture conversion for `import-logs check`: each case's `input/` is a provider home; its
 * conversion, normalized so that it does not depend on where it ran (no absolute paths, no import
 * time), must equal the committed `expected/` byte for byte.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Adapter } from '../../adapters/types.js';
import { INDEX_FILE, SESSIONS_DIR, sessionsDirOf } from '../archive/layout.js';
import { readLogsIndex } from '../archive/read.js';
import { runImport } from '../importer/run.js';

export interface FixtureCase {
  adapter: Adapter;
  name: string;
  dir: string;
}

export async function listCases(fixturesDir: string, adapters: readonly Adapter[]): Promise<FixtureCase[]> {
  const cases: FixtureCase[] = [];
  for (const adapter of adapters) {
    let names: string[];
    try {
      names = (await readdir(join(fixturesDir, adapter.id), { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch {
      continue;
    }
    for (const name of names.sort()) cases.push({ adapter, name, dir: join(fixturesDir, adapter.id, name) });
  }
  return cases;
}

/** Converts one case; returns the normalized output files, keyed by path relative to expected/. */
export async function convertCase(c: FixtureCase, log: Logger): Promise<Map<string, string>> {
  // Converted from a copy whose files all have one fixed mtime: a session whose native records
  // carry no time (e.g. a 0-byte transcript) falls back to the mtime, which git does not keep.
  const work = await realpath(await mkdtemp(join(tmpdir(), 'import-logs-check-')));
  const input = join(work, 'home');
  const out = join(work, 'logs');
  try {
    await cp(join(c.dir, 'input'), input, { recursive: true });
    await pinMtimes(input);
    await mkdir(out);
    const summary = await runImport({
      locations: { storeDir: null, logsDir: out, root: null, project: '' },
      adapters: [c.adapter],
      homeFlags: { [c.adapter.id]: input },
      environment: { env: {}, homedir: input },
      since: null,
      dryRun: false,
      force: true,
      concurrency: 1,
      log,
    });
    // Native paths appear in source_paths and in warnings: make them relative to the case's home.
    const strip = (text: string) => text.split(`${input}/`).join('').split(input).join('<home>');
    const files = new Map<string, string>();
    let sessionNames: string[] = [];
    try {
      sessionNames = (await readdir(sessionsDirOf(out))).filter((n) => n.endsWith('.jsonl')).sort();
    } catch {
      // no session written
    }
    for (const name of sessionNames)
      files.set(`${SESSIONS_DIR}/${name}`, strip(await readFile(join(sessionsDirOf(out), name), 'utf8')));
    // No index when nothing was imported.
    const entries = ((await readLogsIndex(out)) ?? []).map(({ imported_at: _importedAt, ...entry }) => ({
      ...entry,
      // The size of the file as compared (paths relative), not as written under this run's temp dir.
      log_bytes: Buffer.byteLength(files.get(entry.log_path) ?? ''),
      source_paths: entry.source_paths.map(strip),
    }));
    files.set(INDEX_FILE, `${JSON.stringify({ sessions: entries }, null, 2)}\n`);
    const report = {
      errors: summary.errors.map((e) => ({ path: strip(e.path), message: strip(e.message) })),
      warnings: summary.warnings.map(strip),
    };
    files.set('report.json', `${JSON.stringify(report, null, 2)}\n`);
    return files;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Fixture homes are converted as if every file was last written at this instant. */
const FIXTURE_MTIME = new Date('2000-01-01T00:00:00.000Z');

async function pinMtimes(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) await pinMtimes(path);
    else if (e.isFile()) await utimes(path, FIXTURE_MTIME, FIXTURE_MTIME);
  }
}

export async function readExpected(c: FixtureCase): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const base = join(c.dir, 'expected');
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(base, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(path);
      else files.set(path, await readFile(join(base, path), 'utf8'));
    }
  };
  await walk('');
  return files;
}
