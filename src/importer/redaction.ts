/**
 * Whether an import masks secrets (`--redact`). The choice belongs to the logs dir: `--redact`
 * records it in the state, later runs without the flag (cron) keep it, and only `--no-redact`
 * lifts it. A source converted with other rules than the current ones, or with none while the dir
 * is redacted (or the other way round), is converted again.
 */
import type { BackfillState, UnitRecord } from '../model/state.js';
import { REDACTION_RULES_VERSION } from '../writer/redact.js';

export { REDACTION_RULES_VERSION };

/**
 * The rules version the logs dir was last masked with (0: not redacted). A state from before the
 * choice was recorded counts as redacted when a source was.
 */
export function recordedRedaction(state: BackfillState): number {
  if (state.redact !== undefined) return state.redact.rules_version;
  let rules = 0;
  for (const key in state.units) rules = Math.max(rules, rulesOf(state.units[key]!));
  return rules;
}

/** The rules version this run masks with (0: none): the flag when given, else what the logs dir recorded (`recordedRedaction`). */
export function redactionOf(recorded: number, flag: boolean | undefined): number {
  return (flag ?? recorded > 0) ? REDACTION_RULES_VERSION : 0;
}

/** Records the choice of this run in the state. */
export function recordRedaction(state: BackfillState, rules: number): void {
  if (rules > 0) state.redact = { rules_version: rules };
  else delete state.redact;
}

/** The rules version a unit was converted with (0: not redacted; `true` was written by version 1). */
export function rulesOf(rec: Pick<UnitRecord, 'redact'>): number {
  return rec.redact === true ? 1 : rec.redact || 0;
}
