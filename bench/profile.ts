/**
 * Where the time of a profiled run went: the `.cpuprofile` files `node --cpu-prof` writes (one per
 * thread: the main thread and every worker) summed by category. A sample counts for the first
 * category in `CATEGORIES` order that a frame of its stack belongs to, so JSON.parse inside an
 * adapter's read loop is parse, and a syscall under the writer is file I/O. A frame of a bundled
 * file (the conversion worker) counts as the module its line came from.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.js';

export const CATEGORIES = [
  'start-up',
  'file I/O',
  'parse',
  'serialization',
  'conversion',
  'GC',
  'idle',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based, as V8 writes it. */
  lineNumber?: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Milliseconds by category. */
export type Breakdown = Record<Category, number>;

/** esbuild's line before each module of a bundle: `// dist/src/io/json.js`. */
const MODULE_MARK = /^\/\/ (\S+\/\S+\.js)$/;

/** Per file URL: the first line of each bundled module, with its path; null for a file that is no bundle. */
const bundles = new Map<string, { line: number; path: string }[] | null>();

function modulesOf(url: string): { line: number; path: string }[] | null {
  let modules = bundles.get(url);
  if (modules !== undefined) return modules;
  modules = null;
  if (url.startsWith('file:')) {
    try {
      const lines = readFileSync(fileURLToPath(url), 'utf8').split('\n');
      const marks = lines.flatMap((text, line) => {
        const m = MODULE_MARK.exec(text);
        return m ? [{ line, path: `/${m[1]!}` }] : [];
      });
      if (marks.length > 0) modules = marks;
    } catch {
      // gone since the run: counted by its own URL
    }
  }
  bundles.set(url, modules);
  return modules;
}

/** The URL of the module a frame's code came from: in a bundle, the module its line lies in. */
function moduleUrl({ url, lineNumber }: CallFrame): string {
  const modules = lineNumber === undefined ? null : modulesOf(url);
  if (modules === null) return url;
  let found = url;
  for (const m of modules) {
    if (m.line > lineNumber!) break;
    found = m.path;
  }
  return found;
}

/** The category a frame makes its stack count for, or null when it says nothing by itself. */
function frameCategory(frame: CallFrame): Category | null {
  const { functionName } = frame;
  const url = moduleUrl(frame);
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  // Loading and evaluating modules (zod schemas built at load time included).
  if (url.startsWith('node:internal/modules/') || url.startsWith('node:internal/bootstrap/')) return 'start-up';
  if (url.startsWith('node:fs') || url.startsWith('node:internal/fs/')) return 'file I/O';
  // Reading lines, decoding UTF-8, JSON.parse (src/io/).
  if (url.includes('/src/io/')) return 'parse';
  // Event lines built and keyed, and their UTF-8 encoding into the file's buffer.
  if (/\/src\/writer\/(serialize|event-keys|redact)\.js$/.test(url)) return 'serialization';
  if (url === 'node:buffer' && functionName === 'write') return 'serialization';
  if (/\/(adapters|src\/session|src\/writer|src\/util)\//.test(url) || url.endsWith('/src/importer/convert-unit.js'))
    return 'conversion';
  return null;
}

/** The category of every node of the call tree: the first, in CATEGORIES order, of its frame's and its callers'. */
function nodeCategories(profile: CpuProfile): Map<number, Category> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const result = new Map<number, Category>();
  const children = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  const stack: [number, Category][] = profile.nodes.filter((n) => !children.has(n.id)).map((n) => [n.id, 'other']);
  while (stack.length > 0) {
    const [id, inherited] = stack.pop()!;
    const node = byId.get(id)!;
    const own = frameCategory(node.callFrame);
    const category = own !== null && CATEGORIES.indexOf(own) < CATEGORIES.indexOf(inherited) ? own : inherited;
    result.set(id, category);
    for (const child of node.children ?? []) stack.push([child, category]);
  }
  return result;
}

