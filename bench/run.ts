/**
 * `npm run bench`: generates one synthetic home and measures, on it, the baseline, the re-encode
 * floor on one thread and on two, a cold import (on every core and on one worker: the serial
 * fraction), one more cold import under `--cpu-prof` (the workers' time by category), a no-op
 * re-run, a re-run after one appended turn, peak RSS (also of a one-session 1 GB home), `--help`
 * start-up and ccusage's cold run; then cold and no-op runs of homes of 10k and 100k small sessions,
 * and with `--rss-growth` one cold import of a home five times the size (the growth of peak RSS).
 * Prints the figures and every target met or missed by how much (a missed cold import says why,
 * from the profile), writes them into README.md, and exits 1 when a target is missed.
 *
 * Page cache: the home is read once, untimed, before any timing, so every timed run (baseline,
 * imports, ccusage) reads it warm. Baseline, floors and cold imports run as three alternating
 * rounds and the round of median import/baseline ratio is reported; the no-op re-runs and
 * ccusage, under a second, are the median of three, and `--help` of five; the append re-run, the
 * 1 GB import and the cold imports of the small-session homes are one run each.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adapters } from '../adapters/index.js';
import {
  INDEX_FILE,
  SESSION_ENTRIES_FILE,
  STATE_DIGEST_FILE,
  STATE_FILE,
  STATE_JOURNAL_FILE,
  sessionsDirOf,
} from '../src/archive/layout.js';
import type { BaselineResult } from './baseline.js';
import type { StatFloor } from './stat-floor.js';
import { PROVIDER_DIRS, generateHome, generateSingleSession, parseSize, type GeneratedHome } from './generate.js';
import { measure, rssMethod, type Measured } from './measure.js';
import { parseBoundText, profiledRun, profileText, type ProfiledRun } from './profile.js';
import { repoRoot } from './paths.js';
import { postgresBin, startPostgres } from './postgres.js';
import { writeReadmeSection } from './readme.js';
import {
  PROJECTED_CORES,
  TARGETS,
  judge,
  projectedShare,
  serialFraction,
  verdictText,
  type TargetKey,
} from './targets.js';
import { PROVIDERS, type Provider } from './templates.js';

const root = repoRoot();
const work = join(root, 'bench', '.work');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const node = process.execPath;

function say(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number | null) => (bytes === null ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MB`);

interface ImportSummaryLike {
  bytes_read: number;
  bytes_written: number;
  /** The run itself, from taking the lock to writing last_run.json (not the process's start-up). */
  duration_ms: number;
  errors: unknown[];
  providers: Record<string, { new_sessions?: number; updated_sessions?: number; unchanged_sessions?: number }>;
}

interface ImportRun extends Measured {
  summary: ImportSummaryLike;
}

/** An environment with nothing of the user's: a private empty HOME, no provider variables. */
function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', ...extra };
}

async function runImport(label: string, args: string[], env: NodeJS.ProcessEnv): Promise<ImportRun> {
  const run = await measure(node, [cli, ...args, '--json'], env, { rss: true });
  let summary: ImportSummaryLike;
  try {
    summary = JSON.parse(run.stdout) as ImportSummaryLike;
  } catch {
    throw new Error(`${label}: exit ${run.code}, no JSON summary on stdout\n${run.stderr.slice(0, 2000)}`);
  }
  if (run.code !== 0) say(`${label}: exit ${run.code} (${summary.errors.length} failed sources)`);
  return { ...run, summary };
}

function sessionsOf(s: ImportSummaryLike): number {
  return Object.values(s.providers).reduce(
    (n, p) => n + (p.new_sessions ?? 0) + (p.updated_sessions ?? 0) + (p.unchanged_sessions ?? 0),
    0,
  );
}

/** The baseline, or with `reencodeTo` the re-encode floor on `threads` threads (see baseline.ts). */
async function runBaseline(
  dirs: string[],
  reencodeTo?: string,
  threads = 1,
): Promise<BaselineResult & { wall: number }> {
  const args = reencodeTo === undefined ? dirs : ['--reencode', reencodeTo, '--threads', String(threads), ...dirs];
  const run = await measure(node, [join(root, 'dist', 'bench', 'baseline.js'), ...args], cleanEnv(work));
  if (reencodeTo !== undefined) rmSync(reencodeTo, { force: true });
  if (run.code !== 0) throw new Error(`baseline failed: ${run.stderr}`);
  return { ...(JSON.parse(run.stdout) as BaselineResult), wall: run.ms };
}

interface Ccusage {
  ms: number | null;
  note: string;
}

