/**
 * The two checks yargs makes with node:assert, given to it in the bundle (build/bundle.ts) instead
 * of node:assert, whose modules take about 1.6 ms of every run to load. They compare as
 * node:assert does (`Object.is`). yargs checks only its own invariants with them, and catches the
 * one that fails in use: no package.json in the directories above the one it looks from.
 */

function check(ok: boolean, message: string | Error | undefined, otherwise: string): void {
  if (ok) return;
  throw message instanceof Error ? message : new Error(message ?? otherwise);
}

export function strictEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  check(Object.is(actual, expected), message, 'Expected values to be strictly equal');
}

export function notStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  check(!Object.is(actual, expected), message, 'Expected "actual" to be strictly unequal to "expected"');
}
