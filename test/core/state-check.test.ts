import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SessionLogIndexEntry, UsageTotals } from '../../src/model/index-schema.js';
import {
  BackfillState,
  FailedSource,
  ProviderRun,
  Redaction,
  SessionEntries,
  SessionMark,
  StateChange,
  UnitRecord,
} from '../../src/model/state.js';
import { STATE_FIELDS, isExactChange, isExactEntries, isExactState } from '../../src/model/state-check.js';
import { COMPLETENESS_VALUES } from '../../src/model/names.js';
import { LogCompleteness } from '../../src/model/events.js';

const keysOf = (schema: z.ZodObject) => Object.keys(schema.shape);

const entry = (n: number) => ({
  wrapper_session_id: `claude-s${n}`,
  provider: 'claude',
  provider_session_id: n % 2 ? null : `s${n}`,
  log_path: `sessions/claude-s${n}.jsonl`,
  log_bytes: 1234,
  completeness: COMPLETENESS_VALUES[n % 3],
  started_at: '2026-01-01T00:00:00.000Z',
  ended_at: null,
  workspace_path: '/w',
  command: null,
  source_paths: ['/h/a.jsonl', '/h/b.jsonl'],
  backfilled: true,
  model: 'm',
  parent_session_id: null,
  title: 'T',
  tags: ['subagent'],
  event_count: 3,
  retained_events: 0,
  usage: { input_tokens: 1, output_tokens: 2, cache_read_tokens: 0, cache_creation_tokens: 0, calls: 1 },
  completeness_reasons: [],
  format: 'claude:jsonl',
  ...(n % 2 ? {} : { agent_version: '2.1.150' }),
  adapter_version: 1,
  source_missing: false,
  imported_at: '2026-01-02T00:00:00.000Z',
});

function sampleState(): Record<string, unknown> {
  return {
    version: 5,
    generation: 2,
    imported_session_keys: ['claude:s1', 'claude:s2'],
    units: {
      'claude:/h/a.jsonl': {
        adapter_version: 1,
        sessions: ['claude:s1'],
        dir: '/h/',
        files: [
          ['a.jsonl', 10, 3, 4, 1.5],
          ['a/b.jsonl', 0, 5, 4, '1250000', '1796624766455079123'],
        ],
      },
      'claude:/h/c.jsonl': {
        adapter_version: 1,
        redact: true,
        sessions: [],
        dir: '/h/',
        files: [['c.jsonl', 7, 6, 4, '1250000']],
      },
      'claude:/h/d.jsonl': { adapter_version: 1, redact: 2, sessions: [], dir: '/h/', files: [] },
    },
    sessions: {
      'claude:s1': { log_path: 'sessions/claude-s1.jsonl', log_bytes: 1234, source_missing: false },
      'claude:s2': { log_path: 'sessions/claude-s2.jsonl', log_bytes: 0, source_missing: true },
    },
    index_bytes: 5678,
    last_run: {
      claude: {
        finished_at: '2026-01-02T00:00:00.000Z',
        failed_count: 1,
        failed: [{ path: '/h/c.jsonl', message: 'bad' }],
      },
    },
    redact: { rules_version: 2 },
  };
}

function sampleEntries(): Record<string, unknown> {
  return { version: 5, generation: 3, sessions: { 'claude:s1': entry(1), 'claude:s2': entry(2) } };
}

function sampleChange(): Record<string, unknown> {
  const { units } = sampleState() as { units: Record<string, unknown> };
  return {
    generation: 2,
    units: { ...units, 'claude:/h/gone.jsonl': null },
    sessions: { 'claude:s1': entry(1), 'claude:s2': entry(2) },
    index_bytes: null,
    redact: { rules_version: 1 },
  };
}

/** Each file of the state: a sample, its fast check, its zod schema. */
const KINDS: [string, () => Record<string, unknown>, (v: unknown) => boolean, z.ZodType][] = [
  ['backfill_state.json', sampleState, isExactState, BackfillState],
  ['backfill_sessions.json', sampleEntries, isExactEntries, SessionEntries],
  ['a line of backfill_state.journal', sampleChange, isExactChange, StateChange],
];