async function runCcusage(gen: GeneratedHome): Promise<Ccusage> {
  const bin = join(root, 'node_modules', '.bin', 'ccusage');
  if (!existsSync(bin)) return { ms: null, note: 'ccusage is not installed (npm ci installs it as a dev dependency)' };
  const env = cleanEnv(gen.home, {
    CLAUDE_CONFIG_DIR: gen.providerHomes.claude,
    CODEX_HOME: gen.providerHomes.codex,
    COPILOT_HOME: gen.providerHomes.copilot,
    GEMINI_CLI_HOME: gen.home,
    XDG_CACHE_HOME: join(work, 'ccusage-cache'),
    XDG_CONFIG_HOME: join(work, 'ccusage-config'),
    NO_COLOR: '1',
  });
  // Median of three cold runs: its cache and config dirs are emptied before each.
  const runs: Awaited<ReturnType<typeof measure>>[] = [];
  for (let i = 0; i < SHORT_RUNS; i++) {
    for (const dir of [env.XDG_CACHE_HOME!, env.XDG_CONFIG_HOME!]) rmSync(dir, { recursive: true, force: true });
    runs.push(await measure(node, [realpathSync(bin), 'session', '--json', '--offline'], env));
  }
  const run = median(runs);
  if (run.code !== 0)
    return {
      ms: null,
      note: `ccusage could not run here (exit ${run.code}: ${run.stderr.trim().split('\n')[0] ?? ''})`,
    };
  let report: { session?: { agent?: string }[] };
  try {
    report = JSON.parse(run.stdout) as typeof report;
  } catch {
    return { ms: null, note: 'ccusage printed no JSON; its ratios are skipped' };
  }
  const agents = new Map<string, number>();
  for (const row of report.session ?? []) agents.set(row.agent ?? '?', (agents.get(row.agent ?? '?') ?? 0) + 1);
  const counted = [...agents].map(([agent, n]) => `${agent} ${n}`).join(', ');
  return { ms: run.ms, note: `sessions it reported: ${counted || 'none'}` };
}

/** Pushes a logs dir to a throwaway PostgreSQL server, once: sessions, events and MB per second. */
async function measurePush(logsDir: string, home: string): Promise<{ note: string }> {
  const bin = postgresBin();
  if (bin === null) return { note: 'not measured: PostgreSQL (initdb) is not installed' };
  const server = await startPostgres(bin);
  try {
    const run = await measure(
      node,
      [cli, 'push', '--out', logsDir, '--to', server.url, '--content', 'full', '--json'],
      cleanEnv(home),
    );
    if (run.code !== 0) return { note: `push failed (exit ${run.code}): ${run.stderr.trim().split('\n')[0] ?? ''}` };
    const pushed = JSON.parse(run.stdout) as { sessions_pushed: number; events_sent: number };
    const sessionsDir = sessionsDirOf(logsDir);
    const bytes = readdirSync(sessionsDir).reduce((n, f) => n + statSync(join(sessionsDir, f)).size, 0);
    const s = run.ms / 1000;
    return {
      note: `${pushed.sessions_pushed} sessions, ${pushed.events_sent} events, ${mb(bytes)} in ${sec(run.ms)}: ${Math.round(pushed.events_sent / s)} events/s, ${(bytes / 1e6 / s).toFixed(1)} MB/s`,
    };
  } finally {
    server.stop();
  }
}

/** Runs of each figure under a second (no-op re-run, ccusage): one run of those is mostly noise. */
const SHORT_RUNS = 3;

/** The run of median time (an odd number of runs). */
function median<T extends { ms: number }>(runs: readonly T[]): T {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return sorted[(sorted.length - 1) >> 1]!;
}

/** Rounds of baseline, floor and cold import: the cold import's ratio is the median of theirs. */
const ROUNDS = 3;

function peakOf(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? Math.max(...known) : null;
}

/** The state and index files of a logs dir (the state's digest with them), by modification time. */
function stamps(logsDir: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const name of [STATE_FILE, STATE_JOURNAL_FILE, SESSION_ENTRIES_FILE, STATE_DIGEST_FILE, INDEX_FILE]) {
    if (existsSync(join(logsDir, name))) out.set(name, statSync(join(logsDir, name), { bigint: true }).mtimeNs);
  }
  return out;
}

/** How many of the files of `before` were written again (or removed) since, and how many were created. */
function rewrites(before: Map<string, bigint>, after: Map<string, bigint>): number {
  const created = [...after.keys()].filter((name) => !before.has(name)).length;
  return created + [...before].filter(([name, t]) => after.get(name) !== t).length;
}

/** The home flags of the providers with an adapter that `gen` has files of. */
function homeArgsOf(gen: GeneratedHome): string[] {
  return adapters
    .filter((a) => (PROVIDERS as readonly string[]).includes(a.id) && gen.providers[a.id as Provider].files > 0)
    .flatMap((a) => [`--${a.home.flag}`, gen.providerHomes[a.id as Provider]]);
}

