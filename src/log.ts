/** Structured logs on stderr (pino); stdout is kept for the human summary and --json. */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

type Pino = typeof import('pino');

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
