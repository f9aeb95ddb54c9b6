/**
 * Bundles the CLI's compiled modules (and yargs) into `dist/src/cli/main.js` and chunks beside it.
 * Loading a module costs Node's ESM loader a few reads and resolutions whatever its size, and a
 * no-op run loaded about 120 files: most of the CLI's start-up. The dynamic imports stay split
 * points (a command's code loads when it runs), and the other dependencies stay in node_modules
 * (loaded when needed, as before). Worker threads load `dist/src/importer/worker.js` and its
 * modules as tsc wrote them. Run by the build, after tsc.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('..', import.meta.url));
const cliDir = join(dist, 'src', 'cli');
/** Chunks are named by their content's hash: the ones of an earlier build would stay behind. */
const CHUNK = /^chunk-[A-Z0-9]+\.js$/;

const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { dependencies: object };
for (const name of readdirSync(cliDir)) if (CHUNK.test(name)) rmSync(join(cliDir, name));
await build({
  entryPoints: [join(cliDir, 'main.js')],
  outdir: cliDir,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // yargs (about 45 files) is loaded by every run; the others by some commands only.
  external: Object.keys(pkg.dependencies).filter((name) => name !== 'yargs'),
  logLevel: 'warning',
});
