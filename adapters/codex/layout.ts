/** What discovery needs of Codex file names: loaded without the converter. */
import { basename } from 'node:path';

const ROLLOUT_NAME = /^rollout-\d{4}-\d{2}-\d{2}(?:T\d{2}-\d{2}-\d{2})?-(.+?)\.(jsonl\.zst|jsonl|json)$/;

/** The id part of a rollout file name (`<uuid>` or `<thread>_<session>`), lower case. */
export function rolloutNameId(path: string): string | null {
  const m = ROLLOUT_NAME.exec(basename(path));
  return m ? m[1]!.toLowerCase() : null;
}

export const isZst = (path: string) => path.endsWith('.zst');
export const isLegacyJson = (path: string) => path.endsWith('.json');
