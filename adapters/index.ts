/** The adapter registry: adding a provider is one folder under adapters/ and one line here. */
import type { Adapter } from './types.js';
import { claudeAdapter } from './claude/index.js';

export const adapters: readonly Adapter[] = [claudeAdapter];
