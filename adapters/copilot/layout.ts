/** What discovery needs of the Copilot layout (paths only): loaded without the converter. */

/** Where a file sits in a Copilot home: which session, which layout. */
type Classified =
  | { id: string; role: 'legacy'; ms: number }
  | { id: string; role: 'flat' | 'dir' | 'workspace' | 'metadata'; ms?: undefined };

export function classify(rel: string): Classified | null {
  let m = /^history-session-state\/session_(.+)_(\d+)\.json$/.exec(rel);
  if (m) return { id: m[1]!, role: 'legacy', ms: Number(m[2]) };
  m = /^history-session-state\/([^/]+)\.json$/.exec(rel);
  if (m) return { id: m[1]!, role: 'legacy', ms: 0 };
  m = /^session-state\/([^/]+)\.jsonl$/.exec(rel);
  if (m) return { id: m[1]!, role: 'flat' };
  m = /^session-state\/([^/]+)\/(events\.jsonl|workspace\.yaml|vscode\.metadata\.json)$/.exec(rel);
  if (m)
    return { id: m[1]!, role: m[2] === 'events.jsonl' ? 'dir' : m[2] === 'workspace.yaml' ? 'workspace' : 'metadata' };
  return null;
}
