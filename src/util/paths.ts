/** True when `path` is `root` or inside it (plain string paths, `/`-separated). */
export function isInside(root: string, path: string): boolean {
  const r = root.endsWith('/') ? root.slice(0, -1) : root;
  return path === r || path.startsWith(`${r}/`);
}

/** The directory, with a final `/`, that every one of `paths` is below (`''` when none is shared). */
export function commonDir(paths: readonly string[]): string {
  let dir = paths.length === 0 ? '' : paths[0]!.slice(0, paths[0]!.lastIndexOf('/') + 1);
  for (const path of paths) {
    while (!path.startsWith(dir)) {
      const cut = dir.length < 2 ? -1 : dir.lastIndexOf('/', dir.length - 2);
      dir = dir.slice(0, cut + 1);
    }
  }
  return dir;
}