/** Every value reachable in `value`, with a setter for it. */
function slots(
  value: unknown,
  set: (v: unknown) => void,
  out: { get: () => unknown; set: (v: unknown) => void }[] = [],
) {
  out.push({ get: () => value, set });
  if (Array.isArray(value)) value.forEach((v, i) => slots(v, (n) => (value[i] = n), out));
  else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value))
      slots((value as Record<string, unknown>)[key], (n) => ((value as Record<string, unknown>)[key] = n), out);
  }
  return out;
}

const REPLACEMENTS: unknown[] = [
  null,
  undefined,
  '',
  'x',
  'full',
  0,
  -1,
  1.5,
  2 ** 60,
  true,
  false,
  [],
  ['x'],
  [1],
  {},
  { a: 1 },
];

describe('the fast state check', () => {
  it('lists the fields of each schema in its order', () => {
    expect(STATE_FIELDS.entry).toEqual(keysOf(SessionLogIndexEntry));
    expect(STATE_FIELDS.usage).toEqual(keysOf(UsageTotals));
    expect(STATE_FIELDS.unit).toEqual(keysOf(UnitRecord));
    expect(STATE_FIELDS.failed).toEqual(keysOf(FailedSource));
    expect(STATE_FIELDS.run).toEqual(keysOf(ProviderRun));
    expect(STATE_FIELDS.state).toEqual(keysOf(BackfillState));
    expect(STATE_FIELDS.redaction).toEqual(keysOf(Redaction));
    expect(STATE_FIELDS.mark).toEqual(keysOf(SessionMark));
    expect(STATE_FIELDS.entries).toEqual(keysOf(SessionEntries));
    expect(STATE_FIELDS.change).toEqual(keysOf(StateChange));
    expect(COMPLETENESS_VALUES).toEqual(LogCompleteness.options);
  });

  it('accepts a state of our shape, as zod returns it', () => {
    const state = sampleState();
    expect(isExactState(state)).toBe(true);
    expect(JSON.stringify(BackfillState.parse(state))).toBe(JSON.stringify(state));
    const { last_run: _lastRun, ...withoutRuns } = state;
    expect(isExactState(withoutRuns)).toBe(true);
    for (const [name, sample, check, schema] of KINDS.slice(1)) {
      expect(check(sample()), name).toBe(true);
      expect(JSON.stringify(schema.parse(sample())), name).toBe(JSON.stringify(sample()));
    }
  });

  it.each(KINDS)(
    '%s: accepts nothing zod would refuse or change (any value replaced, any key removed, added or moved)',
    (_name, sampleState, isExactState, BackfillState) => {
      let refused = 0;
      const count = slots(sampleState(), () => undefined).length;
      const variants: unknown[] = [];
      for (let i = 0; i < count; i++) {
        for (const replacement of REPLACEMENTS) {
          const state = sampleState();
          slots(state, () => undefined)[i]!.set(structuredClone(replacement));
          variants.push(state);
        }
        const state = sampleState();
        const target = slots(state, () => undefined)[i]!.get();
        if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
          const keys = Object.keys(target);
          const extra = structuredClone(target) as Record<string, unknown>;
          extra.unexpected = 1;
          const reordered = Object.fromEntries(Object.entries(target).reverse());
          for (const variant of [extra, reordered]) {
            const copy = sampleState();
            slots(copy, () => undefined)[i]!.set(variant);
            variants.push(copy);
          }
          for (const key of keys) {
            const copy = sampleState();
            const obj = slots(copy, () => undefined)[i]!.get() as Record<string, unknown>;
            delete obj[key];
            variants.push(copy);
          }
        }
      }
      for (const variant of variants) {
        const text = JSON.stringify(variant);
        if (text === undefined) continue;
        const raw: unknown = JSON.parse(text);
        const parsed = BackfillState.safeParse(raw);
        if (isExactState(raw)) {
          expect(parsed.success).toBe(true);
          expect(JSON.stringify(parsed.data)).toBe(text);
        } else {
          refused++;
        }
      }
      expect(refused).toBeGreaterThan(variants.length / 2);
    },
  );
});