/** No-op re-runs: the median time, the highest peak RSS and bytes read, the state and index files rewritten. */
async function noopRuns(label: string, args: string[], env: NodeJS.ProcessEnv, logsDir: string) {
  const before = stamps(logsDir);
  const runs: ImportRun[] = [];
  for (let i = 0; i < SHORT_RUNS; i++) runs.push(await runImport(label, args, env));
  const mid = median(runs);
  return {
    run: {
      ...mid,
      peakRss: peakOf(runs.map((r) => r.peakRss)),
      summary: { ...mid.summary, bytes_read: Math.max(...runs.map((r) => r.summary.bytes_read)) },
    },
    rewrites: rewrites(before, stamps(logsDir)),
  };
}

/** The small-session homes measured (`--small`), by session count: the last one is held to the targets. */
const SMALL_HOMES = '10000,100000';

/** Bytes per session of the small-session homes (each is at least its template's first lines). */
const SMALL_SESSION_BYTES = 2000;

interface SmallHome {
  sessions: number;
  files: number;
  cold: ImportRun;
  noop: ImportRun;
  rewrites: number;
  /** The no-op's floor (stat-floor.ts): the median of three, and what it listed and stat'ed. */
  floor: { ms: number } & StatFloor;
}

/** The median of three runs of the no-op's floor over `dirs` (stat-floor.ts). */
async function statFloor(dirs: string[]): Promise<SmallHome['floor']> {
  const runs: Measured[] = [];
  for (let i = 0; i < 3; i++)
    runs.push(await measure(node, [join(root, 'dist', 'bench', 'stat-floor.js'), ...dirs], cleanEnv(work)));
  const mid = median(runs);
  if (mid.code !== 0) throw new Error(`stat floor failed: ${mid.stderr}`);
  return { ms: mid.ms, ...(JSON.parse(mid.stdout) as StatFloor) };
}

/**
 * Writes what is dirty on `dir`'s file system out to disk (syncfs, through coreutils' `sync -f`)
 * before a timed run: a home just generated, or an archive just removed, is otherwise written back
 * or discarded while the next import runs, and that import's own syncs wait on it.
 */
function settle(dir: string): void {
  spawnSync('sync', ['-f', dir]);
}

/** A home of `sessions` small sessions: one cold import, then no-op re-runs. */
async function measureSmallHome(sessions: number, seed: string, env: NodeJS.ProcessEnv): Promise<SmallHome> {
  const home = join(work, `home-${sessions}`);
  const out = join(work, `out-${sessions}`);
  for (const dir of [home, out]) rmSync(dir, { recursive: true, force: true });
  say(`generating a home of ${sessions} small sessions…`);
  const gen = generateHome({ out: home, sizeBytes: sessions * SMALL_SESSION_BYTES, seed, sessions });
  settle(home);
  const args = ['--out', out, ...homeArgsOf(gen), '--no-index'];
  say(`cold import of ${sessions} small sessions…`);
  const cold = await runImport(`cold import of ${sessions} sessions`, args, env);
  say(`no-op re-runs of ${sessions} small sessions…`);
  const noop = await noopRuns(`no-op re-run of ${sessions} sessions`, args, env, out);
  say(`the no-op's floor for ${sessions} small sessions…`);
  const homes = PROVIDERS.filter((p) => gen.providers[p].files > 0).map((p) => gen.providerHomes[p]);
  const floor = await statFloor([...homes, sessionsDirOf(out)]);
  for (const dir of [home, out]) rmSync(dir, { recursive: true, force: true });
  return { sessions, files: gen.files, cold, noop: noop.run, rewrites: noop.rewrites, floor };
}

/** The median of five runs of `node ARGS` (`--help` start-up, or Node's own with `-e 0`). */
async function startTime(args: string[]): Promise<number> {
  const runs: Measured[] = [];
  for (let i = 0; i < 5; i++) runs.push(await measure(node, args, cleanEnv(work)));
  return median(runs).ms;
}

/**
 * What the no-op's bound leaves for the run itself once Node and the CLI have started and exited
 * (`startup`: the no-op's time less its run's), against what the run took.
 */
function startupShare(bound: number, startup: number, inRun: number): string {
  const left = bound - startup;
  if (left <= 0)
    return `Node's and the CLI's start-up and exit alone (${Math.round(startup)} ms) are ${Math.round(-left)} ms over the no-op's bound: no run fits in it.`;
  const fits = inRun <= left ? 'it fits' : `${Math.round(inRun - left)} ms too many`;
  return `Node's and the CLI's start-up and exit (${Math.round(startup)} ms) leave ${Math.round(left)} ms of the no-op's bound for the run itself, which took ${Math.round(inRun)} ms: ${fits}.`;
}

