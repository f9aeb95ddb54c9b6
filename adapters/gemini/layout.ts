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
