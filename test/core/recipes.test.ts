/**
 * Every recipe of README.md, run as written (the text is read from README.md, so the two cannot
 * drift): the GitHub Actions install step (the install recipe's commands), the cron line under
 * cron's own environment, the systemd units. The install uses a temporary npm prefix, and clones
 * the committed HEAD of this checkout's branch, as a user clones a tag.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemps, repoRoot, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The code block after `<!-- recipe: NAME … -->` in README.md. */
function recipe(name: string): string {
  const m = new RegExp(`<!-- recipe: ${name}\\b[^>]*-->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(readme);
  if (!m) throw new Error(`README.md has no recipe "${name}"`);
  return m[1]!;
}

/** The commands of a shell recipe: its lines without comments and blank lines. */
const commands = (script: string) =>
  script
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);

interface Step {
  name?: string;
  run?: string;
}
const steps = (parse(recipe('actions')) as { jobs: Record<string, { steps: Step[] }> }).jobs['import-logs-check']!
  .steps;
const installStep = steps.find((s) => s.name === 'install import-logs')!.run!;

const branch = spawnSync('git', ['-C', repoRoot, 'rev-parse', '--abbrev-ref', 'HEAD'], {
  encoding: 'utf8',
}).stdout.trim();
/** Cron's environment: no more than this (cron sets HOME, LOGNAME, SHELL and this PATH). */
const cronEnv = (home: string) => ['env', '-i', `HOME=${home}`, 'LOGNAME=user', 'SHELL=/bin/sh', 'PATH=/usr/bin:/bin'];
/** spawnSync's result, without blocking the test worker for the minutes an install takes. */
function runAsync(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

// `git clone --branch` needs a branch: a detached checkout has none to clone.
describe.skipIf(branch === 'HEAD' || branch === '')('README recipes', () => {
  const work = tempDir('recipes-');
  const prefix = join(work, 'npm-prefix');
  const runnerTemp = join(work, 'runner-temp');
  const home = join(work, 'home');
  const fakeBin = join(work, 'fake-bin');
  const npmConfig = (key: string) => spawnSync('npm', ['config', 'get', key], { encoding: 'utf8' }).stdout.trim();
  const npmCache = npmConfig('cache');
  // Where native addons (better-sqlite3) find Node's headers when they build from source: the
  // user's setting, which the private HOME below would otherwise hide.
  const nodedir = npmConfig('nodedir');
  /** The installing user's shell: the npm prefix's bin first on PATH, the usual npm cache. */
  const env = {
    HOME: home,
    TZ: 'UTC',
    PATH: `${fakeBin}:${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
    npm_config_prefix: prefix,
    npm_config_cache: npmCache,
    ...(nodedir && nodedir !== 'undefined' ? { npm_config_nodedir: nodedir } : {}),
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    RUNNER_TEMP: runnerTemp,
    // The machine's own trust store and proxy for the registry, as the user's shell has them.
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) =>
        /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)$/.test(k),
      ),
    ),
  };
  let install: { status: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    for (const dir of [prefix, runnerTemp, home, fakeBin]) mkdirSync(dir, { recursive: true });
    // A crontab that keeps the table in a file: `crontab -l` prints it, `crontab -` replaces it.
    const table = join(work, 'crontab.txt');
    writeFileSync(
      join(fakeBin, 'crontab'),
      `#!/bin/sh\nif [ "$1" = -l ]; then cat "${table}" 2>/dev/null; else cat > "${table}"; fi\n`,
    );
    chmodSync(join(fakeBin, 'crontab'), 0o755);
    const script = installStep.replace('<repository URL>', `file://${repoRoot}`).replace('<tag>', branch);
    // As GitHub Actions runs a `run:` step.
    install = await runAsync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: work, env });
  }, 600_000);

  it('the install recipe is what the CI job runs; it installs a copy of the built tool, not a link to the clone', () => {
    expect(install.status, install.stderr).toBe(0);
    const installLines = commands(recipe('install'));
    const ciLines = commands(installStep);
    expect(installLines.filter((l) => l.startsWith('npm '))).toEqual(ciLines.filter((l) => l.startsWith('npm ')));
    expect(installLines[0]).toMatch(/^git clone <repository URL> /);
    const installed = join(prefix, 'lib', 'node_modules', 'import-logs');
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(existsSync(join(installed, 'dist', 'src', 'cli', 'main.js'))).toBe(true);
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(spawnSync('import-logs', ['--version'], { env, encoding: 'utf8' }).stdout.trim()).toBe(version);
  });

  it('the CI job checks the fixtures of a project with the installed command', () => {
    expect(install.status, install.stderr).toBe(0);
    const check = steps.at(-1)!.run!;
    const run = spawnSync('bash', ['-eo', 'pipefail', '-c', check], {
      cwd: join(runnerTemp, 'import-logs'),
      env,
      encoding: 'utf8',
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed$/m);
  });

  it("the cron recipe adds a line that runs under cron's PATH, silent when there is nothing to say", () => {
    expect(install.status, install.stderr).toBe(0);
    const added = spawnSync('sh', ['-c', recipe('cron')], { cwd: home, env, encoding: 'utf8' });
    expect(added.status, added.stderr).toBe(0);
    const line = readFileSync(join(work, 'crontab.txt'), 'utf8').trimEnd().split('\n').at(-1)!;
    const fields = line.split(' ');
    expect(fields.slice(0, 5)).toEqual(['*/15', '*', '*', '*', '*']);
    const command = fields.slice(5).join(' ');
    expect(command).toMatch(/^"\/[^"]*node" "\/[^"]*"/);
    expect(command).toContain(join(prefix, 'lib', 'node_modules', 'import-logs'));
    const run = spawnSync(cronEnv(home)[0]!, [...cronEnv(home).slice(1), '/bin/sh', '-c', command], {
      cwd: home,
      encoding: 'utf8',
    });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
  });

  describe('the systemd recipe', () => {
    const unitDir = join(home, '.config', 'systemd', 'user');
    const unit = (name: string) => readFileSync(join(unitDir, name), 'utf8');
    const setting = (text: string, key: string) =>
      text
        .split('\n')
        .find((l) => l.startsWith(`${key}=`))
        ?.slice(key.length + 1);
    let written: ReturnType<typeof spawnSync> | null = null;
    const write = () => (written ??= spawnSync('sh', ['-c', recipe('systemd')], { cwd: home, env, encoding: 'utf8' }));

    it('writes a service whose ExecStart runs under an empty environment, and a timer that Persistent= acts on', () => {
      expect(install.status, install.stderr).toBe(0);
      expect(write().status).toBe(0);
      const timer = unit('import-logs.timer');
      // Persistent= acts only on OnCalendar= timers; monotonic ones (OnBootSec=…) ignore it.
      if (setting(timer, 'Persistent') === 'true') {
        expect(setting(timer, 'OnCalendar')).toBeDefined();
        expect(timer).not.toMatch(/^On(Boot|Startup|Active|UnitActive|UnitInactive)Sec=/m);
      }
      const execStart = setting(unit('import-logs.service'), 'ExecStart')!;
      expect(execStart).toMatch(/^"\/[^"]*node" "\/[^"]*main\.js" --quiet$/);
      const run = spawnSync('env', ['-i', `HOME=${home}`, '/bin/sh', '-c', execStart], { cwd: home, encoding: 'utf8' });
      expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
        status: 0,
        stdout: '',
        stderr: '',
      });
    });

    it.runIf(hasSystemdAnalyze)('passes systemd-analyze verify, and its OnCalendar is a valid calendar', () => {
      expect(write().status).toBe(0);
      const verify = spawnSync(
        'systemd-analyze',
        ['verify', join(unitDir, 'import-logs.service'), join(unitDir, 'import-logs.timer')],
        { encoding: 'utf8' },
      );
      expect(verify.status, verify.stderr).toBe(0);
      const calendar = setting(unit('import-logs.timer'), 'OnCalendar')!;
      expect(spawnSync('systemd-analyze', ['calendar', calendar]).status).toBe(0);
    });
  });
});
