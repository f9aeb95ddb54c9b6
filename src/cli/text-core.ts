/**
 * Small helpers for human output: safe one-line text, numbers, times and column layout. Terminal
 * widths of text other than printable ASCII come from string-width, which `text.ts` plugs in:
 * modules that import this one directly (the import summary) do not load it until they need it.
 */

/** Thrown when a width is asked of text that is not plain ASCII before string-width is loaded. */
export class NeedsStringWidth extends Error {
  constructor() {
    super('string-width is not loaded (import ./text.js)');
    this.name = 'NeedsStringWidth';
  }
}

const PLAIN = /^[\x20-\x7e]*$/;
let wide: ((text: string) => number) | null = null;

/** Called by text.ts with string-width. */
export function setStringWidth(measure: (text: string) => number): void {
  wide = measure;
}

/** Terminal columns of `text`: its length for printable ASCII, else string-width's figure. */
function stringWidth(text: string): number {
  if (PLAIN.test(text)) return text.length;
  if (wide === null) throw new NeedsStringWidth();
  return wide(text);
}

// C0 and C1 controls and the bidi overrides: a transcript must not be able to move the cursor,
// recolour the terminal or reorder what is printed.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Cuts `text` to `max` terminal columns, ending with `…` when cut (or when `cut` says it already was). */
export function fitWidth(text: string, max: number, cut = false): string {
  if (!cut && stringWidth(text) <= max) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = stringWidth(ch);
    if (used + w > max - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/**
 * Collapses white space, replaces control characters and cuts to `max` terminal columns with `…`
 * (wide characters count two). Only the start of a long text is looked at.
 */
export function oneLine(text: string, max: number): string {
  const limit = max * 16;
  const sliced = text.length > limit;
  const flat = (sliced ? text.slice(0, limit) : text).replace(/\s+/g, ' ').replace(UNSAFE, '\ufffd').trim();
  return fitWidth(flat, max, sliced);
}

/** The lines of a text with tabs expanded and control characters replaced (for `show --full`). */
export function safeLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.replace(/\t/g, '    ').replace(UNSAFE, '\ufffd').trimEnd());
}

/** US dollars: `$12.34`, and four decimals under a dollar (`$0.0033`) so that small costs are not `$0.00`. */
export function usd(amount: number): string {
  return `$${amount.toFixed(amount < 1 ? 4 : 2)}`;
}

/** 1234 -> `1.2k`, 1234567 -> `1.2M`; 0 -> `-`. */
export function compactCount(n: number): string {
  if (n === 0) return '-';
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}

export function groupDigits(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `2026-04-07 15:24` in the local time zone (TZ). */
export function localDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${localDate(iso)} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

export function localDate(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '??:??:??';
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** A duration for people: `45 s`, `12 min`, `3 h`, `5 days`. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${(s / 3600).toFixed(s < 36000 ? 1 : 0)} h`;
  return `${Math.round(s / 86400)} days`;
}

/** Replaces the user's home directory at the start of a path with `~`. */
export function tildePath(path: string, home: string): string {
  if (home !== '' && home !== '/' && (path === home || path.startsWith(`${home}/`)))
    return `~${path.slice(home.length)}`;
  return path;
}

/** Columns a terminal uses to show the text (wide characters count two). */
export function width(text: string): number {
  return stringWidth(text);
}

export type Align = 'left' | 'right';

/** Lays rows out in columns separated by two spaces; the last column is never padded. */
export function columns(rows: readonly (readonly string[])[], align: readonly Align[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        if (i === row.length - 1 && align[i] !== 'right') return cell;
        const fill = ' '.repeat((widths[i] ?? 0) - width(cell));
        return align[i] === 'right' ? fill + cell : cell + fill;
      })
      .join('  ')
      .trimEnd(),
  );
}
