/** What discovery needs of the Gemini layout (paths only): loaded without the converter. */

export const PROJECTS_FILE = 'projects.json';
export const PROJECT_ROOT_MARKER = '.project_root';

/** `projects.json` and `tmp/<dir>/.project_root`: they serve every session of a project. */
export function isSideFile(rel: string): boolean {
  return rel === PROJECTS_FILE || (rel.startsWith('tmp/') && rel.endsWith(`/${PROJECT_ROOT_MARKER}`));
}

const CHAT_NAME = /^session-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-(.+)$/;

/**
 * The session id part of a chat file name `session-<YYYY-MM-DDTHH-MM>-<first 8 characters of the
 * sessionId>` (without extension). Not always free of dashes: the A2A server's `a2a-server` gives
 * `a2a-serv`.
 */
export function chatFileId(name: string): string {
  return CHAT_NAME.exec(name)?.[1] ?? name.slice(name.lastIndexOf('-') + 1);
}

/** The unit a file belongs to, by kind and group (`units()` in index.ts keys units by it). */
export type UnitKind =
  | { kind: 'chat'; group: string }
  | { kind: 'subagent'; group: string; parent: string }
  | { kind: 'logs' }
  | { kind: 'checkpoint'; group: string };

const CHAT = /^tmp\/[^/]+\/chats\/(session-[^/]*)\.jsonl?$/;
const SUBAGENT = /^tmp\/[^/]+\/chats\/([^/]+)\/([^/]+)\.jsonl?$/;
const PROMPT_LOG = /^tmp\/[^/]+\/logs\.json$/;
const CHECKPOINT = /^tmp\/[^/]+\/(checkpoint-[^/]+)\.json$/;

/** What a file is, from its path alone; side files and strays are null. */
export function classify(rel: string): UnitKind | null {
  let m = CHAT.exec(rel);
  if (m) {
    // The id8 in the name names the session.
    return { kind: 'chat', group: chatFileId(m[1]!) };
  }
  m = SUBAGENT.exec(rel);
  if (m) return { kind: 'subagent', group: `${m[1]!}/${m[2]!}`, parent: m[1]! };
  if (PROMPT_LOG.test(rel)) return { kind: 'logs' };
  m = CHECKPOINT.exec(rel);
  if (m) return { kind: 'checkpoint', group: m[1]! };
  return null;
}
