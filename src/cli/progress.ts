/**
 * The import progress bar: one line on stderr, redrawn at most ten times a second, shown only
 * after the run has taken a moment (a quick cron run draws nothing). Units converted / units to
 * convert (a unit: the source files converted together; the line says `sources`), MB/s, and an ETA
 * from the bytes still to read.
 */
import { formatBytes } from './text-core.js';

export interface ProgressUpdate {
  done: number;
  total: number;
  bytesRead: number;
  bytesTotal: number;
}

const REDRAW_MS = 100;
const SHOW_AFTER_MS = 300;
const BAR_WIDTH = 24;

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The line for one update, `elapsedMs` after the run started. */
export function progressLine(p: ProgressUpdate, elapsedMs: number): string {
  const fraction = p.bytesTotal > 0 ? Math.min(1, p.bytesRead / p.bytesTotal) : p.total > 0 ? p.done / p.total : 1;
  const filled = Math.floor(fraction * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? p.bytesRead / seconds : 0;
  const eta = fraction > 0 && fraction < 1 ? `ETA ${clock((seconds * (1 - fraction)) / fraction)}` : '';
  return `${bar} ${p.done}/${p.total} sources  ${formatBytes(rate)}/s  ${eta}`.trimEnd();
}

export interface Progress {
  update(p: ProgressUpdate): void;
  /** Removes the line (call before printing the summary). */
  clear(): void;
}

export function createProgress(stream: NodeJS.WriteStream, now: () => number = () => performance.now()): Progress {
  const started = now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(p) {
      const t = now();
      const finished = p.done >= p.total;
      if (t - started < SHOW_AFTER_MS || finished || t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      drawn = true;
      // A terminal that does not say its size (0) gets 80 columns.
      const width = (stream.columns || 80) - 1;
      stream.write(`\r${progressLine(p, t - started).slice(0, width)}\x1b[K`);
    },
    clear() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
