/** `import-logs check`: fixture conversion must equal the committed expected output. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { EXIT, UsageError } from '../errors.js';
import { convertCase, listCases, readExpected } from '../check/fixtures.js';
import { createLogger, logLevel, type LogFormat } from '../log.js';
import { selectAdapters } from './select-adapters.js';

export interface CheckArgs {
  fixtures: string;
  update: boolean;
  provider?: string[] | undefined;
  quiet: boolean;
  verbose: boolean;
  logFormat: LogFormat;
}

export async function checkCommand(args: CheckArgs): Promise<number> {
  const log = createLogger(logLevel(args), args.logFormat);
  const cases = await listCases(args.fixtures, selectAdapters(args.provider));
  if (cases.length === 0)
    throw new UsageError(`no fixture cases under ${args.fixtures} (expected <provider>/<case>/input/)`);
  let failed = 0;
  for (const c of cases) {
    const actual = await convertCase(c, log);
    const label = `${c.adapter.id}/${c.name}`;
    if (args.update) {
      await rm(join(c.dir, 'expected'), { recursive: true, force: true });
      for (const [path, text] of actual) {
        const target = join(c.dir, 'expected', path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, text);
      }
      process.stdout.write(`updated ${label}\n`);
      continue;
    }
    const expected = await readExpected(c);
    const paths = [...new Set([...expected.keys(), ...actual.keys()])].sort();
    const diffs: string[] = [];
    for (const path of paths) {
      const want = expected.get(path);
      const got = actual.get(path);
      if (want === got) continue;
      if (want === undefined) diffs.push(`--- ${label}/expected/${path} is missing (the conversion wrote it)\n`);
      else if (got === undefined) diffs.push(`--- ${label}/expected/${path} was not produced by the conversion\n`);
      else
        diffs.push(
          createTwoFilesPatch(`expected/${path}`, `actual/${path}`, want, got, undefined, undefined, { context: 2 }),
        );
    }
    if (diffs.length === 0) {
      if (!args.quiet) process.stdout.write(`ok      ${label}\n`);
    } else {
      failed++;
      process.stdout.write(`FAILED  ${label}\n${diffs.join('')}`);
    }
  }
  if (!args.update) {
    process.stdout.write(`${cases.length - failed} passed, ${failed} failed\n`);
    if (failed > 0)
      process.stdout.write(
        'Review the diff; if the new output is right, run `import-logs check --update` and commit it.\n',
      );
  }
  return failed > 0 ? EXIT.failed : EXIT.ok;
}
