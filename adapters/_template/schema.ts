/**
 * The native records, one documented line per field. Lenient where the agent is (fields it may
 * omit are optional); helpers are named by what they accept.
 */
import { z } from 'zod';

const optionalText = z.string().optional();
const optionalNumber = z.number().optional();

/** One line of `sessions/<id>.jsonl`; `type` picks the row of the README's record table. */
export const TemplateLine = z.looseObject({
  /** Record type (README "Record types"). */
  type: z.string(),
  /** ISO time the agent wrote the record. */
  ts: optionalText,
  /** Text of a prompt or an answer. */
  text: optionalText,
  /** Model that answered (`answer`). */
  model: optionalText,
  /** Tool name (`tool_call`). */
  name: optionalText,
  /** Tool call id, shared by a call and its result. */
  call_id: optionalText,
  /** Tool arguments as the model gave them (`tool_call`). */
  input: z.unknown().optional(),
  /** Tool output (`tool_result`). */
  output: optionalText,
  /** Set when the tool failed (`tool_result`). */
  error: optionalText,
  /** Token counts of the answer; input includes cached input. */
  usage: z.looseObject({ input: optionalNumber, cached: optionalNumber, output: optionalNumber }).optional(),
  /** Workspace directory (`session_meta`). */
  cwd: optionalText,
  /** Agent version (`session_meta`). */
  version: optionalText,
});
export type TemplateLine = z.infer<typeof TemplateLine>;
