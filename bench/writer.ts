/**
 * Renders template records for one generated session: every id gets a fresh value of the same
 * shape (session-scoped ids once per session, the others once per repetition of the turns, so that
 * links join inside each repetition), timestamps move to the session's start and increase from one
 * repetition to the next, project paths become the session's project.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Rng } from './prng.js';
import { encodeClaudePath, type LiteralKind, type Segmented, type Slot, type TemplateGroup } from './templates.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX = '0123456789abcdef';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
/** The home directory of the generated user. */
export const USER_HOME = '/home/dev';
/** Time between two repetitions of a session's turns, and the longest a repetition may last. */
const GAP_MS = 5 * 60_000;
const MAX_SPAN_MS = 2 * 3600_000;

/** A random id shaped like `id`: same prefix (`toolu_`, `msg_`…), length and character classes. */
export function freshIdLike(id: string, rng: Rng): string {
  if (UUID.test(id)) {
    let out = '';
    for (let i = 0; i < id.length; i++) {
      const c = id[i] ?? '';
      if (c === '-' || i === 14)
        out += c; // keep the version nibble
      else if (i === 19) out += '89ab'[rng.int(4)];
      else out += HEX[rng.int(16)];
    }
    return out;
  }
  const prefix = /^(?:[A-Za-z]+[_-])+(?=[A-Za-z0-9])/.exec(id)?.[0] ?? '';
  const rest = id.slice(prefix.length);
  const hexOnly = /^[0-9a-f]+$/.test(rest);
  let out = prefix;
  for (const c of rest) {
    if (hexOnly) out += HEX[rng.int(16)];
    else if (c >= '0' && c <= '9') out += DIGITS[rng.int(10)];
    else if (c >= 'a' && c <= 'z') out += LOWER[rng.int(26)];
    else if (c >= 'A' && c <= 'Z') out += UPPER[rng.int(26)];
    else out += c;
  }
  return out;
}

function isoWithFraction(ms: number, frac: number): string {
  const iso = new Date(ms).toISOString();
  if (frac === 0) return `${iso.slice(0, 19)}Z`;
  return `${iso.slice(0, 20)}${iso.slice(20, 23).padEnd(frac, '0').slice(0, frac)}Z`;
}

export interface SessionPlace {
  /** The session's project root. */
  root: string;
  /** Start time of the generated session (ms). */
  start: number;
}

export class SessionWriter {
  private readonly bases = new Map<string, string>();
  private readonly shortIds = new Map<string, string>();
  private readonly literals: Record<LiteralKind, string>;
  private readonly scale: number;
  private readonly repSpan: number;

  constructor(
    readonly group: TemplateGroup,
    private readonly rng: Rng,
    readonly place: SessionPlace,
  ) {
    this.literals = {
      root: place.root,
      home: USER_HOME,
      encRoot: encodeClaudePath(place.root),
      encHome: encodeClaudePath(USER_HOME),
      hash: createHash('sha256').update(place.root).digest('hex'),
    };
    const span = Math.min(group.span, MAX_SPAN_MS);
    this.scale = group.span > 0 ? span / group.span : 0;
    this.repSpan = span + GAP_MS;
  }

  /** The fresh value of a template id (session-scoped, as used in repetition 0). */
  sessionId(id: string): string {
    let base = this.bases.get(id);
    if (base === undefined) {
      base = freshIdLike(id, this.rng);
      this.bases.set(id, base);
    }
    return base;
  }

  private repId(id: string, rep: number): string {
    const base = this.sessionId(id);
    if (base.length >= 12) {
      // A bijection of the repetition number onto the last 6 characters keeps ids distinct.
      const tail = base.slice(-6);
      const mixed = /^[0-9a-f]{6}$/.test(tail) ? (Number.parseInt(tail, 16) ^ rep) & 0xffffff : rep;
      return base.slice(0, -6) + mixed.toString(16).padStart(6, '0');
    }
    const key = `${id}\u0000${rep}`;
    let short = this.shortIds.get(key);
    if (short === undefined) {
      short = freshIdLike(id, this.rng);
      this.shortIds.set(key, short);
    }
    return short;
  }

  time(ms: number, rep: number): number {
    // Side files copied from another session may carry times outside this one: clamp them.
    const t = Math.min(Math.max(ms, this.group.t0), this.group.t0 + this.group.span);
    return Math.round(this.place.start + rep * this.repSpan + (t - this.group.t0) * this.scale);
  }

  private fill(slot: Slot, rep: number): string {
    switch (slot.kind) {
      case 'id':
        return slot.session ? this.sessionId(slot.id) : this.repId(slot.id, rep);
      case 'ts':
        return isoWithFraction(this.time(slot.ms, rep), slot.frac);
      case 'lit':
        return this.literals[slot.lit];
    }
  }

  render(seg: Segmented, rep: number): string {
    let out = seg.lits[0] ?? '';
    for (let i = 0; i < seg.slots.length; i++) out += this.fill(seg.slots[i] as Slot, rep) + (seg.lits[i + 1] ?? '');
    return out;
  }
}

/** Buffered writes to one file; counts the bytes written. */
export class Sink {
  private parts: string[] = [];
  private pending = 0;
  private readonly fd: number;
  bytes = 0;

  constructor(path: string, flags = 'w') {
    this.fd = openSync(path, flags);
  }

  write(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= 1 << 22) this.flush();
  }

  /** Characters written so far, flushed or not (close to bytes for mostly-ASCII text). */
  get length(): number {
    return this.bytes + this.pending;
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''));
    writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.parts = [];
    this.pending = 0;
  }

  close(): number {
    this.flush();
    closeSync(this.fd);
    return this.bytes;
  }
}
