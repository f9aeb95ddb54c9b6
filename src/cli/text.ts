/** The text helpers of text-core.ts, with string-width loaded for text other than plain ASCII. */
import stringWidth from 'string-width';
import { setStringWidth } from './text-core.js';

setStringWidth(stringWidth);

export * from './text-core.js';
