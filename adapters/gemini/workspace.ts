/**
 * Recovering a session's workspace from its project dir name. Gemini files never store the cwd:
 * `tmp/<sha256(root)>/` (≤ v0.28) or `tmp/<slug>/` (v0.29+), mapped back through the side files
 * `projects.json` (root → slug) and `tmp/<slug>/.project_root` (the owning root), and by hashing
 * every known root to match hashed dirs and the in-file `projectHash`.
 */
import type { ReadStats } from '../../src/io/lines.js';
import { SIDE_FILE_MAX_BYTES, readRegularFile } from '../../src/io/regular-file.js';
import { sha256Hex } from '../../src/util/ids.js';
import type { SourceFile } from '../types.js';
import { ProjectsFile } from './schema.js';
import { PROJECTS_FILE, isSideFile } from './layout.js';

const HASH_DIR = /^[0-9a-f]{64}$/;

class ProjectIndex {
  /** Root named by each slug dir's `.project_root`. */
  readonly markers = new Map<string, string>();
  /** Root of each slug in `projects.json`. */
  readonly slugs = new Map<string, string>();
  /** sha256 → root, for every root known from either side file. */
  readonly hashes = new Map<string, string>();

  addRoot(root: string): void {
    if (root === '') return;
    const hash = sha256Hex(root);
    if (!this.hashes.has(hash)) this.hashes.set(hash, root);
  }

  /**
   * The workspace of a file in `tmp/<dir>/`: the dir's marker, its slug in projects.json, or the
   * known root whose sha256 is the dir name or the file's `projectHash` (the session's own
   * `directories` are candidates too). Null when nothing matches.
   */
  resolve(dir: string, projectHash?: string, directories: readonly string[] = []): string | null {
    const direct = this.markers.get(dir) ?? this.slugs.get(dir);
    if (direct !== undefined) return direct;
    const hashes = [HASH_DIR.test(dir) ? dir : undefined, projectHash].filter((h): h is string => h !== undefined);
    for (const hash of hashes) {
      const root = this.hashes.get(hash) ?? directories.find((d) => sha256Hex(d) === hash);
      if (root !== undefined) return root;
    }
    return null;
  }

  /** A stable project key for ids: the root's sha256 when known, else the dir name. */
  projectKey(dir: string): string {
    if (HASH_DIR.test(dir)) return dir;
    const root = this.resolve(dir);
    return root === null ? dir : sha256Hex(root);
  }
}

/** The project dir (`<dir>` of `tmp/<dir>/…`) of a source file, by its path relative to the home. */
export function projectDirOf(rel: string): string {
  const parts = rel.split('/');
  return parts[0] === 'tmp' && parts.length > 2 ? parts[1]! : '';
}

async function readText(path: string, stats: ReadStats): Promise<string | null> {
  try {
    const bytes = readRegularFile(path, SIDE_FILE_MAX_BYTES);
    stats.bytesRead += bytes.length;
    return bytes.toString('utf8');
  } catch {
    return null;
  }
}

async function buildIndex(
  sideFiles: readonly SourceFile[],
  stats: ReadStats,
  warn: (m: string) => void,
): Promise<ProjectIndex> {
  const index = new ProjectIndex();
  for (const file of sideFiles) {
    const text = await readText(file.path, stats);
    if (text === null) continue;
    if (file.rel === PROJECTS_FILE) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        warn(`${file.path}: not valid JSON; project roots are recovered from .project_root markers only`);
        continue;
      }
      const projects = ProjectsFile.safeParse(parsed);
      if (!projects.success) continue;
      for (const [root, slug] of Object.entries(projects.data.projects)) {
        if (!index.slugs.has(slug)) index.slugs.set(slug, root);
        index.addRoot(root);
      }
    } else {
      const root = text.trim();
      if (root === '') continue;
      index.markers.set(projectDirOf(file.rel), root);
      index.addRoot(root);
    }
  }
  return index;
}

/** Project indexes by the discovery they were built from (its file list, shared by its units). */
const cache = new WeakMap<readonly SourceFile[], Promise<ProjectIndex>>();

/**
 * The project index of a home, read once per discovery: every unit of a run gets the same
 * `allFiles` array, so the side files (small and few) are read by the first unit only.
 */
export function projectIndex(
  allFiles: readonly SourceFile[],
  stats: ReadStats,
  warn: (m: string) => void,
): Promise<ProjectIndex> {
  let index = cache.get(allFiles);
  if (!index) {
    index = buildIndex(
      allFiles.filter((f) => isSideFile(f.rel)),
      stats,
      warn,
    );
    cache.set(allFiles, index);
  }
  return index;
}
