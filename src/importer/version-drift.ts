/** Sessions written by an agent newer than the one its adapter was tested on (run summary, doctor). */
import type { Adapter } from '../../adapters/types.js';
import type { SessionLogIndexEntry } from '../model/index-schema.js';
import { compareVersions, newerVersion } from '../util/version.js';

export interface VersionDrift {
  /** The newest agent version among those sessions. */
  agent_version: string;
  /** `Adapter.testedVersion`. */
  tested_version: string;
  /** Sessions from an agent newer than `tested_version`. */
  sessions: number;
}

/** Null when the adapter declares no tested version or no session is newer than it. */
export function versionDrift(
  adapter: Pick<Adapter, 'testedVersion'>,
  entries: Iterable<Pick<SessionLogIndexEntry, 'agent_version'>>,
): VersionDrift | null {
  const tested = adapter.testedVersion;
  if (tested === undefined) return null;
  let newest: string | null = null;
  let sessions = 0;
  for (const entry of entries) {
    const version = entry.agent_version;
    if (version === undefined || (compareVersions(version, tested) ?? 0) <= 0) continue;
    sessions++;
    newest = newerVersion(newest, version);
  }
  return newest === null ? null : { agent_version: newest, tested_version: tested, sessions };
}

export function driftWarning(title: string, drift: VersionDrift): string {
  const n = drift.sessions;
  return `${title} ${drift.agent_version} is newer than the ${drift.tested_version} this adapter was tested on (${n} session${n === 1 ? '' : 's'}): check them, they may be partly understood`;
}
