/**
 * Discovery errors are not deletions: a directory discovery cannot list (EACCES) and names that
 * are not valid UTF-8 (fast-glob's `stats` dropped their whole directory without a word) are
 * reported with their path, exit 1, and the sessions below them keep their state.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps } from '../support/harness.js';
import { NOBODY, giveToNobody, isRoot, readArchive, runCli, sandbox } from '../reliability/support.js';
import { CLAUDE_FILE, CLAUDE_ID, CLAUDE_REL, claudeCorpus } from './corpus-homes.js';

afterAll(cleanupTemps);

const OTHER_ID = '8c880a68-969b-4b92-8733-a4927179d072';
const OTHER_REL = `projects/-home-dev-other/${OTHER_ID}.jsonl`;

interface Summary {
  exit_code: number;
  bytes_read: number;
  errors: { provider: string; path: string; message: string }[];
  providers: { claude: { removed_at_source: number; pending_units: number } };
}

/** `asNobody`: run the CLI as `nobody` when the tests run as root (root ignores file modes). */
function setup(asNobody: boolean) {
  const sb = sandbox();
  const home = join(sb.root, 'claude');
  for (const [rel, file] of [
    [CLAUDE_REL, CLAUDE_FILE],
    [OTHER_REL, `omarchy-backup__${OTHER_ID}.jsonl`],
  ] as const) {
    mkdirSync(join(home, rel, '..'), { recursive: true });
    writeFileSync(join(home, rel), readFileSync(join(claudeCorpus!, file)));
  }
  const as = asNobody && isRoot ? { uid: NOBODY } : {};
  const run = async () => {
    if (asNobody) giveToNobody(sb.root);
    const r = await runCli(sb, ['--out', sb.logs, '--json', '--claude-home', home], as);
    return { ...r, summary: JSON.parse(r.stdout) as Summary };
  };
  return { sb, home, run };
}

describe.skipIf(claudeCorpus === null)('discovery errors (corpus sessions)', () => {
  it('names that are not valid UTF-8 are reported, exactly; everything beside them is imported and kept', async () => {
    const { sb, home, run } = setup(false);
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    const before = readArchive(sb.logs);
    expect(before.index).toHaveLength(2);

    // A folder and a file whose names are not UTF-8, beside the sessions (Buffer paths).
    const projects = Buffer.from(join(home, 'projects/'));
    mkdirSync(Buffer.concat([projects, Buffer.from([0x62, 0xff, 0x61, 0x64])]));
    writeFileSync(
      Buffer.concat([projects, Buffer.from([0x62, 0xff, 0x61, 0x64, 0x2f, 0x78, 0x2e, 0x6a, 0x73, 0x6f, 0x6e, 0x6c])]),
      '{}\n',
    );
    writeFileSync(
      Buffer.concat([projects, Buffer.from('-home-dev-other/caf'), Buffer.from([0xe9]), Buffer.from('.jsonl')]),
      '{}\n',
    );
    const second = await run();
    expect(second.code, second.stderr).toBe(1);
    const messages = second.summary.errors.map((e) => e.message).join('\n');
    expect(messages).toContain(`${join(home, 'projects')}/b\\xffad: name is not valid UTF-8`);
    expect(messages).toContain(`${join(home, 'projects/-home-dev-other')}/caf\\xe9.jsonl: name is not valid UTF-8`);
    expect(second.summary.providers.claude.removed_at_source).toBe(0);
    const after = readArchive(sb.logs);
    expect(after.files).toEqual(before.files);
    expect(after.index.map((e) => [e.wrapper_session_id, e.source_missing])).toEqual(
      before.index.map((e) => [e.wrapper_session_id, false]),
    );
    expect(after.files.get(`claude-${CLAUDE_ID}.jsonl`)).toContain('"type":"user_message"');
  });

  it('a directory that cannot be listed is reported; its sessions keep their state and are not read again', async () => {
    const { sb, home, run } = setup(true);
    expect((await run()).code).toBe(0);
    const before = readArchive(sb.logs);
    const dir = join(home, 'projects/-home-dev-other');
    chmodSync(dir, 0o000);
    const second = await run();
    chmodSync(dir, 0o755);
    expect(second.code, second.stderr).toBe(1);
    expect(second.summary.errors).toEqual([
      { provider: 'claude', path: dir, message: expect.stringContaining(`${dir}: EACCES`) as string },
    ]);
    expect(second.summary.providers.claude.removed_at_source).toBe(0);
    expect(readArchive(sb.logs)).toEqual(before);
    // Readable again: nothing changed there, nothing to read.
    const third = await run();
    expect(third.code, third.stderr).toBe(0);
    expect(third.summary.bytes_read).toBe(0);
  });
});
