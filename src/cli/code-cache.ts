/**
 * The CLI bundle and V8's code cache of it (written by build/bundle.ts, read by launch.ts): their
 * names, and the text V8 compiles, which must be the same at build and at run for V8 to take the cache.
 */

/** The CLI as one CommonJS file, beside the command that runs it. */
export const BUNDLE_FILE = 'cli.cjs';
/** V8's compiled functions of the bundle, made by the build after the bundle. */
export const CACHE_FILE = 'cli.cjs.cache';

/**
 * The bundle as the function a CommonJS module is, in strict mode as the ES modules it is made of,
 * and given the URL of its file for their `import.meta.url`; the source on its own lines.
 */
export function wrapBundle(source: string): string {
  return `(function (exports, require, module, __filename, __dirname, import_meta_url) {"use strict";${source}\n})`;
}