/** One thread's profile, summed by category. */
export function breakdown(profile: CpuProfile): Breakdown {
  const categories = nodeCategories(profile);
  const ms = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Breakdown;
  profile.samples.forEach((id, i) => (ms[categories.get(id) ?? 'other'] += (profile.timeDeltas[i] ?? 0) / 1000));
  return ms;
}

export function sumBreakdowns(parts: readonly Breakdown[]): Breakdown {
  const ms = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Breakdown;
  for (const part of parts) for (const c of CATEGORIES) ms[c] += part[c];
  return ms;
}

export const totalMs = (b: Breakdown) => CATEGORIES.reduce((n, c) => n + b[c], 0);

/** The profiles `node --cpu-prof --cpu-prof-dir=<dir>` left in `dir`: the main thread's and the workers'. */
export function readProfiles(dir: string): { main: Breakdown[]; workers: Breakdown[] } {
  const main: Breakdown[] = [];
  const workers: Breakdown[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.cpuprofile'))
    .sort()) {
    // CPU.<date>.<time>.<pid>.<thread id>.<n>.cpuprofile: thread 0 is the main thread.
    const thread = name.split('.')[4];
    const profile = JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile;
    (thread === '0' ? main : workers).push(breakdown(profile));
  }
  return { main, workers };
}

/** `parse 24%, conversion 31%, …`: each category's share of the total, largest first, none left out. */
export function sharesText(b: Breakdown): string {
  const total = totalMs(b) || 1;
  return [...CATEGORIES]
    .sort((x, y) => b[y] - b[x])
    .map((c) => `${c} ${((100 * b[c]) / total).toFixed(0)}%`)
    .join(', ');
}

export interface ProfiledRun {
  /** Every worker's profile summed (empty when the import ran in the main thread). */
  workers: Breakdown;
  workerCount: number;
  main: Breakdown;
}

/** Runs `node --cpu-prof <args>` (worker threads write their own profiles) and sums its profiles. */
export async function profiledRun(
  node: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  dir: string,
): Promise<ProfiledRun> {
  rmSync(dir, { recursive: true, force: true });
  const run = await measure(node, ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...args], env);
  if (run.code !== 0) throw new Error(`profiled run: exit ${run.code}\n${run.stderr.slice(0, 2000)}`);
  const { main, workers } = readProfiles(dir);
  rmSync(dir, { recursive: true, force: true });
  return { workers: sumBreakdowns(workers), workerCount: workers.length, main: sumBreakdowns(main) };
}

/** The figure row: the workers' time by category, and the main thread's. */
export function profileText(run: ProfiledRun): string {
  const main = `main thread ${(totalMs(run.main) / 1000).toFixed(2)} s: ${sharesText(run.main)}`;
  if (run.workerCount === 0) return `no worker (converted in the main thread); ${main}`;
  return `${run.workerCount} workers, ${(totalMs(run.workers) / 1000).toFixed(2)} s of worker time: ${sharesText(run.workers)}; ${main}`;
}

/**
 * Why a cold import on `threads` cores cannot come under `bound` × the one-thread baseline: the
 * baseline is the parse alone, so when parse is a share p of the workers' time, the import costs
 * at least 1/p parses of work, and at least 1/(p × threads) × the baseline on `threads` threads.
 */
export function parseBoundText(run: ProfiledRun, threads: number): string | null {
  const busy = totalMs(run.workers) - run.workers.idle;
  if (run.workerCount === 0 || busy <= 0 || run.workers.parse === 0) return null;
  const p = run.workers.parse / busy;
  const others = CATEGORIES.filter((c) => c !== 'parse' && c !== 'idle')
    .sort((x, y) => run.workers[y] - run.workers[x])
    .map((c) => `${c} ${((100 * run.workers[c]) / busy).toFixed(0)}%`)
    .join(', ');
  return (
    `parse, the baseline's whole work, is ${(100 * p).toFixed(0)}% of the workers' busy time (${others}): ` +
    `the import does ${(1 / p).toFixed(1)}× the baseline's work, so ${threads} threads take at least ` +
    `${(1 / p / threads).toFixed(2)}× the baseline even with nothing serial`
  );
}
