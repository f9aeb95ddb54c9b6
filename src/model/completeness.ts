/** The completeness levels of an event and of a session (the index and the event line share them). */
import { z } from 'zod';
import { COMPLETENESS_VALUES } from './names.js';

export const LogCompleteness = z
  .enum(COMPLETENESS_VALUES)
  .describe('How much of the native record survived conversion.');
export type LogCompleteness = z.infer<typeof LogCompleteness>;
