/** Which adapters a command runs (--provider) and the provider homes given by flag. */
import { statSync } from 'node:fs';
import { adapters as registry } from '../../adapters/index.js';
import type { Adapter } from '../../adapters/types.js';
import { UsageError } from '../errors.js';
import { providerNames } from './provider-flags.js';

/** The adapters named by --provider (all when none is named); an unknown name is a usage error. */
export function selectAdapters(names: string[] | undefined): readonly Adapter[] {
  const wanted = providerNames(names);
  if (wanted.length === 0) return registry;
  const unknown = wanted.filter((n) => !registry.some((a) => a.id === n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown provider ${unknown.join(', ')} (known: ${registry.map((a) => a.id).join(', ')})`);
  }
  return registry.filter((a) => wanted.includes(a.id));
}

/** The provider homes given by flag; one that is not a directory is a typo, never "nothing to import". */
export function homeFlagValues(args: Record<string, unknown>): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const adapter of registry) {
    const value = args[adapter.home.flag];
    values[adapter.id] = typeof value === 'string' ? value : undefined;
    if (typeof value === 'string' && value !== '' && !statSync(value, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`--${adapter.home.flag} ${value}: no such directory (the ${adapter.title} home to import)`);
    }
  }
  return values;
}
