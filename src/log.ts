/**
 * Logs on stderr (pino); stdout is kept for the human summary and --json. A person reads
 * sentences, one line each; `--log-format json` gives pino's JSON lines to a log collector.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { UsageError } from './errors.js';

type Pino = typeof import('pino');

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

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
    throw new UsageError(`LOG_LEVEL=${fromEnv} is not a log level (expected one of ${LOG_LEVELS.join(', ')})`);
  }
  if (args.verbose) return 'debug';
  if (args.quiet) return 'error';
  return fromEnv ?? 'warn';
}

/** One pino JSON line as a sentence: `import-logs: debug: [provider] unit: message`. */
function logSentence(line: string, levelName: (n: number) => string): string {
  const {
    level,
    msg,
    time: _t,
    provider,
    unit,
    ...rest
  } = JSON.parse(line) as { level: number; msg?: string; time?: number; provider?: string; unit?: string };
  const where = `${provider === undefined ? '' : `[${provider}] `}${unit === undefined ? '' : `${unit}: `}`;
  const extra = Object.entries(rest)
    .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('');
  return `import-logs: ${levelName(level)}: ${where}${msg ?? ''}${extra}\n`;
}

/** pino itself, loaded the first time something is logged (a run that logs nothing never loads it). */
function makeLogger(level: string, format: LogFormat): Logger {
  const pino = createRequire(import.meta.url)('pino') as Pino;
  if (format === 'json') return pino.pino({ level, base: undefined }, pino.destination({ fd: 2, sync: true }));
  const name = (n: number) => pino.levels.labels[n] ?? String(n);
  return pino.pino(
    { level, base: undefined },
    { write: (line: string) => process.stderr.write(logSentence(line, name)) },
  );
}

/**
 * A pino logger at `level`, created on first use: every property read or write goes to the real
 * logger, made then; calls of the levels below `level` do nothing until then.
 */
export function createLogger(level: string, format: LogFormat = 'text'): Logger {
  let real: Logger | null = null;
  const logger = () => (real ??= makeLogger(level, format));
  // A call below the level does nothing, and does not load pino (a no-op run asks for debug lines).
  const threshold = (LOG_LEVELS as readonly string[]).indexOf(level);
  const quiet = (prop: string | symbol) => {
    const at = (LOG_LEVELS as readonly string[]).indexOf(String(prop));
    return at >= 0 && at < threshold && real === null;
  };
  return new Proxy({} as Logger, {
    get(_target, prop) {
      if (quiet(prop)) return () => undefined;
      // Asked before anything is logged (a no-op run that is not verbose takes a shorter path).
      if (prop === 'isLevelEnabled' && real === null)
        return (name: string) =>
          threshold < LOG_LEVELS.indexOf('silent') && LOG_LEVELS.indexOf(name as never) >= threshold;
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
