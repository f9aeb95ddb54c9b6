/** The JSON Schemas of every file and machine output, generated from the zod schemas. */
import { z } from 'zod';
import { AgentLogEvent } from './event-line.js';
import type { SchemaName } from './names.js';
import { GlobalSessionIndex, SessionLogIndex } from './index-schema.js';
import { DoctorReport, ListedSession, RunSummary } from './reports.js';
import { BackfillState } from './state.js';

interface SchemaSpec {
  file: string;
  title: string;
  schema: z.ZodType;
}

export const JSON_SCHEMAS = {
  'event-line': {
    file: 'event-line.schema.json',
    title: 'One line of sessions/<id>.jsonl (agent-log v1)',
    schema: AgentLogEvent,
  },
  index: { file: 'index.schema.json', title: 'index.json of a logs dir', schema: SessionLogIndex },
  'sessions-index': {
    file: 'sessions_index.schema.json',
    title: 'sessions_index.json of a store',
    schema: GlobalSessionIndex,
  },
  state: { file: 'backfill_state.schema.json', title: 'backfill_state.json (version 4)', schema: BackfillState },
  list: { file: 'list.schema.json', title: 'One line of `import-logs list --json`', schema: ListedSession },
  doctor: { file: 'doctor.schema.json', title: '`import-logs doctor --json`', schema: DoctorReport },
  'run-summary': { file: 'run-summary.schema.json', title: '`import-logs --json`', schema: RunSummary },
} as const satisfies Record<SchemaName, SchemaSpec>;

/** The committed text of a schema file: stable key order, two-space indent, final newline. */
export function jsonSchemaText(name: SchemaName): string {
  const { title, schema } = JSON_SCHEMAS[name];
  const { $schema, ...body } = z.toJSONSchema(schema);
  return `${JSON.stringify({ $schema, title, ...body }, null, 2)}\n`;
}
