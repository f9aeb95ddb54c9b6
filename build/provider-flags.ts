/**
 * Writes the provider home flags next to the compiled registry (`dist/adapters/provider-flags.json`),
 * so that the CLI parses its flags without loading the adapters (see src/cli/provider-flags.ts).
 * Run by the build, after tsc.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adapters } from '../adapters/index.js';
import { describeAdapters } from '../src/cli/provider-flags.js';

const list = new URL('../adapters/provider-flags.json', import.meta.url);
writeFileSync(fileURLToPath(list), `${JSON.stringify(describeAdapters(adapters), null, 2)}\n`);
