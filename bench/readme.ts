/** Keeps the bench results in README.md, between markers, in a Performance section at the end. */
import { readFileSync, writeFileSync } from 'node:fs';

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

const SECTION_INTRO = `## Performance

\`npm run bench\` builds a synthetic home for the four providers from real sessions (fresh ids,
paths and times; sizes log-normal like real Claude Code histories), then measures on that same home:
a bare read + \`JSON.parse\` baseline, a cold import, a no-op re-run, a re-run after one appended
turn, peak RSS (also for a home holding one 1 GB session), \`--help\` start-up, and \`ccusage\`'s cold
run. Targets are ratios measured in one run (see \`bench/targets.ts\`); the run exits 1 when one is
missed. Flags: \`--size 2GB\`, \`--seed N\`, \`--skip-1gb\`, \`--keep\` (keep the generated home in
\`bench/.work/\`), \`--no-readme\`. The table below is rewritten by every run. \`ccusage\` is a dev
dependency pinned to 20.0.20, the release whose native binaries the registry has for every platform.
`;

/** Replaces the text between the markers, or appends the section with them at the end. */
export function writeReadmeSection(path: string, body: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const block = `${START}\n${body.trimEnd()}\n${END}`;
  const next =
    start !== -1 && end > start
      ? text.slice(0, start) + block + text.slice(end + END.length)
      : `${text.trimEnd()}\n\n${SECTION_INTRO}\n${block}\n`;
  writeFileSync(path, next);
}
