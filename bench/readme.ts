/** Keeps the bench results in README.md, between markers, in a Performance section at the end. */
import { readFileSync, writeFileSync } from 'node:fs';

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

const SECTION_INTRO = `## Performance

\`npm run bench\` builds a synthetic home for the four providers from real sessions (fresh ids,
paths and times; sizes log-normal like real Claude Code histories), then measures on that same home:
a bare read + \`JSON.parse\` baseline, the re-encode floor (the baseline + \`JSON.stringify\` and write
of every value, fsynced) on one thread and on two (files split by size), a cold import on every core
and on one worker (their ratio gives the serial fraction, and the projection to 8 cores it implies),
a no-op re-run, a re-run after one appended turn, peak RSS (also for a home holding one 1 GB session
whose turns repeat with fresh ids), \`--help\` start-up, and \`ccusage\`'s cold run beside them; then a
cold import and no-op re-runs of homes of 10,000 and 100,000 small sessions, counting any state or
index file a no-op rewrites. Targets are ratios measured in one run (see \`bench/targets.ts\`); each is
printed met, or missed by how much, and the run exits 1 when one is missed. Flags: \`--size 2GB\`,
\`--seed N\`, \`--skip-1gb\`, \`--small 10000,100000\` (\`--small ''\` skips those homes), \`--keep\` (keep the
generated home in \`bench/.work/\`), \`--no-readme\`, \`--rss-growth\` (also a cold import of a home five times the
size, for the growth of peak RSS). The table below is rewritten by every run.
\`ccusage\` is a dev dependency pinned to 20.0.20, the release whose native binaries the registry has
for every platform.
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
