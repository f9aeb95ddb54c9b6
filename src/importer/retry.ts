/**
 * A unit that fails while one of its files changes or vanishes is read again before it counts as
 * failed: a JSON document rewritten in place can be caught half-written (invalid, then valid a
 * moment later), and a file moved or rotated mid-run is gone by the time it is read. After a short
 * wait the files are stat'ed again; only when a fingerprint changed is the unit converted again,
 * up to RETRY_DELAYS_MS.length times. A failure with nothing changed is a lasting one: reported at
 * once (after the one wait), as before.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceFile, SourceUnit } from '../../adapters/types.js';
import type { UnitResult } from './convert-unit.js';
import { compareFingerprint, fileRecordOf, statSource } from './fingerprint.js';

/** Waits before each new look at a failed unit's files: long enough for a writer to finish a document. */
const RETRY_DELAYS_MS = [100, 400];

export type RetriedResult =
  | UnitResult
  /** The unit's main file was gone when looked at again: removed at source during the run, not a failure. */
  | { ok: false; vanished: true; error: string; bytesRead: number; warnings: string[] };

/** `unit` with its files stat'ed again (vanished ones dropped); null when nothing changed. */
function restat(unit: SourceUnit): SourceUnit | null {
  let changed = false;
  const files: SourceFile[] = [];
  for (const file of unit.files) {
    const now = statSource(file.path, file.rel);
    if (now === null) {
      changed = true;
      continue;
    }
    if (compareFingerprint(now, fileRecordOf(file.path, file)) !== 'same') changed = true;
    files.push(now);
  }
  return changed ? { key: unit.key, files } : null;
}

/** Converts `unit`, again while it fails with files that changed; returns the result and the unit as last read. */
export async function convertWithRetries(
  unit: SourceUnit,
  convert: (unit: SourceUnit) => Promise<UnitResult>,
): Promise<{ result: RetriedResult; unit: SourceUnit }> {
  let current = unit;
  let result: RetriedResult = await convert(current);
  let reads = 1;
  let earlierBytes = 0; // read by the attempts that failed
  for (const delay of RETRY_DELAYS_MS) {
    if (result.ok) break;
    await sleep(delay);
    const next = restat(current);
    if (next === null) break;
    earlierBytes += result.bytesRead;
    const main = current.files[0]!.path;
    if (next.files[0]?.path !== main) {
      result = {
        ok: false,
        vanished: true,
        error: `${main}: removed while this run read it`,
        bytesRead: 0,
        warnings: result.warnings,
      };
      break;
    }
    current = next;
    result = await convert(current);
    reads++;
  }
  result.bytesRead += earlierBytes;
  if (!result.ok && !('vanished' in result) && reads > 1)
    result.error = `${result.error} (read ${reads} times: the file changed while it was read)`;
  return { result, unit: current };
}
