/**
 * The provider home flags that `--help` and the parser need (id, title, flag, variable), without
 * loading the adapters (every parser, and zod), which would double the time `--help` takes. The
 * build writes them next to the compiled registry (build/provider-flags.ts); a list older than the
 * compiled registry is stale and the adapters are loaded instead.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Adapter } from '../../adapters/types.js';

export interface ProviderFlag {
  id: string;
  title: string;
  /** Flag name without the dashes, e.g. `claude-home`. */
  flag: string;
  env: string;
}

// From this module's folder, which is also the CLI bundle's (build/bundle.ts).
const LIST = new URL('../../adapters/provider-flags.json', import.meta.url);
const REGISTRY = new URL('../../adapters/index.js', import.meta.url);

/**
 * The provider names `--provider` was given, repeated or comma-separated (`claude,codex`), in
 * lower case, without empty names (`claude,` is `claude`). Empty when none: every provider.
 */
export function providerNames(values: readonly string[] | undefined): string[] {
  return [
    ...new Set(
      (values ?? [])
        .flatMap((v) => v.split(','))
        .map((n) => n.trim().toLowerCase())
        .filter((n) => n !== ''),
    ),
  ];
}

export function describeAdapters(adapters: readonly Adapter[]): ProviderFlag[] {
  return adapters.map((a) => ({ id: a.id, title: a.title, flag: a.home.flag, env: a.home.env }));
}

function readList(): ProviderFlag[] | null {
  try {
    if (statSync(REGISTRY).mtimeMs > statSync(LIST).mtimeMs) return null;
    return JSON.parse(readFileSync(LIST, 'utf8')) as ProviderFlag[];
  } catch {
    return null;
  }
}

export async function providerFlags(): Promise<ProviderFlag[]> {
  return readList() ?? describeAdapters((await import('../../adapters/index.js')).adapters);
}
