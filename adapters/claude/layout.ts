/** What discovery needs of the Claude layout (paths only): loaded without the converter. */

export type FileKind = 'main' | 'flat-agent' | 'subagent' | 'meta' | 'journal' | 'spill' | 'other';

/** What a file is, from its path relative to the home (`projects/<enc>/…`). */
export function fileKind(rel: string): FileKind {
  const parts = rel.split('/');
  const name = parts[parts.length - 1] ?? '';
  if (parts[0] !== 'projects') return 'other';
  if (parts.length === 3 && name.endsWith('.jsonl')) return name.startsWith('agent-') ? 'flat-agent' : 'main';
  if (parts.length >= 5 && parts[3] === 'subagents') {
    if (name.endsWith('.meta.json')) return 'meta';
    if (name === 'journal.jsonl') return 'journal';
    if (name.startsWith('agent-') && name.endsWith('.jsonl')) return 'subagent';
  }
  if (parts.length === 5 && parts[3] === 'tool-results') return 'spill';
  return 'other';
}
