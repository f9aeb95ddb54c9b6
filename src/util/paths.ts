/** True when `path` is `root` or inside it (plain string paths, `/`-separated). */
export function isInside(root: string, path: string): boolean {
  const r = root.endsWith('/') ? root.slice(0, -1) : root;
  return path === r || path.startsWith(`${r}/`);
}
