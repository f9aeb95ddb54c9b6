/** The adapter registry: adding a provider is one folder under adapters/ and its line here. */
import type { Adapter } from './types.js';
import { claudeAdapter } from './claude/index.js';
import { codexAdapter } from './codex/index.js';
import { copilotAdapter } from './copilot/index.js';
import { geminiAdapter } from './gemini/index.js';

export const adapters: readonly Adapter[] = [claudeAdapter, codexAdapter, copilotAdapter, geminiAdapter];