interface Results {
  date: string;
  seed: string;
  /** The commit and the adapters measured. */
  build: string;
  size_bytes: number;
  machine: string;
  figures: Record<string, string>;
  values: Partial<Record<TargetKey | 'cold_rss', number | null>>;
}

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu} × ${cpus().length} (${availableParallelism()} usable), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()}, Node ${process.version}`;
}

/** The commit of the code (`+dirty` when its code has changes), or `unknown` outside git. */
function buildId(): string {
  const git = (args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head.status !== 0) return 'unknown';
  const dirty = git(['diff', '--quiet', 'HEAD', '--', 'src', 'adapters', 'bench', 'package-lock.json']).status !== 0;
  return `${head.stdout.trim()}${dirty ? '+dirty' : ''}`;
}

/** How many times the main home's size the home of `--rss-growth` is (400 MB → 2 GB). */
const GROWTH_FACTOR = 5;

/**
 * A home GROWTH_FACTOR times the size of the main one, same seed: one cold import (the main
 * home's flags), for the growth of peak RSS with the home.
 */
async function measureLargerHome(size: number, seed: string, env: NodeJS.ProcessEnv) {
  const home = join(work, 'home-larger');
  const out = join(work, 'out-larger');
  for (const dir of [home, out]) rmSync(dir, { recursive: true, force: true });
  say(`generating a ${mb(size * GROWTH_FACTOR)} home (seed ${seed})…`);
  const gen = generateHome({ out: home, sizeBytes: size * GROWTH_FACTOR, seed });
  settle(home);
  say('cold import of it…');
  const cold = await runImport('cold import of the larger home', ['--out', out, ...homeArgsOf(gen), '--no-index'], env);
  for (const dir of [home, out]) rmSync(dir, { recursive: true, force: true });
  return { gen, cold };
}

async function main(): Promise<number> {
  const { values: flags } = parseArgs({
    options: {
      size: { type: 'string', default: '400MB' },
      seed: { type: 'string', default: '1' },
      'skip-1gb': { type: 'boolean', default: false },
      small: { type: 'string', default: SMALL_HOMES },
      keep: { type: 'boolean', default: false },
      'no-readme': { type: 'boolean', default: false },
      'rss-growth': { type: 'boolean', default: false },
    },
  });
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npm run build)`);
  const size = parseSize(flags.size);
  const seed = flags.seed;
  const cores = availableParallelism();
  const home = join(work, 'home');
  const out = join(work, 'out');
  const privateHome = join(work, 'private-home');
  for (const dir of [home, out, join(work, 'out-indexed'), privateHome, join(work, 'home-1gb'), join(work, 'out-1gb')])
    rmSync(dir, { recursive: true, force: true });
  mkdirSync(privateHome, { recursive: true });
  const rssGrowth = flags['rss-growth'];
  const t0 = performance.now();

  say(`generating a ${mb(size)} home (seed ${seed})…`);
  const tg = performance.now();
  const gen = generateHome({ out: home, sizeBytes: size, seed, appendable: true });
  const genMs = performance.now() - tg;
  settle(home);
  const mix = PROVIDERS.map((p) => `${p} ${gen.providers[p].sessions}`).join(', ');
  say(
    `home: ${gen.files} files, ${mb(gen.bytes)} (sessions: ${mix}; largest file ${mb(gen.largestFile)}) in ${sec(genMs)}`,
  );

  // The import sees only the providers that have an adapter; the baseline reads the same dirs.
  const registered = adapters.filter((a) => (PROVIDERS as readonly string[]).includes(a.id));
  const covered = registered.map((a) => a.id as Provider).filter((p) => gen.providers[p].files > 0);
  const missing = PROVIDERS.filter((p) => !registered.some((a) => a.id === p));
  if (missing.length > 0)
    say(`no adapter yet for: ${missing.join(', ')} (their files are left out of baseline and import)`);
  // A home flag must name a directory: only the providers the generated home has files of.
  const homeArgs = homeArgsOf(gen);
  const dirs = covered.map((p) => gen.providerHomes[p]);
  // The ratios against the baseline are of the import alone; the local index is measured beside it.
  const importArgs = ['--out', out, ...homeArgs, '--no-index'];
  const indexedOut = join(work, 'out-indexed');
  const indexedArgs = ['--out', indexedOut, ...homeArgs];
  const env = cleanEnv(privateHome);

  say('warming the page cache (untimed read of the whole home)…');
  await runBaseline(PROVIDERS.map((p) => gen.providerHomes[p]).filter((d) => existsSync(d)));
  // Baseline, re-encode floor and cold import alternate, three rounds: the machine's speed drifts
  // within a run (CPU steal), so each ratio compares runs taken side by side, and the round of
  // median ratio is reported.
  // The cold import uses every core (`auto`); the one-worker import beside it gives the serial fraction.
  const threads = Math.min(2, cores);
  const rounds: {
    base: BaselineResult & { wall: number };
    floor: BaselineResult & { wall: number };
    floor2: BaselineResult & { wall: number };
    cold: ImportRun;
    cold1: ImportRun;
    indexed: ImportRun;
  }[] = [];
  for (let i = 1; i <= (dirs.length > 0 ? ROUNDS : 0); i++) {
    say(`baseline ${i}/${ROUNDS}…`);
    const roundBase = await runBaseline(dirs);
    say(`re-encode floors, 1 and ${threads} threads ${i}/${ROUNDS}…`);
    const floor = await runBaseline(dirs, join(work, 'reencoded.jsonl'));
    const floor2 = await runBaseline(dirs, join(work, 'reencoded.jsonl'), threads);
    rmSync(out, { recursive: true, force: true });
    settle(work);
    say(`cold import on one worker ${i}/${ROUNDS}…`);
    const cold1 = await runImport('cold import, one worker', [...importArgs, '--workers', '1'], env);
    rmSync(out, { recursive: true, force: true });
    settle(work);
    say(`cold import ${i}/${ROUNDS}…`);
    const coldRun = await runImport('cold import', importArgs, env);
    rmSync(indexedOut, { recursive: true, force: true });
    settle(work);
    say(`cold import with the local index ${i}/${ROUNDS}…`);
    rounds.push({
      base: roundBase,
      floor,
      floor2,
      cold: coldRun,
      cold1,
      indexed: await runImport('cold import with the local index', indexedArgs, env),
    });
  }
  // One more cold import, under the profiler: where the workers' time goes (the ratios are of unprofiled runs).
  let profiled: ProfiledRun | null = null;
  if (rounds.length > 0) {
    say('profiled cold import (--cpu-prof, workers included)…');
    rmSync(out, { recursive: true, force: true });
    profiled = await profiledRun(node, [cli, ...importArgs, '--json'], env, join(work, 'profile'));
  }
  const medianRatio = (ratio: (p: (typeof rounds)[number]) => number) =>
    [...rounds.map(ratio)].sort((a, b) => a - b)[(rounds.length - 1) >> 1] ?? null;
  const middle =
    rounds.length > 0
      ? [...rounds].sort((a, b) => a.cold.ms / a.base.wall - b.cold.ms / b.base.wall)[(rounds.length - 1) >> 1]!
      : null;
  const base = middle?.base ?? null;
  // Peak RSS is the highest of the cold runs.
  const cold = middle
    ? { ...middle.cold, peakRss: peakOf(rounds.map((p) => p.cold.peakRss)) }
    : await runImport('cold import', importArgs, env);
  say('no-op re-run…');
  const mainNoop = await noopRuns('no-op re-run', importArgs, env, out);
  // Right after the no-op re-runs, whose ratio to it is a target: the machine's speed drifts.
  say('ccusage cold run…');
  const cc = await runCcusage(gen);
  say('no-op re-run with the local index…');
  const indexedNoops: ImportRun[] = [];
  for (let i = 0; i < SHORT_RUNS; i++)
    indexedNoops.push(await runImport('no-op re-run with the local index', indexedArgs, env));
  say('push to a throwaway PostgreSQL server…');
  const pushed = await measurePush(indexedOut, privateHome);
  // The median time; the most bytes any of the runs read (each must read none).
  const noop = mainNoop.run;
  say('re-run after one appended turn…');
  const appended = gen.appendTurn?.() ?? null;
  const append = appended ? await runImport('append re-run', importArgs, env) : null;
  say('--help start-up…');
  const help = await startTime([cli, '--help']);
  const nodeStart = await startTime(['-e', '0']);

  let big: ImportRun | null = null;
  let bigBytes = 0;
  if (!flags['skip-1gb']) {
    say('generating a home holding one 1 GB session…');
    const single = generateSingleSession({ out: join(work, 'home-1gb'), sizeBytes: 1e9, seed });
    settle(single.home);
    bigBytes = single.bytes;
    say('importing it…');
    big = await runImport(
      '1 GB import',
      [
        '--out',
        join(work, 'out-1gb'),
        ...registered.flatMap((a) =>
          a.id === 'claude' ? [`--${a.home.flag}`, join(single.home, PROVIDER_DIRS.claude)] : [],
        ),
      ],
      env,
    );
    rmSync(join(work, 'home-1gb'), { recursive: true, force: true });
    rmSync(join(work, 'out-1gb'), { recursive: true, force: true });
    // Its turns repeat with fresh ids: an import that keeps little of it measured a dedup, not a conversion.
    if (big.summary.bytes_written < big.summary.bytes_read / 4)
      throw new Error(
        `the 1 GB import wrote ${mb(big.summary.bytes_written)} of ${mb(big.summary.bytes_read)} read: its session repeats its events`,
      );
  }

  const larger = rssGrowth ? await measureLargerHome(size, seed, env) : null;
  // Against the median peak of the main home's cold imports: one run of each would be mostly noise.
  const coldPeak = [...rounds.map((p) => p.cold.peakRss)].sort((a, b) => (a ?? 0) - (b ?? 0))[(rounds.length - 1) >> 1];

  const small: SmallHome[] = [];
  for (const n of flags.small.split(',').filter((n) => n !== ''))
    small.push(await measureSmallHome(Number(n), seed, env));
  const largest = small.at(-1);

  const imported = sessionsOf(cold.summary);
  const floorRatio = medianRatio((p) => p.floor.wall / p.base.wall);
  const coldFloorRatio = imported > 0 ? medianRatio((p) => p.cold.ms / p.floor2.wall) : null;
  const build = `${buildId()} ${registered.map((a) => a.id).join(',')}`;
  const usable = base !== null && imported > 0;
  // Workers of the cold import: `auto` takes every core for a home this size.
  const serial = middle && cores >= 2 && imported > 0 ? serialFraction(middle.cold1.ms, middle.cold.ms, cores) : null;
  const perByte = (run: ImportRun) => run.ms / Math.max(1, run.summary.bytes_read);
  const values: Record<TargetKey, number | null> = {
    import_vs_baseline: usable ? cold.ms / base.wall : null,
    import_projected:
      usable && serial !== null ? (middle!.cold1.ms * projectedShare(serial, PROJECTED_CORES)) / base.wall : null,
    small_per_byte: largest && imported > 0 ? perByte(largest.cold) / perByte(cold) : null,
    small_noop_ms: largest?.noop.ms ?? null,
    small_noop_rss: largest?.noop.peakRss ?? null,
    noop_rewrites: imported > 0 ? mainNoop.rewrites + small.reduce((n, h) => n + h.rewrites, 0) : null,
    noop_vs_ccusage: cc.ms !== null && imported > 0 ? noop.ms / cc.ms : null,
    noop_bytes_read: imported > 0 ? noop.summary.bytes_read : null,
    append_vs_cold: append && imported > 0 ? append.ms / cold.ms : null,
    rss_1gb: big && registered.some((a) => a.id === 'claude') ? big.peakRss : null,
    rss_growth:
      larger?.cold.peakRss != null && coldPeak != null && imported > 0
        ? (larger.cold.peakRss - coldPeak) / coldPeak
        : null,
    help_ms: help,
    index_vs_import: rounds.length > 0 ? medianRatio((p) => p.indexed.ms / p.cold.ms) : null,
  };

  const figures: [string, string][] = [
    [
      'home',
      `${mb(gen.bytes)}, ${gen.files} files (sessions: ${mix}); largest file ${mb(gen.largestFile)}; generated in ${sec(genMs)}`,
    ],
    [
      'providers imported',
      registered.length > 0
        ? `${registered.map((a) => a.id).join(', ')} (${mb(base?.bytes ?? 0)} in ${base?.files ?? 0} files)`
        : 'none (no adapter registered)',
    ],
    [
      'baseline: read + JSON.parse every line, 1 thread',
      base
        ? `${sec(base.wall)} (${base.lines} lines); its ${ROUNDS} runs: ${rounds.map((p) => sec(p.base.wall)).join(', ')}`
        : 'n/a',
    ],
    [
      're-encode floor: the baseline + JSON.stringify and write every value, fsync, 1 thread',
      middle
        ? `${sec(middle.floor.wall)}; its ${ROUNDS} runs: ${rounds.map((p) => sec(p.floor.wall)).join(', ')}`
        : 'n/a',
    ],
    [
      `re-encode floor on ${threads} threads (files split by size)`,
      middle
        ? `${sec(middle.floor2.wall)}; its ${ROUNDS} runs: ${rounds.map((p) => sec(p.floor2.wall)).join(', ')}`
        : 'n/a',
    ],
    [
      're-encode floors / baseline',
      floorRatio !== null
        ? `1 thread ${floorRatio.toFixed(2)}×, ${threads} threads ${medianRatio((p) => p.floor2.wall / p.base.wall)!.toFixed(2)}× (medians of the ${ROUNDS} rounds)`
        : 'n/a',
    ],
    [
      `cold import / floor on ${threads} threads (like for like)`,
      coldFloorRatio !== null ? `${coldFloorRatio.toFixed(2)}× (median of the ${ROUNDS} rounds)` : 'n/a',
    ],
    [
      `cold import (\`auto\`: ${cores} workers)`,
      `${sec(cold.ms)}; ${imported} sessions, ${cold.summary.errors.length} failed sources, read ${mb(cold.summary.bytes_read)}, wrote ${mb(cold.summary.bytes_written)}; peak RSS ${mib(cold.peakRss)}; its ${ROUNDS} runs: ${rounds.map((p) => sec(p.cold.ms)).join(', ')}`,
    ],
    [
      'cold import on one worker; serial fraction',
      middle && serial !== null
        ? `${sec(middle.cold1.ms)} (${(middle.cold1.ms / middle.base.wall).toFixed(2)}× the baseline); serial fraction ${(serial * 100).toFixed(0)}% (${cores} workers: ${(middle.cold.ms / middle.cold1.ms).toFixed(2)}× the one-worker time), so ${PROJECTED_CORES} cores would take ${projectedShare(serial, PROJECTED_CORES).toFixed(2)}× of it`
        : 'n/a',
    ],
    ['profile of one cold import (`--cpu-prof`, workers included)', profiled ? profileText(profiled) : 'n/a'],
    [
      'no-op re-run',
      `${sec(noop.ms)} (median of ${SHORT_RUNS}); read ${noop.summary.bytes_read} B; peak RSS ${mib(noop.peakRss)}; state and index files rewritten: ${mainNoop.rewrites}`,
    ],
    ...small.map((h): [string, string] => [
      `home of ${h.sessions} small sessions`,
      `${h.files} files, ${mb(h.cold.summary.bytes_read)}: cold ${sec(h.cold.ms)} (${(perByte(h.cold) / perByte(cold)).toFixed(2)}× the time per byte of the main home), peak RSS ${mib(h.cold.peakRss)}; no-op ${sec(h.noop.ms)} (median of ${SHORT_RUNS}), peak RSS ${mib(h.noop.peakRss)}, state and index files rewritten: ${h.rewrites}; the no-op's floor (listing ${h.floor.dirs} directories and lstat'ing ${h.floor.files} files on one thread, nothing else) ${sec(h.floor.ms)}, median of 3`,
    ]),
    [
      're-run after one appended turn',
      append && appended
        ? `${sec(append.ms)}; appended ${appended.bytes} B, read ${mb(append.summary.bytes_read)}`
        : 'n/a',
    ],
    [
      'ccusage session --json --offline, cold',
      cc.ms !== null ? `${sec(cc.ms)}, median of ${SHORT_RUNS} (${cc.note})` : cc.note,
    ],
    ['import / ccusage', cc.ms !== null && imported > 0 ? `${(cold.ms / cc.ms).toFixed(2)}×` : 'n/a'],
    [
      '1 GB single-session home',
      big
        ? `${mb(bigBytes)}: import ${sec(big.ms)}, wrote ${mb(big.summary.bytes_written)}, peak RSS ${mib(big.peakRss)}`
        : flags['skip-1gb']
          ? 'skipped (--skip-1gb)'
          : 'n/a',
    ],
    [
      '`--help`',
      `${Math.round(help)} ms (median of 5); Node's own start-up (\`node -e 0\`) ${Math.round(nodeStart)} ms`,
    ],
    [
      'cold import with the local index (archive.db)',
      rounds.length > 0
        ? `its ${ROUNDS} runs: ${rounds.map((p) => sec(p.indexed.ms)).join(', ')}; ${medianRatio((p) => p.indexed.ms / p.cold.ms)!.toFixed(2)}× the import without it (median of the rounds)`
        : 'n/a',
    ],
    [
      'no-op re-run with the local index',
      `${sec(median(indexedNoops).ms)} (median of ${SHORT_RUNS}), ${(median(indexedNoops).ms / noop.ms).toFixed(2)}× the no-op without it`,
    ],
    ['push to PostgreSQL (`--content full`, a server on loopback)', pushed.note],
    [
      `home ${GROWTH_FACTOR}× the size (\`--rss-growth\`)`,
      larger
        ? `${mb(larger.gen.bytes)}, ${larger.gen.files} files; largest file ${mb(larger.gen.largestFile)}: cold ${sec(larger.cold.ms)}, peak RSS ${mib(larger.cold.peakRss)}, against ${mib(coldPeak ?? null)} for the main home (the median of its cold imports: ${rounds.map((p) => mib(p.cold.peakRss)).join(', ')})`
        : 'not measured (`--rss-growth`)',
    ],
  ];
  const verdicts: [string, string, string, string][] = TARGETS.map((t) => {
    const v = values[t.key];
    const bound = `${t.strict ? '<' : '≤'} ${t.format(t.limit(cores))}`;
    return [t.label, v === null ? 'n/a' : t.format(v), bound, verdictText(t, v, cores)];
  });

  const date = new Date().toISOString().slice(0, 10);
  const lines = [
    `Run of ${date}, seed ${seed}, size ${flags.size}. Machine: ${machine()}.`,
    `Page cache warm for every timed run (the home is read once before timing), and what a generated home or a removed archive left dirty written out first (\`sync -f\`); baseline, floors and cold imports are the round of median import/baseline ratio among three alternating rounds, the no-op re-runs and ccusage the median of three runs, the others one run; peak RSS by ${rssMethod()}. The machine may be shared: compare the ratios, which are taken side by side, not the times.`,
    '',
    '| measure | figure |',
    '|---|---|',
    ...figures.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '| target | measured | bound | |',
    '|---|---|---|---|',
    ...verdicts.map(([k, v, b, verdict]) => `| ${k} | ${v} | ${b} | ${verdict} |`),
  ];
  const notes: string[] = [];
  if (missing.length > 0) {
    notes.push(
      `No adapter for ${missing.join(', ')}: those files were generated but left out of the baseline and the imports.`,
    );
    if (cc.ms !== null)
      notes.push(
        `ccusage read every provider's files (${mb(gen.bytes)}), the import only ${covered.join(', ')}: the ccusage ratios favour the import.`,
      );
  }
  const coldTarget = TARGETS.find((t) => t.key === 'import_vs_baseline')!;
  const whyCold = profiled && parseBoundText(profiled, threads);
  if (whyCold && judge(coldTarget, values.import_vs_baseline, cores) === 'missed')
    notes.push(`Why the cold import misses its bound: ${whyCold}.`);
  const noopTarget = TARGETS.find((t) => t.key === 'noop_vs_ccusage')!;
  if (cc.ms !== null && judge(noopTarget, values.noop_vs_ccusage, cores) === 'missed') {
    const inRun = noop.summary.duration_ms;
    notes.push(
      `The no-op re-run's bound is ${Math.round(noopTarget.limit(cores) * cc.ms)} ms here (${noopTarget.limit(cores)}× ccusage's ${Math.round(cc.ms)} ms) and it took ${Math.round(noop.ms)} ms: Node's own start-up ${Math.round(nodeStart)} ms (${(nodeStart / cc.ms).toFixed(2)}× ccusage's run); loading the CLI, parsing its flags, printing the summary and exiting ${Math.round(noop.ms - inRun - nodeStart)} ms (\`--help\`, which loads the parser and no command, takes ${Math.round(help)} ms in all); the run itself ${Math.round(inRun)} ms — the lock, reading the state's digest, walking the homes with a stat of each of their ${gen.files} files, writing last_run.json — and that part grows with the home.`,
    );
    notes.push(startupShare(noopTarget.limit(cores) * cc.ms, noop.ms - inRun, inRun));
  }
  const smallNoopTarget = TARGETS.find((t) => t.key === 'small_noop_ms')!;
  if (largest && judge(smallNoopTarget, values.small_noop_ms, cores) === 'missed') {
    const { noop: run, floor } = largest;
    notes.push(
      `The no-op re-run of the ${largest.sessions}-session home took ${Math.round(run.ms)} ms. Its floor — listing the ${floor.dirs} directories of the homes and the archive's session files and lstat'ing each of their ${floor.files} files, nothing else, on one thread (stat-floor.ts) — took ${Math.round(floor.ms)} ms: the no-op, which does that work on two threads and reads its records of the directories and the state's digest, took ${(run.ms / floor.ms).toFixed(2)}× its floor.`,
    );
  }
  if (imported === 0) notes.push('The cold import converted no session: the import ratios are not measured.');
  if (cc.ms === null) notes.push(`${cc.note}; the ratios against it are skipped.`);
  if (values.rss_growth === null)
    notes.push(
      `RSS growth is measured with \`--rss-growth\`: a home ${GROWTH_FACTOR}× the size (same seed) is generated and imported once.`,
    );
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${n}`));
  const table = lines.join('\n');
  process.stdout.write(`\n${table}\n\nTotal bench time ${sec(performance.now() - t0)}.\n`);

  mkdirSync(join(work, 'results'), { recursive: true });
  const results: Results = {
    date,
    seed,
    build,
    size_bytes: size,
    machine: machine(),
    figures: Object.fromEntries(figures),
    values: { ...values, cold_rss: cold.peakRss },
  };
  writeFileSync(join(work, 'results', `${size}.json`), `${JSON.stringify(results, null, 2)}\n`);
  if (!flags['no-readme']) writeReadmeSection(join(root, 'README.md'), table);
  if (!flags.keep) {
    for (const dir of [home, out, privateHome]) rmSync(dir, { recursive: true, force: true });
  }
  const failed = TARGETS.filter((t) => judge(t, values[t.key], cores) === 'missed').map((t) => t.label);
  const unusable = imported === 0;
  if (failed.length > 0) say(`targets missed: ${failed.join('; ')}`);
  if (unusable) say('nothing was imported: the run cannot meet the targets');
  return failed.length > 0 || unusable ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
