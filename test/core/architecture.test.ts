/**
 * The module arrows point one way: cli → importer → writer/archive → model/io/util, adapters use
 * the core's helpers, and the core sees adapters only through the registry and the contract.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/harness.js';

/** Layers of `src/`, lowest first: a module imports its own layer or lower ones. */
const LAYERS: readonly (readonly string[])[] = [
  ['errors', 'log', 'util', 'io', 'model', 'archive/layout'],
  ['session', 'adapters/types', 'adapters/lazy'],
  ['writer'],
  ['archive'],
  ['importer', 'database', 'export', 'adapters/index'],
  ['check', 'report'],
  ['cli'],
];
/** What an adapter's folder may use of the core: the helpers below the writer. */
const ADAPTER_LAYER = 1;

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Repo-relative paths of the non-test `.ts` files under `dirs`. */
function sourceFiles(dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) out.push(path);
    }
  };
  dirs.forEach(walk);
  return out.sort();
}

const IMPORT =
  /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

/** The relative imports of each file (static, re-exports and dynamic), resolved to repo paths. */
export function importEdges(sources: ReadonlyMap<string, string>): Edge[] {
  const edges: Edge[] = [];
  for (const [from, text] of sources) {
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[2] ?? m[3]!;
      const to = relative('.', join(dirname(from), spec)).replace(/\.js$/, '.ts');
      edges.push({ from, to, typeOnly: m[1] !== undefined });
    }
  }
  return edges;
}

/** Modules with a layer of their own, below the rest of their folder. */
const OWN_LAYER = ['archive/layout'];

/** `src/importer/run.ts` → `importer`; `adapters/claude/x.ts` → `adapters/claude/`; `src/log.ts` → `log`. */
function unit(path: string): string {
  const parts = path.replace(/\.ts$/, '').split('/');
  if (OWN_LAYER.includes(parts.slice(1).join('/'))) return parts.slice(1).join('/');
  if (parts[0] === 'adapters') return parts.length === 2 ? `adapters/${parts[1]}` : `adapters/${parts[1]}/`;
  return parts[1]!;
}

function layer(path: string): number {
  return LAYERS.findIndex((l) => l.includes(unit(path)));
}

const isCommand = (path: string): boolean => /^src\/cli\/.*-command\.ts$/.test(path);

/** Every edge that breaks a rule, as `from → to: rule`. */
export function violations(sources: ReadonlyMap<string, string>): string[] {
  const edges = importEdges(sources);
  const out: string[] = [];
  for (const { from, to } of edges) {
    const say = (rule: string) => out.push(`${from} → ${to}: ${rule}`);
    const [fromUnit, toUnit] = [unit(from), unit(to)];
    if (to === 'src/cli/main.ts') say('nothing imports the entry point');
    else if (isCommand(from) && isCommand(to)) say('a command imports another command');
    else if (fromUnit === toUnit || (from === 'adapters/index.ts' && to.endsWith('/index.ts'))) continue;
    else if (fromUnit.endsWith('/') && toUnit.endsWith('/')) say('an adapter imports another adapter');
    else if (fromUnit.endsWith('/')) {
      if (layer(to) < 0 || layer(to) > ADAPTER_LAYER) say("an adapter uses only the core's helpers and the contract");
    } else if (toUnit.endsWith('/')) say('the core sees adapters only through the registry and the contract');
    else if (layer(from) < 0 || layer(to) < 0) say('a module outside the layers');
    else if (layer(to) > layer(from)) say('a lower layer imports an upper one');
  }
  return [...out, ...valueCycles(edges)];
}

/** Each cycle of value imports (type-only imports vanish at runtime), once, as `a → b → a`. */
function valueCycles(edges: Edge[]): string[] {
  const next = new Map<string, string[]>();
  for (const e of edges) if (!e.typeOnly) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const to of next.get(node) ?? []) {
      if (state.get(to) === 'open') cycles.push(`cycle: ${[...stack.slice(stack.indexOf(to)), to].join(' → ')}`);
      else if (state.get(to) === undefined) visit(to);
    }
    stack.pop();
    state.set(node, 'done');
  };
  [...next.keys()].sort().forEach((n) => state.get(n) === undefined && visit(n));
  return cycles;
}

const tree = new Map(sourceFiles(['src', 'adapters']).map((p) => [p, readFileSync(join(repoRoot, p), 'utf8')]));

/** The tree with one import line added at the top of `file`. */
function withImport(file: string, line: string): Map<string, string> {
  return new Map(tree).set(file, `${line}\n${tree.get(file)!}`);
}

describe('architecture', () => {
  it('reads the imports of every module', () => {
    const edges = importEdges(tree);
    expect(edges.length).toBeGreaterThan(300);
    for (const e of edges) expect(tree.has(e.to), `${e.from} imports ${e.to}`).toBe(true);
    expect(edges).toContainEqual({ from: 'src/cli/main.ts', to: 'src/cli/import-command.ts', typeOnly: false });
  });

  it('every module of src/ is in a layer', () => {
    expect([...tree.keys()].filter((p) => p.startsWith('src/') && layer(p) < 0)).toEqual([]);
  });

  it('has no back-imports, no command importing another, no import of main.ts, no value cycles', () => {
    expect(violations(tree)).toEqual([]);
  });

  it('names the files of a logs dir and a store only in archive/layout.ts', () => {
    const name =
      /['"`](backfill_state\.json|last_run\.json|index\.json|sessions_index\.json|\.import\.lock|\.sessions_index\.lock|archive\.db|archive-db\.stamp|backfill_dirs\.json|backfill_state\.digest|push_ledger\.json)['"]/;
    const found = [...tree].filter(([path, text]) => path !== 'src/archive/layout.ts' && name.test(text));
    expect(found.map(([path, text]) => `${path}: ${name.exec(text)![1]}`)).toEqual([]);
  });

  it.each([
    [
      'src/model/events.ts',
      "import { importCommand } from '../cli/import-command.js';",
      'a lower layer imports an upper one',
    ],
    ['src/writer/merge.ts', "import type { Lock } from '../importer/lock.js';", 'a lower layer imports an upper one'],
    [
      'src/cli/list-command.ts',
      "import { showCommand } from './show-command.js';",
      'a command imports another command',
    ],
    [
      'src/writer/merge.ts',
      "import { readLogsIndex } from '../archive/read.js';",
      'a lower layer imports an upper one',
    ],
    ['src/cli/summary.ts', "import type { CommonArgs } from './main.js';", 'nothing imports the entry point'],
    [
      'src/importer/run.ts',
      "import { claudeAdapter } from '../../adapters/claude/index.js';",
      'only through the registry',
    ],
    ['adapters/codex/convert.ts', "import { x } from '../gemini/records.js';", 'an adapter imports another adapter'],
    ['adapters/codex/convert.ts', "import { runImport } from '../../src/importer/run.js';", "only the core's helpers"],
    ['src/io/lines.ts', "import { x } from '../session/records.js';", 'cycle: '],
  ])('fails on a deliberately added back-import: %s gets %s', (file, line, rule) => {
    const before = violations(tree);
    const added = violations(withImport(file, line)).filter((v) => !before.includes(v));
    expect(added.filter((v) => v.includes(rule)).length, added.join('\n')).toBeGreaterThan(0);
  });
});
