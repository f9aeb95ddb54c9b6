/**
 * Lists that the CLI's `--help` needs without loading zod; the zod schemas are built from them,
 * so the two cannot drift.
 */
export const COMPLETENESS_VALUES = ['full', 'partial', 'metadata_only'] as const;

/** The names `import-logs schema` knows, in the order it writes them. */
export const SCHEMA_NAMES = [
  'event-line',
  'index',
  'sessions-index',
  'state',
  'list',
  'doctor',
  'run-summary',
] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];
