/** What discovery needs of the Gemini layout (paths only): loaded without the converter. */

export const PROJECTS_FILE = 'projects.json';
export const PROJECT_ROOT_MARKER = '.project_root';

/** `projects.json` and `tmp/<dir>/.project_root`: they serve every session of a project. */
export function isSideFile(rel: string): boolean {
  return rel === PROJECTS_FILE || (rel.startsWith('tmp/') && rel.endsWith(`/${PROJECT_ROOT_MARKER}`));
}
