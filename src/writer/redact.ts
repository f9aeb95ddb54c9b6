/**
 * `--redact`: masks common secrets in imported text. Each rule replaces what it matches with
 * `[REDACTED:<rule>]` (keeping a harmless prefix such as `Bearer `, the user of a URL or a quoted
 * key name). The rules work on plain text and on JSON-encoded text alike, and never replace a `"`
 * or a lone `\`, so a replacement can never break the JSON line it is in. They aim at few false positives: ordinary
 * code, hashes, UUIDs and base64 blobs are left alone (see README, "Redaction").
 */

interface Rule {
  name: string;
  pattern: RegExp;
  /** Keeps capture group 1 (a prefix) when set. */
  keepPrefix?: boolean;
  /** Extra check on the matched secret (the last capture group, or the whole match). */
  accept?: (secret: string) => boolean;
}

const hasLetterAndDigit = (s: string) => /\d/.test(s) && /[A-Za-z]/.test(s);

export const REDACTION_RULES: readonly Rule[] = [
  {
    name: 'private_key',
    pattern:
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=:,. \t\r\n-]|\\[nrt])*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g,
  },
  { name: 'aws_access_key_id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  { name: 'github_token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { name: 'api_key', pattern: /\bsk-(?:ant-[a-z]+\d*-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g, accept: hasLetterAndDigit },
  { name: 'stripe_key', pattern: /\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,}/g },
  { name: 'slack_token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: 'google_api_key', pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { name: 'bearer_token', pattern: /\b(Bearer\s+)[A-Za-z0-9._~+/-]{20,}=*/g, keepPrefix: true, accept: hasLetterAndDigit },
  { name: 'url_password', pattern: /\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/?#@"\\[\]]+:)[^\s/?#@"\\[\]]+(?=@)/g, keepPrefix: true },
  {
    name: 'secret_assignment',
    pattern:
      /\b([A-Za-z0-9_]*(?:secret|token|password|passwd|api_?key|access_?key|private_?key)[A-Za-z0-9_]*(?:\\?["'])?\s*[=:]\s*(?:\\?["'])?)([A-Za-z0-9+/~-]{8,}=*)(?![A-Za-z0-9_.(])/gi,
    keepPrefix: true,
    accept: hasLetterAndDigit,
  },
];

/** Masks every secret the rules find in `text` (plain or JSON-encoded). */
export function redactSecrets(text: string): string {
  let out = text;
  for (const rule of REDACTION_RULES) {
    rule.pattern.lastIndex = 0;
    if (!rule.pattern.test(out)) continue;
    rule.pattern.lastIndex = 0;
    out = out.replace(rule.pattern, (match: string, ...groups: unknown[]) => {
      const prefix = rule.keepPrefix ? String(groups[0]) : '';
      const secret = match.slice(prefix.length);
      if (rule.accept && !rule.accept(secret)) return match;
      return `${prefix}[REDACTED:${rule.name}]`;
    });
  }
  return out;
}
