/**
 * Bundles the CLI's compiled modules (and yargs) into one CommonJS file, `dist/src/cli/cli.cjs`,
 * makes V8's code cache of it, and writes the command that runs the two, `dist/src/cli/main.js`
 * (from src/cli/launch.ts). Loading a module costs Node's ESM loader a few reads and resolutions
 * whatever its size, and compiling the bundle is most of what is left of the CLI's start-up: one
 * file, compiled once here, is what a run then reads. A command's modules still run only when the
 * command does (esbuild wraps what a dynamic import loads), and the other dependencies stay in
 * node_modules (loaded when needed, as before). The conversion worker (`dist/src/importer/worker.js`)
 * is bundled in place too, zod and the converters inside: every worker of a run loads it, and as
 * separate files its modules cost each worker about 65 ms of CPU more. Run by the build, after tsc.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { build } from 'esbuild';
import { BUNDLE_FILE, CACHE_FILE, wrapBundle } from '../src/cli/code-cache.js';

const dist = fileURLToPath(new URL('..', import.meta.url));
const cliDir = join(dist, 'src', 'cli');
const bundleFile = join(cliDir, BUNDLE_FILE);
const cacheFile = join(cliDir, CACHE_FILE);
/** What earlier builds left: the chunks of the ESM bundle this one replaces. */
const CHUNK = /^chunk-[A-Z0-9]+\.js$/;

/**
 * The code cache of the bundle with every function in it (V8's lazy compilation off while it
 * compiles), so that any command finds its functions compiled; about as fast for a no-op run as a
 * cache made by one.
 */
function codeCache(source: string): Buffer {
  setFlagsFromString('--no-lazy');
  let script: Script;
  try {
    script = new Script(wrapBundle(source), { filename: bundleFile });
  } finally {
    // Back as it was before the cache is made: it records the flags, and V8 takes it only under those.
    setFlagsFromString('--lazy');
  }
  return script.createCachedData();
}

const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { dependencies: object };
for (const name of readdirSync(cliDir)) if (CHUNK.test(name)) rmSync(join(cliDir, name));
// Never a cache beside a bundle it was not made of, should this build fail half-way.
rmSync(cacheFile, { force: true });
const [bundle] = (
  await build({
    entryPoints: [join(cliDir, 'main.js')],
    write: false,
    outfile: bundleFile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // A dynamic import becomes a require: a script compiled with its cache has no module loader.
    supported: { 'dynamic-import': false },
    // Given by the function the bundle is run as (see wrapBundle).
    define: { 'import.meta.url': 'import_meta_url' },
    // yargs (about 45 files) is loaded by every run; string-width is an ES module, which Node
    // before 20.19 cannot require. The others are loaded by some commands only.
    external: Object.keys(pkg.dependencies).filter((name) => name !== 'yargs' && name !== 'string-width'),
    // yargs' two checks, without loading node:assert (src/cli/yargs-assert.ts).
    alias: { assert: join(cliDir, 'yargs-assert.js') },
    logLevel: 'warning',
  })
).outputFiles!;
// The script is the body of a function: no `#!` line.
const source = bundle!.text.replace(/^#!.*\n/, '');
writeFileSync(bundleFile, source);
writeFileSync(cacheFile, codeCache(source));
await build({
  entryPoints: [join(cliDir, 'launch.js')],
  outfile: join(cliDir, 'main.js'),
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});

// One file, no chunks: a worker loads all of it anyway (each converter is evaluated on first use).
// zod and yaml are inside; yaml is CommonJS, whose `require` of Node's modules needs one in the bundle.
const workerFile = join(dist, 'src', 'importer', 'worker.js');
await build({
  entryPoints: [workerFile],
  outfile: workerFile,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(pkg.dependencies).filter((name) => name !== 'zod' && name !== 'yaml'),
  banner: {
    js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
