/**
 * What list, show and search print on a real terminal (a tmux pane, 100 columns): colour only
 * there and not with NO_COLOR, lines cut to the width, and the pager ($PAGER) on a terminal only.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps } from '../support/harness.js';
import { cliScript, runCli } from '../reliability/support.js';
import { corpusSandbox, importSandbox } from './corpus-archive.js';

const WIDTH = 100;
let sb: ReturnType<typeof corpusSandbox>;
let socket: string;
let panes = 0;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

beforeAll(async () => {
  sb = corpusSandbox();
  await importSandbox(sb);
  socket = `import-logs-test-${process.pid}`;
  // A session that outlives the others: tmux exits with its last session, and a pane opened then would find it gone.
  tmux('new-session', '-d', '-s', 'keep', 'sleep 3600');
}, 120_000);

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // no server was started
  }
  cleanupTemps();
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI in a fresh tmux pane and returns the pane (with colours) once it printed `done`. */
async function inTerminal(args: string[], env: Record<string, string> = {}): Promise<string> {
  const vars = Object.entries({ HOME: sb.home, TZ: 'UTC', TERM: 'xterm-256color', ...env }).map(
    ([k, v]) => `${k}=${quote(v)}`,
  );
  const command = `env ${vars.join(' ')} ${quote(process.execPath)} ${quote(cliScript)} ${args.map(quote).join(' ')}; echo done; sleep 600`;
  const name = `t${++panes}`;
  tmux('new-session', '-d', '-s', name, '-x', String(WIDTH), '-y', '50', command);
  try {
    for (;;) {
      const pane = tmux('capture-pane', '-e', '-p', '-J', '-S', '-', '-t', name);
      if (/^done\s*$/m.test(pane.replace(/\u001b\[[0-9;]*m/g, ''))) return pane;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    tmux('kill-session', '-t', name);
  }
}

const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

describe('on a terminal', () => {
  it('list fits the width of the terminal, with a title on every row; a pipe gets whole lines', async () => {
    const pane = plain(await inTerminal(['list', '--out', sb.logs]));
    const lines = pane.split('\n').filter((l) => l.startsWith('claude-') || l.startsWith('codex-'));
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l.trimEnd().length).toBeLessThan(WIDTH);
    expect(lines.some((l) => l.trimEnd().endsWith('…'))).toBe(true);
    const piped = await runCli(sb, ['list', '--out', sb.logs], { env: { TZ: 'UTC' } });
    expect(piped.stdout.split('\n').some((l) => l.length > WIDTH)).toBe(true);
    // Columns gave way so that TITLE has room: each row shows the start of the title a pipe gets.
    const titles = (text: string) => {
      const all = text.split('\n');
      const at = all.find((l) => l.startsWith('ID '))!.search(/TITLE$/);
      return all.filter((l) => l.startsWith('claude-') || l.startsWith('codex-')).map((l) => l.slice(at).trim());
    };
    const full = titles(piped.stdout);
    const shown = titles(pane);
    expect(shown.length).toBe(full.length);
    shown.forEach((title, i) => {
      expect(full[i]!.startsWith(title.replace(/…$/, '')), `${title} / ${full[i]}`).toBe(true);
      expect(title.length).toBeGreaterThanOrEqual(Math.min(full[i]!.length, 15));
    });
  });

  it('search colours its matches on a terminal only, and not with NO_COLOR', async () => {
    const coloured = await inTerminal(['search', 'test', '--out', sb.logs]);
    // tmux writes the colour its own way: yellow is 33 in some SGR sequence.
    const yellow = /\u001b\[[0-9;]*\b33m/;
    expect(coloured).toMatch(yellow);
    expect(plain(coloured)).not.toContain('[test]');
    const noColour = await inTerminal(['search', 'test', '--out', sb.logs], { NO_COLOR: '1' });
    expect(noColour).not.toMatch(yellow);
    expect(noColour).toContain('[test]');
    const piped = await runCli(sb, ['search', 'test', '--out', sb.logs]);
    expect(piped.stdout).not.toContain('\u001b');
  });

  it('show goes through $PAGER on a terminal, in colour; never on a pipe', async () => {
    const record = join(sb.root, 'pager-called');
    const pager = join(sb.root, 'pager.sh');
    writeFileSync(pager, `#!/bin/sh\necho "LESS=$LESS" > ${quote(record)}\ncat >> ${quote(record)}\n`);
    chmodSync(pager, 0o755);
    await inTerminal(['show', 'claude-b3edadab', '--out', sb.logs], { PAGER: pager });
    const paged = readFileSync(record, 'utf8');
    expect(paged.split('\n')[0]).toBe('LESS=FRX');
    expect(paged).toContain('claude-b3edadab-bca0-4054-9b41-f7ffa6941260  (claude, full)');
    expect(paged).toContain('\u001b[1;36muser');
    await inTerminal(['show', 'claude-b3edadab', '--out', sb.logs], { PAGER: pager, NO_COLOR: '1' });
    expect(readFileSync(record, 'utf8')).not.toContain('\u001b');
    writeFileSync(record, '');
    const piped = await runCli(sb, ['show', 'claude-b3edadab', '--out', sb.logs], { env: { PAGER: pager } });
    expect(piped.stdout).toContain('(claude, full)');
    expect(readFileSync(record, 'utf8')).toBe('');
    expect(existsSync(record)).toBe(true);
  });

  it("show cuts each event line to the terminal's width; a pipe gets them at 120 columns", async () => {
    const events = (text: string) => text.split('\n').filter((l) => /^\d\d:\d\d:\d\d  /.test(l));
    const shown = events(plain(await inTerminal(['show', 'claude-b3edadab', '--out', sb.logs], { PAGER: 'cat' })));
    expect(shown.length).toBeGreaterThan(10);
    for (const l of shown) expect(l.trimEnd().length, l).toBeLessThanOrEqual(WIDTH);
    expect(shown.filter((l) => l.trimEnd().endsWith('…')).length).toBeGreaterThan(0);
    const piped = events((await runCli(sb, ['show', 'claude-b3edadab', '--out', sb.logs])).stdout);
    expect(piped).toHaveLength(shown.length);
    expect(piped.some((l) => l.length > WIDTH)).toBe(true);
  });
});
