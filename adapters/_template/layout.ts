/** What discovery and `units()` need of the layout (paths only): no zod, no reading. */
import { basename } from 'node:path';

/** A session's native id: the file name `sessions/<id>.jsonl`. */
export function sessionIdOf(rel: string): string {
  return basename(rel, '.jsonl');
}
