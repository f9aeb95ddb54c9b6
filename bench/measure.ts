/**
 * Runs a command as a child process and measures its wall time and peak RSS: through GNU
 * `/usr/bin/time -v` when it is there, else by sampling VmHWM in /proc/<pid>/status.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface Measured {
  code: number | null;
  ms: number;
  /** Peak resident set size in bytes, null when it could not be measured. */
  peakRss: number | null;
  stdout: string;
  stderr: string;
}

let gnuTime: boolean | null = null;
function hasGnuTime(): boolean {
  if (gnuTime === null) {
    gnuTime =
      existsSync('/usr/bin/time') &&
      spawnSync('/usr/bin/time', ['-v', 'true'], { encoding: 'utf8' }).stderr.includes('Maximum resident set size');
  }
  return gnuTime;
}

/** How the peak RSS figures were taken, for the report. */
export function rssMethod(): string {
  return hasGnuTime() ? '/usr/bin/time -v' : process.platform === 'linux' ? '/proc VmHWM sampling' : 'unavailable';
}

function readHwm(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export function measure(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  opts: { rss?: boolean } = {},
): Promise<Measured> {
  const wrap = opts.rss === true && hasGnuTime();
  const [cmd, argv] = wrap ? ['/usr/bin/time', ['-v', command, ...args]] : [command, [...args]];
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    let sampled: number | null = null;
    const sampler =
      opts.rss === true && !wrap && process.platform === 'linux'
        ? setInterval(() => {
            const hwm = child.pid === undefined ? null : readHwm(child.pid);
            if (hwm !== null) sampled = Math.max(sampled ?? 0, hwm);
          }, 20)
        : null;
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (sampler) clearInterval(sampler);
      let stderr = Buffer.concat(err).toString('utf8');
      let peakRss = sampled;
      if (wrap) {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
        peakRss = m?.[1] ? Number(m[1]) * 1024 : null;
        const exit = /Exit status: (\d+)/.exec(stderr);
        if (exit?.[1]) code = Number(exit[1]);
        const report = stderr.search(/(Command exited with non-zero status \d+\n)?\tCommand being timed:/);
        if (report >= 0) stderr = stderr.slice(0, report).trimEnd();
      }
      resolve({ code, ms, peakRss, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}
