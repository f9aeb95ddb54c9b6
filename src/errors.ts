/** Errors that end the run with a documented exit code (SPEC §8). */
export const EXIT = {
  ok: 0,
  sourcesFailed: 1,
  usage: 2,
  state: 3,
  locked: 75,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
