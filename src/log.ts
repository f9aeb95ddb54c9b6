/** Structured logs on stderr (pino); stdout is kept for the human summary and --json. */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { CliError, EXIT } from './errors.js';

type Pino = typeof import('pino');

/** pino's level names and `silent`: a copy, so that checking a level does not load pino (a test keeps them equal). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/**
 * The level of a command's logs: debug with --verbose, error with --quiet, else $LOG_LEVEL, else
 * warn. A $LOG_LEVEL that is not a level is a usage error, whatever the flags, raised here before
 * any work rather than by pino at the first log line.
 */
export function logLevel(args: { quiet: boolean; verbose: boolean }, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.LOG_LEVEL === '' ? undefined : env.LOG_LEVEL;
  if (fromEnv !== undefined && !(LOG_LEVELS as readonly string[]).includes(fromEnv)) {
    throw new CliError(`LOG_LEVEL=${fromEnv} is not a log level (expected one of ${LOG_LEVELS.join(', ')})`, EXIT.usage);
  }
  if (args.verbose) return 'debug';
  if (args.quiet) return 'error';
  return fromEnv ?? 'warn';
}

/** pino itself, loaded the first time something is logged (a run that logs nothing never loads it). */
function makeLogger(level: string): Logger {
  const pino = createRequire(import.meta.url)('pino') as Pino;
  return pino.pino({ level, base: undefined }, pino.destination({ fd: 2, sync: true }));
}

/**
 * A pino logger at `level`, created on first use: every property read or write goes to the real
 * logger, made then.
 */
export function createLogger(level: string): Logger {
  let real: Logger | null = null;
  const logger = () => (real ??= makeLogger(level));
  return new Proxy({} as Logger, {
    get(_target, prop) {
      const target = logger();
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set(_target, prop, value) {
      return Reflect.set(logger(), prop, value);
    },
    has(_target, prop) {
      return Reflect.has(logger(), prop);
    },
  });
}
