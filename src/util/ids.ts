/** Ids read from native files become file names only through these functions. */
import { createRequire } from 'node:module';

/** node:crypto, loaded on first use (a run that hashes nothing does not pay for it). */
let crypto: typeof import('node:crypto') | null = null;

const SAFE = /^[A-Za-z0-9._-]+$/;
const MAX_ID_LENGTH = 200;

export function sha256Hex(text: string | Uint8Array): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256').update(text).digest('hex');
}

/**
 * `<provider>-<native id>` when the native id is made of `[A-Za-z0-9._-]` and the result is at
 * most 200 characters; otherwise `<provider>-h<hash of the native id>`. The provider prefix means
 * the name never starts with a dot, so it can never be `.`, `..` or a hidden file.
 */
export function wrapperSessionId(provider: string, nativeId: string): string {
  const plain = `${provider}-${nativeId}`;
  if (SAFE.test(nativeId) && plain.length <= MAX_ID_LENGTH) return plain;
  return `${provider}-h${sha256Hex(nativeId).slice(0, 40)}`;
}

/** `provider:native id`, the session key of the state file (as the reference model). */
export function sessionKey(provider: string, nativeId: string): string {
  return `${provider}:${nativeId}`;
}

/** Logs-dir slug of a `--root`: the absolute real path, leading `/` removed, `/` turned into `-`. */
export function rootSlug(absoluteRealPath: string): string {
  const slug = absoluteRealPath
    .replace(/^\/+/, '')
    .replace(/[\\/]/g, '-')
    .replace(/[^A-Za-z0-9._-]/g, '_');
  return slug === '' || slug.startsWith('.') ? `root${slug}` : slug;
}

/**
 * Ids for native records that carry none, for `EventDraft.key`: a hash of the record's bytes plus
 * its occurrence among identical records of the source (`h<hash>.<n>`), so the same line written
 * twice gets two ids and each keeps its id when other lines are added before it. One per source.
 */
export class RecordIds {
  private readonly seen = new Map<string, number>();

  next(record: string | Uint8Array): string {
    const hash = sha256Hex(record).slice(0, 32);
    const n = this.seen.get(hash) ?? 0;
    this.seen.set(hash, n + 1);
    return `h${hash}.${n}`;
  }
}

/**
 * Keys the items one native record gives: `base` for a single one, else `<base>#0`, `<base>#1`, …
 * The items are the record's own fresh drafts: each is keyed in place (no copy per event).
 */
export function keyed<T extends object>(items: T[], base: string): (T & { key: string })[] {
  const out = items as (T & { key: string })[];
  if (out.length === 1) out[0]!.key = base;
  else for (let i = 0; i < out.length; i++) out[i]!.key = `${base}#${i}`;
  return out;
}
