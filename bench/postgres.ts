/**
 * A throwaway PostgreSQL server for the tests and the benchmark: initdb into a temp dir, started with pg_ctl on a free
 * loopback port, stopped and removed after. PostgreSQL refuses to run as root, so as root the
 * server runs as `nobody` in a directory it owns. `.ci/run` installs Debian's `postgresql` where
 * `initdb` is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresServer {
  url: string;
  stop(): void;
}

/** The directory of initdb and pg_ctl: on PATH, or Debian's versioned directory. */
export function postgresBin(): string | null {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) {
    const bin = execFileSync('readlink', ['-f', which.stdout.trim()], { encoding: 'utf8' }).trim();
    return join(bin, '..');
  }
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(base, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startPostgres(bin: string): Promise<PostgresServer> {
  const root = mkdtempSync(join(tmpdir(), 'import-logs-pg-'));
  chmodSync(root, 0o755);
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim()) : null;
  if (user !== null) chownSync(root, user, Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim()));
  const run = (cmd: string, args: string[]) => {
    const full =
      user === null
        ? [cmd, ...args]
        : ['setpriv', `--reuid=${user}`, `--regid=${user}`, '--clear-groups', cmd, ...args];
    const res = spawnSync(full[0]!, full.slice(1), {
      encoding: 'utf8',
      cwd: root,
      env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' },
    });
    if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${res.stderr || res.stdout}`);
  };
  const data = join(root, 'data');
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  run(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    join(root, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    'start',
  ]);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
